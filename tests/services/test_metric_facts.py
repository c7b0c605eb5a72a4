"""Metric facts: every clock run of a ticket, replayed from its events by the SLA engine's hook.

Calendar: Monday-Friday 08:30-17:00 (Europe/Amsterdam) with the holidays; public target 4 business hours,
department feedback 1 working day, zwerfvuil handling 3 working days. Times worked out by hand.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests import factories
from webcare.models import MetricFact, Ticket
from webcare.services import sla
from webcare.services.events import record_event

REPLY = {"automatic": False, "visibility": "public", "message_id": 1}


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def world(session):
    factories.seeded(session)
    people = {"agent": factories.user(session, "agent", departments=("KCC",)),
              "AFV": factories.user(session, "department", departments=("AFV",)),
              "OW": factories.user(session, "department", departments=("OW",))}
    session.commit()
    return people


def make(session, world, created: str, events=(), category: str | None = "afval.zwerfvuil") -> Ticket:
    ticket = factories.ticket(session, created_at=t(created))
    if category:
        found = factories.category(session, category)
        ticket.category_id, ticket.department_id = found.id, found.department_id
    session.flush()
    for kind, at, data, who, dept in events:
        department = factories.department(session, dept) if dept else None
        record_event(session, ticket, kind, at=t(at), data=data, actor=world[who] if who else None,
                     department_id=department.id if department else None)
        if kind == "status_changed":
            ticket.status = data["to"]
    return ticket


def facts(session, ticket) -> dict[tuple[str, int], MetricFact]:
    session.flush()
    rows = session.scalars(select(MetricFact).where(MetricFact.ticket_id == ticket.id))
    return {(f.kind, f.seq): f for f in rows}


def test_every_wait_and_hand_off_is_a_run(session, world):
    ticket = make(session, world, "2025-03-07T16:00+01:00", [
        ("reply_sent", "2025-03-10T11:00+01:00", REPLY, "agent", None),      # first response 3.5 bh, on time
        ("message_in", "2025-03-10T12:00+01:00", {"message_id": 2}, None, None),
        ("reply_sent", "2025-03-10T13:00+01:00", REPLY, "agent", None),      # wait 1 h
        ("message_in", "2025-03-10T14:00+01:00", {"message_id": 3}, None, None),
        ("message_in", "2025-03-10T14:30+01:00", {"message_id": 4}, None, None),  # does not restart the wait
        ("reply_sent", "2025-03-11T13:00+01:00", REPLY, "agent", None),      # wait 3 h + 4.5 h = 7.5 bh, late
        ("handoff", "2025-03-11T13:10+01:00", {}, "agent", "OW"),
        ("rerouted", "2025-03-11T15:00+01:00", {}, "agent", "AFV"),          # the OW hand-off ends unmet
        ("feedback", "2025-03-12T09:00+01:00", {}, "AFV", "AFV"),            # 2 h + 0.5 h = 2.5 bh
        ("status_changed", "2025-03-12T10:00+01:00", {"from": "open", "to": "resolved", "text": "x"}, "agent", None),
    ])
    sla.recompute(session, ticket, t("2025-03-20T10:00+01:00"))
    found = facts(session, ticket)
    assert sorted(found) == [("department_feedback", 0), ("department_feedback", 1), ("first_response", 0),
                             ("handling", 0), ("next_response", 0), ("next_response", 1), ("ticket", 0)]
    first = found["first_response", 0]
    assert (first.result, first.business_seconds, first.wall_seconds, first.agent_id) == \
        ("on_time", 12600, 67 * 3600, world["agent"].id)
    assert (first.start_day, first.start_week, first.end_day) == (date(2025, 3, 7), date(2025, 3, 3), date(2025, 3, 10))
    waits = found["next_response", 0], found["next_response", 1]
    assert [(w.result, w.business_seconds, w.wall_seconds) for w in waits] == \
        [("on_time", 3600, 3600), ("late", 27000, 23 * 3600)]
    ow, afv = found["department_feedback", 0], found["department_feedback", 1]
    assert (ow.department_id, ow.result, ow.business_seconds, ow.ended_at) == \
        (factories.department(session, "OW").id, "none", None, t("2025-03-11T15:00+01:00"))
    assert (afv.department_id, afv.result, afv.business_seconds, afv.agent_id) == \
        (factories.department(session, "AFV").id, "on_time", 9000, world["AFV"].id)
    assert (found["handling", 0].result, found["handling", 0].ended_at) == ("on_time", t("2025-03-12T10:00+01:00"))
    whole = found["ticket", 0]
    assert (whole.result, whole.ended_at, whole.end_day, whole.reopens) == \
        ("resolved", t("2025-03-12T10:00+01:00"), date(2025, 3, 12), 0)


def test_reopen_counts_and_starts_a_wait(session, world):
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("reply_sent", "2025-03-10T09:30+01:00", REPLY, "agent", None),
        ("status_changed", "2025-03-10T10:00+01:00", {"from": "open", "to": "resolved", "text": "x"}, "agent", None),
        ("reopened", "2025-03-11T09:00+01:00", {"message_id": 5}, None, None),
    ])
    ticket.status = "open"
    sla.recompute(session, ticket, t("2025-03-11T10:00+01:00"))
    found = facts(session, ticket)
    assert (found["ticket", 0].result, found["ticket", 0].reopens, found["ticket", 0].ended_at) == ("open", 1, None)
    assert (found["next_response", 0].result, found["next_response", 0].started_at) == ("open", t("2025-03-11T09:00+01:00"))


def test_an_agents_reopen_counts_as_a_reopen_and_starts_a_wait(session, world):
    """resolved -> open by an agent is a reopen as much as a citizen's message: counted (as reopen_count is)
    and waiting for our next response (SLA.md: the wait starts at every reopen)."""
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("reply_sent", "2025-03-10T09:30+01:00", REPLY, "agent", None),
        ("status_changed", "2025-03-10T10:00+01:00", {"from": "open", "to": "resolved", "text": "x"}, "agent", None),
        ("status_changed", "2025-03-11T09:00+01:00", {"from": "resolved", "to": "open", "text": "y"}, "agent", None),
    ])
    ticket.status = "open"
    sla.recompute(session, ticket, t("2025-03-11T10:00+01:00"))
    found = facts(session, ticket)
    assert (found["ticket", 0].result, found["ticket", 0].reopens, found["ticket", 0].ended_at) == ("open", 1, None)
    assert (found["next_response", 0].result, found["next_response", 0].started_at) == ("open", t("2025-03-11T09:00+01:00"))
    assert found["handling", 0].result == "open"  # its original deadline runs again


@pytest.mark.parametrize(("events", "now", "result", "late_3x"), [
    ([], "2025-03-10T12:00+01:00", "open", False),                       # due 13:00, running
    ([], "2025-03-10T13:00+01:00", "late", False),                       # due now: breached while running
    ([], "2025-03-11T13:00+01:00", "late", True),                     # 12 business hours later: 3x late
    ([("status_changed", "2025-03-10T10:00+01:00", {"from": "new", "to": "cancelled", "text": "spam"})],
     "2025-03-12T10:00+01:00", "none", False),                          # stopped unmet before the due time
    ([("status_changed", "2025-03-10T15:00+01:00", {"from": "new", "to": "cancelled", "text": "spam"})],
     "2025-03-12T10:00+01:00", "late", False),                          # stopped unmet after the due time
    ([("reply_sent", "2025-03-11T13:00+01:00", REPLY)], "2025-03-12T10:00+01:00", "late", True),  # met at 300 %
])
def test_first_response_results(session, world, events, now, result, late_3x):
    ticket = make(session, world, "2025-03-10T09:00+01:00",
                  [(kind, at, data, "agent", None) for kind, at, data in events], category=None)
    sla.recompute(session, ticket, t(now))
    first = facts(session, ticket)["first_response", 0]
    assert (first.result, first.late_3x) == (result, late_3x)


@pytest.mark.parametrize(("closing", "result"), [
    ("2025-03-10T10:00+01:00", "none"),  # cancelled within the 3 working days
    ("2025-03-14T10:00+01:00", "late"),  # cancelled after them: late handling, and it is that agent's
])
def test_handling_of_a_cancelled_ticket_is_keyed_by_who_cancelled_it(session, world, closing, result):
    """METRICS.md, Groups: handling and tickets out go to who closed the ticket; a cancel closes it too."""
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("status_changed", closing, {"from": "new", "to": "cancelled", "text": "spam"}, "agent", None)])
    sla.recompute(session, ticket, t("2025-03-20T10:00+01:00"))
    found = facts(session, ticket)
    assert (found["handling", 0].result, found["handling", 0].agent_id) == (result, world["agent"].id)
    assert found["ticket", 0].agent_id == world["agent"].id


@pytest.mark.parametrize(("created", "day", "week"), [
    ("2025-03-09T23:30+00:00", date(2025, 3, 10), date(2025, 3, 10)),  # Monday 00:30 in Amsterdam
    ("2025-03-29T23:30+00:00", date(2025, 3, 30), date(2025, 3, 24)),  # the night summer time starts
    ("2025-10-25T22:30+00:00", date(2025, 10, 26), date(2025, 10, 20)),  # Sunday 00:30 CEST, winter time that night
    ("2025-06-30T21:59+00:00", date(2025, 6, 30), date(2025, 6, 30)),  # 23:59 summer time
])
def test_days_and_weeks_are_local(session, world, created, day, week):
    ticket = make(session, world, created, category=None)
    sla.recompute(session, ticket, t(created))
    first = facts(session, ticket)["first_response", 0]
    assert (first.start_day, first.start_week) == (day, week)


def test_replaying_again_changes_nothing(session, world):
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("reply_sent", "2025-03-10T09:30+01:00", REPLY, "agent", None),
        ("message_in", "2025-03-10T10:00+01:00", {"message_id": 2}, None, None)])
    sla.recompute(session, ticket, t("2025-03-10T11:00+01:00"))
    session.commit()
    # the same row objects: a fact replaced (deleted and added again under its key) would be another object
    before = {key: (f, f.result, f.business_seconds) for key, f in facts(session, ticket).items()}
    sla.recompute(session, ticket, t("2025-03-10T11:00+01:00"))
    assert not [row for row in session.dirty if isinstance(row, MetricFact)]
    assert {key: (f, f.result, f.business_seconds) for key, f in facts(session, ticket).items()} == before


def test_rebuild_recomputes_the_facts_from_the_events(session, world, cli):
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("reply_sent", "2025-03-10T09:30+01:00", REPLY, "agent", None),
        ("message_in", "2025-03-10T10:00+01:00", {"message_id": 2}, None, None),
        ("reply_sent", "2025-03-10T10:20+01:00", REPLY, "agent", None)], category=None)  # nothing left running
    sla.recompute(session, ticket, t("2025-03-10T11:00+01:00"))
    session.commit()
    before = {key: (f.result, f.business_seconds, f.started_at.timestamp()) for key, f in facts(session, ticket).items()}
    session.execute(MetricFact.__table__.delete())
    session.commit()
    result = cli("metrics", "rebuild", "--since", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert '"tickets": 1' in result.output
    session.expire_all()
    assert {key: (f.result, f.business_seconds, f.started_at.timestamp()) for key, f in facts(session, ticket).items()} == before
    assert cli("metrics", "rebuild", "--since", "yesterday").exit_code == 2
