"""The `sla` block of the ticket JSON: target, due, met, breached, paused and level per clock."""

from __future__ import annotations

import re
from datetime import timedelta

from tests import factories as f
from webcare.db import utcnow
from webcare.services import sla
from webcare.services.events import record_event
from webcare.services.users import create_api_token


def test_ticket_json_shows_the_clocks(client, session):
    f.seeded(session)
    agent = f.user(session, "agent")
    _, token = create_api_token(session, agent.email, "test")
    created = utcnow() - timedelta(days=30)  # long ago: first response 3x late, handling too
    ticket = f.ticket(session, created_at=created)
    ticket.category_id = f.category(session, "afval.zwerfvuil").id
    sla.start_clocks(session, [ticket], created)
    record_event(session, ticket, "status_changed", at=created + timedelta(days=29), actor=agent,
                 data={"from": "new", "to": "waiting_citizen", "text": "Welke straat?"})
    sla.recompute(session, ticket)
    session.commit()
    body = client.get(f"/api/v1/tickets/{ticket.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    clocks = body["sla"]
    assert clocks["first_response"]["level"] == "late_3x"
    assert clocks["first_response"]["target"] == {"value": 240, "unit": "business_minutes"}
    assert clocks["first_response"]["breached_at"] == clocks["first_response"]["due_at"]
    assert clocks["handling"]["paused"] is True and clocks["handling"]["level"] == "late_3x"
    assert clocks["handling"]["target"] == {"value": 3, "unit": "working_days"}
    assert clocks["next_response"] == {"target": None, "due_at": None, "met_at": None, "breached_at": None,
                                       "paused": False, "level": "none"}


def test_ticket_page_shows_time_left_in_the_targets_own_time(client, session):
    f.seeded(session)
    agent = f.user(session, "agent")
    ticket = f.ticket(session, created_at=utcnow())
    ticket.category_id = f.category(session, "afval.zwerfvuil").id  # handling: 3 working days
    sla.start_clocks(session, [ticket], ticket.created_at)
    sla.recompute(session, ticket)
    session.commit()
    f.login(client, agent.email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    left = re.findall(r'class="clock-left">([^<]*)<', page)
    assert len(left) == 2 and "kantoortijd" in left[0]  # first response: office hours
    assert re.fullmatch(r"nog \d+ werkdag(en)?", left[1])  # handling: working days, not wall-clock days


def test_a_paused_clock_shows_the_time_left_when_the_pause_began(client, session):
    """Waiting for the citizen for longer than the deadline: the handling clock stands still, so the page
    says what was left when the pause began, as its level does ("Op tijd"), not "... te laat"."""
    f.seeded(session)
    agent = f.user(session, "agent")
    created = utcnow() - timedelta(days=30)
    ticket = f.ticket(session, created_at=created)
    ticket.category_id = f.category(session, "afval.zwerfvuil").id  # handling: 3 working days
    sla.start_clocks(session, [ticket], created)
    record_event(session, ticket, "status_changed", at=created + timedelta(minutes=1), actor=agent,
                 data={"from": "new", "to": "waiting_citizen", "text": "Welke straat?"})
    sla.recompute(session, ticket)
    session.commit()
    f.login(client, agent.email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    handling = re.search(r'<li class="clock clock-(\w+)">\s*<span class="clock-name">Afhandeltermijn.*?'
                         r'class="clock-left">([^<]*)<', page, re.S)
    assert handling.group(1) == "on_time"
    assert re.fullmatch(r"nog \d+ werkdag(en)?", handling.group(2))
