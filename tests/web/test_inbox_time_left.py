"""A clock's time left reads the same on the inbox list, the department page and the ticket page: in the
target's own time (`services.sla_left`), not wall time in the lists and office time on the ticket page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories as f
from webcare.services import calendars, department_view, sla, sla_left, ticket_view
from webcare.services.events import record_event
from webcare.web import ticket_format

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 4, 16, 0, tzinfo=AMS)  # Friday 16:00
REPLY = {"automatic": False, "visibility": "public", "message_id": 1}


@pytest.fixture
def friday(monkeypatch):
    """Every page reads the time at Friday 16:00."""
    for module in (sla_left, department_view, ticket_view, ticket_format):
        monkeypatch.setattr(module, "utcnow", lambda: NOW, raising=False)


@pytest.fixture
def world(session, friday):
    """Two tickets of OW, both due Monday 7 Dec 10:00: one on a response target of 4 business hours (asked
    Friday 14:30), one on a handling target of 3 working days (asked Wednesday 10:00, answered at 11:00)."""
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "ow": f.user(session, "department", ("OW",))}
    response = f.ticket(session, department_code="OW", created_at=datetime(2026, 12, 4, 14, 30, tzinfo=AMS),
                        text="Losse stoeptegel bij de school")
    handling = f.ticket(session, department_code="OW", created_at=datetime(2026, 12, 2, 10, 0, tzinfo=AMS),
                        text="Zwerfvuil in het park", category_id=f.category(session, "afval.zwerfvuil").id)
    sla.start_clocks(session, [response, handling], NOW)
    record_event(session, handling, "reply_sent", at=datetime(2026, 12, 2, 11, 0, tzinfo=AMS), data=REPLY,
                 actor=people["agent"])
    for ticket in (response, handling):
        sla.recompute(session, ticket, NOW)
    session.commit()
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=AMS)
    assert response.next_due_at == response.first_response_due_at == monday
    assert handling.next_due_at == handling.handling_due_at == monday
    return people, {"response": response, "handling": handling}


def row_badge(page: str, ticket_id: int) -> str:
    match = re.search(rf'data-ticket-id="{ticket_id}".*?<span class="badge level-\w+"[^>]*>([^<]*)</span>', page, re.S)
    assert match, ticket_id
    return match.group(1)


def clock_left(page: str, name: str) -> str:
    match = re.search(rf'<span class="clock-name">{name}</span>.*?class="clock-left">([^<]*)<', page, re.S)
    assert match, name
    return match.group(1)


def test_the_inbox_list_says_what_the_ticket_page_says(client, world):
    people, tickets = world
    f.login(client, people["agent"].email)
    rows = client.get("/inbox?fragment=rows").get_data(as_text=True)
    response = client.get(f"/tickets/{tickets['response'].id}").get_data(as_text=True)
    handling = client.get(f"/tickets/{tickets['handling'].id}").get_data(as_text=True)
    # Friday 16:00 to Monday 10:00: 1 h on Friday and 1.5 h on Monday in office time, not "nog 3 dagen"
    assert row_badge(rows, tickets["response"].id) == clock_left(response, "Eerste reactie") == "nog 2 uur kantoortijd"
    # the weekend is no working day: Monday until 10:00 is the one left
    assert row_badge(rows, tickets["handling"].id) == clock_left(handling, "Afhandeltermijn") == "nog 1 werkdag"


def test_the_department_page_says_what_the_ticket_page_says(client, world):
    people, tickets = world
    f.login(client, people["ow"].email)
    page = client.get("/department").get_data(as_text=True)
    response = client.get(f"/tickets/{tickets['response'].id}").get_data(as_text=True)
    handling = client.get(f"/tickets/{tickets['handling'].id}").get_data(as_text=True)
    assert row_badge(page, tickets["response"].id) == clock_left(response, "Eerste reactie") == "nog 2 uur kantoortijd"
    assert row_badge(page, tickets["handling"].id) == clock_left(handling, "Afhandeltermijn") == "nog 1 werkdag"


def test_the_lists_keep_their_order_by_next_due_at(client, world, session):
    people, tickets = world
    tickets["handling"].next_due_at -= timedelta(minutes=1)  # due first, whatever the texts say
    session.commit()
    f.login(client, people["agent"].email)
    rows = client.get("/inbox?fragment=rows").get_data(as_text=True)
    assert rows.index(f'data-ticket-id="{tickets["handling"].id}"') < rows.index(f'data-ticket-id="{tickets["response"].id}"')


def test_the_inbox_keeps_the_calendars_while_nothing_was_written(client, world, session, monkeypatch):
    """No calendar query per page once they were loaded: kept per process under the write stamp, like the rows."""
    people, tickets = world
    f.login(client, people["agent"].email)
    assert "nog 1 werkdag" in client.get("/inbox?fragment=rows").get_data(as_text=True)
    loads = []
    real_lookup = calendars.lookup
    monkeypatch.setattr(calendars, "lookup", lambda s: loads.append(1) or real_lookup(s))
    assert "nog 1 werkdag" in client.get("/inbox?fragment=rows&sort=newest").get_data(as_text=True)  # other rows
    assert loads == []
    tickets["response"].priority = "high"  # a write through Webcare: a new stamp
    session.commit()
    assert "nog 1 werkdag" in client.get("/inbox?fragment=rows").get_data(as_text=True)
    assert loads == [1]
