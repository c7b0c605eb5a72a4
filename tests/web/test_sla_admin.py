"""Admin pages for SLA policies, department feedback targets and calendars."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.models import AuditEntry, BusinessCalendar, ClosingDay, Department, SlaPolicy, Ticket
from webcare.services import sla


@pytest.fixture
def admin(session):
    f.seeded(session)
    user = f.user(session, "admin")
    session.commit()
    return user


def form_token(client, path: str) -> str:
    return f.csrf_token(client.get(path).get_data(as_text=True))


POLICY = {"name": "Standaard", "first_response_dm_minutes": "30", "first_response_public_minutes": "120",
          "next_response_dm_minutes": "30", "next_response_public_minutes": "120",
          "department_feedback_working_days": "2", "at_risk_percent": "75", "calendar_id": "0",
          "is_default": "y", "active": "y"}


def test_only_admins_see_the_pages(client, session, admin):
    agent = f.user(session, "agent")
    session.commit()
    f.login(client, agent.email)
    assert client.get("/admin/sla").status_code == 403
    assert client.get("/admin/calendars").status_code == 403


def test_policy_change_reaches_new_tickets(client, session, admin):
    f.login(client, admin.email)
    policy = session.scalar(select(SlaPolicy))
    path = f"/admin/sla/policies/{policy.id}"
    response = client.post(path, data={**POLICY, "csrf_token": form_token(client, path)})
    assert response.status_code == 302
    session.expire_all()
    assert (policy.first_response_public_minutes, policy.at_risk_percent, policy.calendar_id) == (120, 75, None)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "sla_policy.save"))
    ticket = f.ticket(session)
    sla.start_clocks(session, [ticket])
    assert ticket.sla_targets["response"]["value"] == 120


def test_bad_policy_values_are_refused_and_nothing_changes(client, session, admin):
    f.login(client, admin.email)
    path = "/admin/sla/policies/new"
    token = form_token(client, path)
    response = client.post(path, data={**POLICY, "at_risk_percent": "150", "csrf_token": token})
    assert response.status_code == 400
    duplicate = client.post(path, data={**POLICY, "csrf_token": token})  # name taken by the seeded policy
    html = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 409 and "Er is al een SLA-beleid met deze naam." in html
    assert "already a policy" not in html and 'value="Standaard"' in html
    assert len(session.scalars(select(SlaPolicy)).all()) == 1


def test_department_feedback_targets(client, session, admin):
    f.login(client, admin.email)
    ow = f.department(session, "OW")
    calendar = session.scalar(select(BusinessCalendar))
    token = form_token(client, "/admin/sla")
    response = client.post("/admin/sla/departments", data={"csrf_token": token, f"days-{ow.id}": "3",
                                                            f"calendar-{ow.id}": str(calendar.id)})
    assert response.status_code == 302
    session.expire_all()
    assert (session.get(Department, ow.id).feedback_working_days, session.get(Department, ow.id).calendar_id) == \
        (3, calendar.id)
    client.post("/admin/sla/departments", data={"csrf_token": token, f"days-{ow.id}": "900"})
    session.expire_all()
    assert session.get(Department, ow.id).feedback_working_days == 3


def test_calendar_hours_and_closing_days(client, session, admin):
    f.login(client, admin.email)
    calendar = session.scalar(select(BusinessCalendar))
    ticket = f.ticket(session)
    session.commit()
    path = f"/admin/calendars/{calendar.id}"
    page = client.get(path).get_data(as_text=True)
    assert "08:30-17:00" in page and "Koningsdag" in page
    token = f.csrf_token(page)
    hours = {"name": calendar.name, "timezone": "Europe/Amsterdam", "mon": "08:30-12:00, 13:00-17:00",
             "tue": "08:30-17:00", "wed": "08:30-17:00", "thu": "08:30-17:00", "fri": "08:30-17:00",
             "sat": "10:00-14:00", "sun": "", "statutory_holidays": "y", "is_default": "y", "csrf_token": token}
    assert client.post(path, data=hours).status_code == 302
    session.expire_all()
    assert session.get(BusinessCalendar, calendar.id).opening_hours["sat"] == [["10:00", "14:00"]]
    assert session.get(Ticket, ticket.id).sla_check_at is not None  # running clocks follow the calendar
    bad = client.post(path, data={**hours, "tue": "08:30 tot 17:00"})
    assert bad.status_code == 400 and "08:30-17:00" in bad.get_data(as_text=True)
    day = {"day": "2025-05-30", "name": "Brugdag na Hemelvaart", "csrf_token": token}
    assert client.post(f"{path}/closing-days", data=day).status_code == 302
    client.post(f"{path}/closing-days", data=day)  # the same day again: refused with a message
    closing = session.scalars(select(ClosingDay)).all()
    assert [(c.day, c.name) for c in closing] == [(date(2025, 5, 30), "Brugdag na Hemelvaart")]
    assert client.post(f"{path}/closing-days/{closing[0].id}/delete", data={"csrf_token": token}).status_code == 302
    assert session.scalars(select(ClosingDay)).all() == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"mon": "08:30-25:00"}, "&#39;25:00&#39; is geen tijdstip: schrijf UU:MM, van 00:00 tot en met 24:00."),
    ({"tue": "17:00-08:30"}, "Dinsdag: 17:00-08:30 eindigt niet na het begin."),
    ({"wed": "banaan"}, "Woensdag: schrijf een tijdvak als 08:30-17:00 (niet &#39;banaan&#39;)."),
    ({"thu": "08:00-12:00, 11:00-17:00"}, "Donderdag: de openingstijden overlappen elkaar."),
    ({"timezone": "Mars/Olympus"}, "Onbekende tijdzone &#39;Mars/Olympus&#39;"),
])
def test_calendar_refusals_are_in_dutch_and_keep_the_specifics(client, session, admin, changes, message):
    f.login(client, admin.email)
    calendar = session.scalar(select(BusinessCalendar))
    path = f"/admin/calendars/{calendar.id}"
    hours = {"name": calendar.name, "timezone": "Europe/Amsterdam", "mon": "08:30-17:00", "tue": "08:30-17:00",
             "wed": "08:30-17:00", "thu": "08:30-17:00", "fri": "08:30-17:00", "sat": "", "sun": "",
             "csrf_token": form_token(client, path)}
    response = client.post(path, data={**hours, **changes})
    html = response.get_data(as_text=True)
    if "field-error" not in html:  # a refusal without a field is flashed: shown on the next page
        html += client.get(path).get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "is not a time of day" not in html and "does not end" not in html and "unknown time zone" not in html


def test_a_closing_day_twice_is_refused_in_dutch(client, session, admin):
    f.login(client, admin.email)
    calendar = session.scalar(select(BusinessCalendar))
    path = f"/admin/calendars/{calendar.id}"
    day = {"day": "2026-12-24", "name": "Kerstavond", "csrf_token": form_token(client, path)}
    assert client.post(f"{path}/closing-days", data=day).status_code == 302
    client.get(path)  # the success message
    client.post(f"{path}/closing-days", data=day)
    html = client.get(path).get_data(as_text=True)
    assert f"2026-12-24 is al een sluitingsdag van {calendar.name}." in html and "already a closing day" not in html
