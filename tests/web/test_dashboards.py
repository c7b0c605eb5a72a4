"""Dashboard pages and CSV exports: who may see them, what they show, what an export contains and logs."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.metrics_helpers import REPLY, history, resolve
from webcare.models import AuditEntry

MARCH = "from=2025-03-01&to=2025-03-31"


@pytest.fixture
def data(session):
    factories.seeded(session)
    agent = factories.user(session, "agent", departments=("KCC",))
    channel = factories.channel(session, name="mastodon-gemeente")
    on_time = history(session, "2025-03-10T09:00+01:00", [("reply_sent", "2025-03-10T10:00+01:00", REPLY),
                                                           resolve("2025-03-11T10:00+01:00")],
                      channel=channel, actor=agent, now="2025-04-20T10:00+02:00")
    late = history(session, "2025-03-07T16:00+01:00", [("reply_sent", "2025-03-10T12:00+01:00", REPLY)],
                   channel=channel, actor=agent, now="2025-04-20T10:00+02:00")
    previous = history(session, "2025-02-10T09:00+01:00", [("reply_sent", "2025-02-10T15:00+01:00", REPLY)],
                       channel=channel, actor=agent, now="2025-04-20T10:00+02:00")
    session.commit()
    return {"agent": agent, "channel": channel, "on_time": on_time, "late": late, "previous": previous}


def _login(session, client, role: str):
    user = factories.user(session, role, departments=("AFV",) if role == "department" else ())
    session.commit()
    factories.login(client, user.email)
    return user


@pytest.mark.parametrize("role", ["agent", "department"])
def test_dashboards_are_for_managers_and_admins(session, client, data, role):
    _login(session, client, role)
    for url in ("/dashboards/", "/dashboards/now", "/dashboards/agents",
                f"/dashboards/departments/{data['on_time'].department_id}",
                "/dashboards/export/figures.csv?group_by=day", "/dashboards/export/tickets.csv?figure=tickets_in"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, data):
    response = client.get("/dashboards/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_overview_shows_the_figures_against_the_previous_period(session, client, data, role):
    _login(session, client, role)
    html = client.get(f"/dashboards/?{MARCH}").get_data(as_text=True)
    assert "1 van 2 op tijd" in html  # Dutch by default: one of two first responses on time
    assert "50,0%" in html  # the share within the SLA
    assert "vorige periode" in html  # the trend is spelled out, not only coloured
    assert "<svg" in html and 'role="img"' in html
    assert "style=" not in html  # CSP: no inline styles
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline scripts
    assert "AFV · Afval en Reiniging" in html  # per department


def test_department_and_channel_pages_and_filters_in_the_url(session, client, data):
    _login(session, client, "manager")
    department_id = data["on_time"].department_id
    page = client.get(f"/dashboards/departments/{department_id}?{MARCH}")
    assert page.status_code == 200 and "Afval en Reiniging" in page.get_data(as_text=True)
    assert client.get(f"/dashboards/channels/{data['channel'].id}?{MARCH}").status_code == 200
    assert client.get(f"/dashboards/departments/9999?{MARCH}").status_code == 404
    other = factories.department(session, "OW").id
    html = client.get(f"/dashboards/?{MARCH}&department={other}").get_data(as_text=True)
    assert "0 van 0 op tijd" in html  # nothing for Openbare Werken
    assert f'<option value="{other}" selected>' in html


@pytest.mark.parametrize("query", ["from=2025-13-01", "from=2025-03-10&to=2025-03-01", "department=abc",
                                   "from=2020-01-01&to=2025-01-01"])
def test_bad_view_parameters_are_a_clear_400(session, client, data, query):
    _login(session, client, "manager")
    assert client.get(f"/dashboards/?{query}").status_code == 400


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-12-10&to=2026-12-01", "De periode eindigt voordat hij begint."),
    ("from=2020-01-01&to=2025-01-01", "Een periode is ten hoogste 732 dagen lang."),
    ("from=2025-13-01", "Schrijf datums als JJJJ-MM-DD."),
    ("to=0001-01-10", "Die datum ligt te ver in het verleden of in de toekomst."),
    ("from=0001-01-01&to=0001-01-10", "Die datum ligt te ver in het verleden of in de toekomst."),
])
def test_a_refused_period_shows_the_dashboard_with_a_dutch_message(session, client, data, query, message):
    _login(session, client, "manager")
    response = client.get(f"/dashboards/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "De cijfers hieronder gaan over de laatste 30 dagen." in html
    assert 'class="dash-filters"' in html and "op tijd" in html  # the dashboard itself, with the default period
    assert "period ends before" not in html and "at most" not in html


def test_a_refused_period_keeps_the_typed_dates_in_the_form(session, client, data):
    _login(session, client, "manager")
    html = client.get("/dashboards/?from=2026-12-10&to=2026-12-01").get_data(as_text=True)
    assert 'value="2026-12-10"' in html and 'value="2026-12-01"' in html


def test_the_page_per_agent_shows_the_front_office_figures(session, client, data):
    """Who wrote the first responses: the agent's two in March, one of them on time; linked from the overview."""
    _login(session, client, "manager")
    assert "/dashboards/agents?" in client.get(f"/dashboards/?{MARCH}").get_data(as_text=True)
    html = client.get(f"/dashboards/agents?{MARCH}").get_data(as_text=True)
    assert "<h1>Per medewerker</h1>" in html and 'class="dash-filters"' in html
    row = html.split(data["agent"].name, 1)[1].split("</tr>", 1)[0]
    assert "50,0%" in row  # first responses within the SLA: one of two
    assert "group_by=agent" in html  # the CSV of the same figures
    other = factories.department(session, "OW").id
    session.commit()
    assert data["agent"].name not in client.get(f"/dashboards/agents?{MARCH}&department={other}").get_data(as_text=True)
    refused = client.get("/dashboards/agents?from=2026-12-10&to=2026-12-01")
    assert refused.status_code == 400 and "De periode eindigt voordat hij begint." in refused.get_data(as_text=True)


@pytest.mark.parametrize("query", ["to=0001-01-10", "from=0001-01-01&to=0001-01-10", "from=9999-12-01&to=9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_no_server_error(session, client, data, query):
    _login(session, client, "manager")
    for url in (f"/dashboards/?{query}", f"/dashboards/now?{query}",
                f"/dashboards/export/figures.csv?group_by=day&{query}"):
        assert client.get(url).status_code < 500, url


def test_now_board_lists_the_breached(session, client, data):
    _login(session, client, "manager")
    html = client.get("/dashboards/now").get_data(as_text=True)
    assert "&lt; 1 dag" in html and "&gt; 30 dagen" in html and "< 1 dag" not in html  # valid HTML
    assert f"#{data['late'].id}" in html  # its handling term has passed long ago
    assert f"#{data['on_time'].id}</a>" not in html  # resolved


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_ticket_export_leaves_personal_data_to_admins_and_is_logged(session, client, data):
    user = _login(session, client, "manager")
    response = client.get(f"/dashboards/export/tickets.csv?{MARCH}&figure=first_response_late")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response)
    assert [int(r["ticket"]) for r in rows] == [data["late"].id]
    assert rows[0]["business_seconds"] == "16200" and rows[0]["result"] == "late"
    assert "citizen_handle" not in rows[0] and "subject" not in rows[0]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "metrics.export"))
    assert (entry.actor_id, entry.data["figure"], entry.data["rows"], entry.data["personal_data"]) == \
        (user.id, "first_response_late", 1, False)

    client.post("/logout", data={"csrf_token": factories.csrf_token(client.get("/dashboards/").get_data(as_text=True))})
    _login(session, client, "admin")
    rows = _rows(client.get(f"/dashboards/export/tickets.csv?{MARCH}&figure=first_response_late"))
    assert rows[0]["subject"] == "De lantaarnpaal is kapot" and rows[0]["citizen_handle"].startswith("burger")


def test_a_streamed_export_gives_its_connection_back(session, client, data, runtime):
    _login(session, client, "manager")
    session.close()
    response = client.get(f"/dashboards/export/tickets.csv?{MARCH}&figure=tickets_in")
    assert len(_rows(response)) == 2
    assert runtime.engine.pool.checkedout() == 0  # no read transaction left open after the last row


def test_figures_export_per_department(session, client, data):
    _login(session, client, "manager")
    rows = _rows(client.get(f"/dashboards/export/figures.csv?{MARCH}&group_by=department"))
    assert [(r["key"], r["count"], r["first_response_within_sla"]) for r in rows] == [("AFV", "2", "0.5")]
    refused = client.get(f"/dashboards/export/figures.csv?{MARCH}&group_by=colour")
    assert refused.status_code == 400 and "Onbekende indeling." in refused.get_data(as_text=True)
    assert client.get(f"/dashboards/export/tickets.csv?{MARCH}&figure=colour").status_code == 404
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "metrics.export")).data["group_by"] == "department"


def test_now_board_tile_of_open_tickets_is_not_the_verb(session, client, data):
    _login(session, client, "manager")
    html = client.get("/dashboards/now").get_data(as_text=True)
    assert '<h3 class="kpi-label">Open tickets</h3>' in html and ">Openen<" not in html


@pytest.mark.parametrize("query", ["department=999", "category=999", "channel=999", "agent=999"])
def test_an_unknown_filter_id_is_refused_as_an_unknown_value(session, client, data, query):
    _login(session, client, "manager")
    for url in (f"/dashboards/?{query}", f"/dashboards/agents?{query}"):
        response = client.get(url)
        assert response.status_code == 400 and "Onbekende filterwaarde." in response.get_data(as_text=True), url


@pytest.mark.parametrize("query", ["department=999", "channel=999"])
def test_the_now_board_and_the_exports_refuse_an_unknown_filter_id(session, client, data, query):
    """Not every figure or every ticket of the municipality in a file that says it holds one department's."""
    _login(session, client, "manager")
    for url in (f"/dashboards/now?{query}", f"/dashboards/export/figures.csv?{query}",
                f"/dashboards/export/tickets.csv?figure=first_response&{query}"):
        response = client.get(url)
        assert response.status_code == 400 and "Onbekende filterwaarde." in response.get_data(as_text=True), url
