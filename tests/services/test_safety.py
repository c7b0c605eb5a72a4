"""Threats: the safety team (VB) is told at once and exactly once; the safety net catches what was missed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from tests import factories as f
from webcare.db import utcnow
from webcare.models import Notification, TicketEvent
from webcare.queue import QUEUE_DEFAULT
from webcare.services import safety
from workers.heartbeat import BeatingWorker


@pytest.fixture
def team(session):
    f.seeded(session)
    members = [f.user(session, "department", ("VB",)), f.user(session, "department", ("VB", "HH"))]
    outsider = f.user(session, "department", ("OW",))
    admin = f.user(session, "admin")
    session.commit()
    return members, outsider, admin


def _notifications(session, ticket_id=None):
    statement = select(Notification).order_by(Notification.user_id)
    if ticket_id is not None:
        statement = statement.where(Notification.ticket_id == ticket_id)
    return session.scalars(statement).all()


def test_flagged_ticket_notifies_the_safety_team_once(session, team, redis):
    members, outsider, _admin = team
    ticket = f.ticket(session, department_code="VB", threat=True, text="Ik weet waar je woont")
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe("webcare:events")
    made = safety.on_threat_flagged(session, ticket)
    session.commit()
    assert sorted(n.user_id for n in made) == sorted(m.id for m in members)
    assert outsider.id not in {n.user_id for n in _notifications(session)}
    note = _notifications(session, ticket.id)[0]
    assert note.kind == "threat" and f"ticket {ticket.id}" in note.text and "Bedreiging" in note.text  # Dutch
    event = session.scalar(select(TicketEvent).where(TicketEvent.type == "safety_notified"))
    assert event.data == {"user_ids": sorted(m.id for m in members)}
    published = [pubsub.get_message(timeout=1) for _ in range(3)]
    assert any(m and '"notification"' in m["data"].decode() for m in published)
    pubsub.close()
    assert safety.on_threat_flagged(session, ticket) == []  # idempotent
    session.commit()
    assert len(_notifications(session, ticket.id)) == 2


def test_a_threat_the_rules_missed_is_flagged_by_hand(session, team, redis):
    members, outsider, _admin = team
    agent = f.user(session, "agent")
    ticket = f.ticket(session, department_code="OW", text="Dan weet ik die wethouder wel te vinden")
    session.commit()
    assert not safety.may_report(outsider) and safety.may_report(members[0]) and safety.may_report(agent)
    safety.flag_by_hand(session, ticket, agent)
    session.commit()
    assert ticket.threat and ticket.priority == "urgent" and ticket.department.code == "OW"
    assert sorted(n.user_id for n in _notifications(session, ticket.id)) == sorted(m.id for m in members)
    types = session.scalars(select(TicketEvent.type).where(TicketEvent.ticket_id == ticket.id)
                            .order_by(TicketEvent.id)).all()
    assert types == ["threat_flagged", "priority_changed", "safety_notified"]
    flagged = session.scalar(select(TicketEvent).where(TicketEvent.type == "threat_flagged"))
    assert flagged.actor_id == agent.id
    safety.flag_by_hand(session, ticket, agent)  # once flagged, nothing more happens
    session.commit()
    assert len(_notifications(session, ticket.id)) == 2


def test_not_a_threat_notifies_nobody(session, team):
    ticket = f.ticket(session, department_code="OW")
    assert safety.on_threat_flagged(session, ticket) == []
    assert _notifications(session) == []


def test_without_safety_team_members_the_administrators_are_told(session):
    f.seeded(session)
    admin = f.user(session, "admin")
    ticket = f.ticket(session, department_code="VB", threat=True)
    made = safety.on_threat_flagged(session, ticket)
    assert [n.user_id for n in made] == [admin.id]


def test_safety_net_job_announces_flagged_tickets_that_were_missed(session, team, redis):
    members, _outsider, _admin = team
    missed = f.ticket(session, department_code="VB", threat=True)
    announced = f.ticket(session, department_code="VB", threat=True)
    old = f.ticket(session, department_code="VB", threat=True, created_at=utcnow() - timedelta(days=30))
    f.ticket(session, department_code="OW")
    safety.on_threat_flagged(session, announced)
    session.commit()
    assert safety.unannounced_threat_ids(session) == [missed.id]  # not the old one, not the announced one
    for _ in range(2):  # two runs (or two schedulers) announce once
        Queue(QUEUE_DEFAULT, connection=redis).enqueue("workers.safety.announce_flagged_threats")
        BeatingWorker([Queue(QUEUE_DEFAULT, connection=redis)], connection=redis).work(burst=True)
    assert sorted(n.user_id for n in _notifications(session, missed.id)) == sorted(m.id for m in members)
    assert len(_notifications(session, announced.id)) == 2
    assert _notifications(session, old.id) == []
    count = select(func.count()).select_from(TicketEvent).where(TicketEvent.type == "safety_notified")
    assert session.scalar(count) == 2
