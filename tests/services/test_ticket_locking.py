"""Two people acting on the same ticket at the same moment: the ticket is locked (`access.get_ticket_for(lock=True)`),
so the second one sees what the first did and the workflow refuses a move that is no longer allowed, on SQLite as
on PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.errors import Conflict
from webcare.models import TicketEvent
from webcare.services import access
from webcare.services import ticket_actions as actions


@pytest.fixture
def world(session):
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "agent2": f.user(session, "agent")}
    ticket = f.ticket(session, department_code="KCC")
    session.commit()
    return people, ticket


def _resolve(runtime, person, ticket_id: int, outcome: list[str]) -> None:
    with runtime.session_factory() as session:
        try:
            ticket = access.get_ticket_for(session, person, ticket_id, lock=True)
            actions.change_status(session, ticket, person, "resolved", "Ook afgehandeld")
            session.commit()
            outcome.append("resolved")
        except Conflict:
            session.rollback()
            outcome.append("conflict")


def test_two_agents_resolving_at_once_one_wins(runtime, session, world):
    people, ticket = world
    first = runtime.session_factory()
    mine = access.get_ticket_for(first, people["agent"], ticket.id, lock=True)
    actions.change_status(first, mine, people["agent"], "resolved", "Afgehandeld")
    outcome: list[str] = []
    other = threading.Thread(target=_resolve, args=(runtime, people["agent2"], ticket.id, outcome))
    other.start()
    time.sleep(0.5)  # the second agent's request is under way while the first one's is not committed yet
    first.commit()
    first.close()
    other.join(30)
    assert outcome == ["conflict"]
    moves = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                      TicketEvent.type == "status_changed")).all()
    assert [(e.data["from"], e.data["to"], e.data["text"]) for e in moves] == [("new", "resolved", "Afgehandeld")]
