"""The SLA clocks recomputed from a ticket's events, table-driven; expected times worked out by hand.

Default policy: first/next response 4 business hours public, 1 business hour DM; department feedback 1
working day; handling from the category. Calendar: Monday-Friday 08:30-17:00 with the holidays.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from tests import factories
from webcare.models import SlaPolicy, Ticket
from webcare.services import sla, sla_cache
from webcare.services.events import record_event
from webcare.services.sla_state import clocks_of


def t(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@pytest.fixture
def world(session):
    factories.seeded(session)
    agent = factories.user(session, "agent", departments=("KCC",))
    afv = factories.user(session, "department", departments=("AFV",))
    session.commit()
    return {"agent": agent, "AFV": afv}


def make(session, world, created: str, events=(), *, category: str | None = None, dm: bool = False,
         status: str = "new") -> Ticket:
    ticket = factories.ticket(session, created_at=t(created), status=status)
    if dm:
        ticket.kind, ticket.visibility = "dm", "private"
    if category:
        found = factories.category(session, category)
        ticket.category_id, ticket.department_id = found.id, found.department_id
    session.flush()
    for kind, at, *rest in events:
        data, who, dept = (rest + [{}, None, None])[:3] if rest else ({}, None, None)
        department = factories.department(session, dept) if dept else None
        record_event(session, ticket, kind, at=t(at), data=data or {}, actor=world.get(who) if who else None,
                     department_id=department.id if department else None)
    return ticket


def check(ticket: Ticket, clock: str, now: str, due: str | None, met: str | None, breached: str | None, level: str):
    state = clocks_of(ticket, t(now))[clock]
    assert (state["due_at"], state["met_at"], state["breached_at"], state["level"]) == (t(due), t(met), t(breached), level)


REPLY = {"automatic": False, "visibility": "public", "message_id": 1}

# created, events, now, (due, met, breached, level) -- first response, public (4 business hours)
FIRST_RESPONSE = [
    ("weekend-spanning, on time", "2025-03-07T16:00+01:00", [], "2025-03-10T10:00+01:00",
     ("2025-03-10T11:30+01:00", None, None, "on_time")),
    ("at risk at 80 % (3h12m of business time)", "2025-03-07T16:00+01:00", [], "2025-03-10T10:42+01:00",
     ("2025-03-10T11:30+01:00", None, None, "at_risk")),
    ("breached at 100 %", "2025-03-07T16:00+01:00", [], "2025-03-10T11:30+01:00",
     ("2025-03-10T11:30+01:00", None, "2025-03-10T11:30+01:00", "breached")),
    ("3x late at 300 % (12 business hours)", "2025-03-07T16:00+01:00", [], "2025-03-11T11:00+01:00",
     ("2025-03-10T11:30+01:00", None, "2025-03-10T11:30+01:00", "late_3x")),
    ("reply accepted in time", "2025-03-07T16:00+01:00", [("reply_sent", "2025-03-10T11:00+01:00", REPLY, "agent")],
     "2025-03-12T10:00+01:00", ("2025-03-10T11:30+01:00", "2025-03-10T11:00+01:00", None, "met")),
    ("late reply", "2025-03-07T16:00+01:00", [("reply_sent", "2025-03-10T12:00+01:00", REPLY, "agent")],
     "2025-03-12T10:00+01:00", ("2025-03-10T11:30+01:00", "2025-03-10T12:00+01:00", "2025-03-10T11:30+01:00", "met")),
    ("a refused reply does not stop the clock", "2025-03-07T16:00+01:00",
     [("reply_queued", "2025-03-10T09:00+01:00", REPLY, "agent"),
      ("reply_failed", "2025-03-10T09:01+01:00", {"message_id": 1, "error": "403", "permanent": True})],
     "2025-03-10T11:00+01:00", ("2025-03-10T11:30+01:00", None, None, "at_risk")),
    ("automatic acknowledgements do not count", "2025-03-07T16:00+01:00",
     [("auto_ack_sent", "2025-03-07T16:01+01:00", {"message_id": 2}),
      ("reply_sent", "2025-03-07T16:01+01:00", {"automatic": True, "message_id": 2})],
     "2025-03-10T09:00+01:00", ("2025-03-10T11:30+01:00", None, None, "on_time")),
    ("cancelled unanswered before the due time", "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-10T10:00+01:00", {"from": "new", "to": "cancelled", "text": "spam"}, "agent")],
     "2025-03-12T10:00+01:00", ("2025-03-10T13:00+01:00", None, None, "none")),
    ("resolved unanswered after the due time", "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-10T14:00+01:00", {"from": "new", "to": "resolved", "text": "done"}, "agent")],
     "2025-03-12T10:00+01:00", ("2025-03-10T13:00+01:00", None, "2025-03-10T13:00+01:00", "breached")),
]


@pytest.mark.parametrize("why, created, events, now, expected", FIRST_RESPONSE, ids=[c[0] for c in FIRST_RESPONSE])
def test_first_response(session, world, why, created, events, now, expected):
    ticket = make(session, world, created, events)
    sla.recompute(session, ticket, t(now))
    check(ticket, "first_response", now, *expected)


def test_a_clock_read_after_its_due_time_shows_it_breached_before_the_sweep_came_by(session, world):
    """The level is read at the moment asked; `breached_at` (the due time once the clock went past it) must say
    the same, not wait for the next recompute."""
    ticket = make(session, world, "2025-03-07T16:00+01:00")
    sla.recompute(session, ticket, t("2025-03-07T16:00+01:00"))
    check(ticket, "first_response", "2025-03-10T11:30+01:00", "2025-03-10T11:30+01:00", None,
          "2025-03-10T11:30+01:00", "breached")


@pytest.mark.parametrize("created, category, due", [
    ("2025-03-10T16:30+01:00", None, "2025-03-11T09:00+01:00"),        # DM: 1 business hour
    ("2025-03-10T10:00+01:00", "bedreiging", "2025-03-10T11:00+01:00"),  # threat category: 1 business hour
])
def test_dm_and_threat_targets(session, world, created, category, due):
    ticket = make(session, world, created, dm=category is None, category=category)
    sla.recompute(session, ticket, t(created))
    assert ticket.first_response_due_at == t(due)
    assert ticket.sla_targets["response"]["value"] == 60


def test_next_response_waits(session, world):
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("reply_sent", "2025-03-10T10:00+01:00", REPLY, "agent"),
        ("message_in", "2025-03-10T16:00+01:00", {"message_id": 5}),
        ("message_in", "2025-03-10T16:30+01:00", {"message_id": 6}),  # the wait already runs
    ])
    sla.recompute(session, ticket, t("2025-03-11T09:00+01:00"))
    assert ticket.next_response_started_at == t("2025-03-10T16:00+01:00")
    check(ticket, "next_response", "2025-03-11T09:00+01:00", "2025-03-11T11:30+01:00", None, None, "on_time")
    assert ticket.next_due_at == t("2025-03-11T11:30+01:00")
    record_event(session, ticket, "reply_sent", at=t("2025-03-11T11:00+01:00"), data=REPLY, actor=world["agent"])
    record_event(session, ticket, "message_in", at=t("2025-03-11T14:00+01:00"), data={"message_id": 7})
    sla.recompute(session, ticket, t("2025-03-11T14:00+01:00"))
    check(ticket, "next_response", "2025-03-11T14:00+01:00", "2025-03-12T09:30+01:00", None, None, "on_time")


def test_next_response_takes_the_policys_next_response_target(session, world):
    """Admin -> SLA sets the next-response targets apart from the first response's; the wait follows them
    (it kept the first response's 4 hours, whatever the policy said). A category's own target applies to both."""
    policy = session.scalar(select(SlaPolicy))
    policy.next_response_public_minutes = 120
    session.flush()
    sla_cache.forget_cache(session)
    events = [("reply_sent", "2025-03-10T10:00+01:00", REPLY, "agent"), ("message_in", "2025-03-10T16:00+01:00", {})]
    ticket = make(session, world, "2025-03-10T09:00+01:00", events)
    sla.recompute(session, ticket, t("2025-03-10T16:00+01:00"))
    assert ticket.first_response_due_at == t("2025-03-10T13:00+01:00")
    check(ticket, "next_response", "2025-03-10T16:00+01:00", "2025-03-11T09:30+01:00", None, None, "on_time")
    assert clocks_of(ticket, t("2025-03-10T16:00+01:00"))["next_response"]["target"] == \
        {"value": 120, "unit": "business_minutes"}
    threat = make(session, world, "2025-03-10T09:00+01:00", events, category="bedreiging")
    sla.recompute(session, threat, t("2025-03-10T16:00+01:00"))
    check(threat, "next_response", "2025-03-10T16:00+01:00", "2025-03-10T17:00+01:00", None, None, "on_time")


def test_department_feedback(session, world):
    handoff = ("handoff", "2025-03-10T10:00+01:00", {"to_department": "AFV"}, "agent", "AFV")
    ticket = make(session, world, "2025-03-10T09:00+01:00", [handoff], category="afval.zwerfvuil")
    sla.recompute(session, ticket, t("2025-03-10T10:00+01:00"))
    assert ticket.department_feedback_started_at == t("2025-03-10T10:00+01:00")
    check(ticket, "department_feedback", "2025-03-10T10:00+01:00", "2025-03-11T10:00+01:00", None, None, "on_time")
    # 80 % of one working day (8.5 h) is 6h48m after 10:00 -> 16:48
    check(ticket, "department_feedback", "2025-03-10T16:48+01:00", "2025-03-11T10:00+01:00", None, None, "at_risk")
    record_event(session, ticket, "feedback", at=t("2025-03-11T09:00+01:00"), data={"note_id": 1},
                 actor=world["AFV"], department_id=factories.department(session, "AFV").id)
    sla.recompute(session, ticket, t("2025-03-11T09:00+01:00"))
    check(ticket, "department_feedback", "2025-03-11T09:00+01:00", "2025-03-11T10:00+01:00",
          "2025-03-11T09:00+01:00", None, "met")


@pytest.mark.parametrize("why, answer, met, level", [
    ("a reply by a member of the department counts", ("reply_sent", REPLY, "AFV"), True, "met"),
    ("a status change by the department counts",
     ("status_changed", {"from": "with_department", "to": "open"}, "AFV"), True, "met"),
    ("webcare taking the ticket back withdraws the clock",
     ("status_changed", {"from": "with_department", "to": "open"}, "agent"), False, "none"),
    ("a reply by webcare is not the department's feedback", ("reply_sent", REPLY, "agent"), False, "on_time"),
])
def test_what_counts_as_department_feedback(session, world, why, answer, met, level):
    kind, data, who = answer
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("handoff", "2025-03-10T10:00+01:00", {}, "agent", "AFV"),
        ("status_changed", "2025-03-10T10:00+01:00", {"from": "new", "to": "with_department"}, "agent"),
        (kind, "2025-03-10T15:00+01:00", data, who),
    ], category="afval.zwerfvuil")
    sla.recompute(session, ticket, t("2025-03-10T15:30+01:00"))
    assert ticket.department_feedback_met_at == (t("2025-03-10T15:00+01:00") if met else None), why
    assert clocks_of(ticket, t("2025-03-10T15:30+01:00"))["department_feedback"]["level"] == level, why


def test_feedback_target_and_calendar_of_the_department(session, world):
    afv = factories.department(session, "AFV")
    afv.feedback_working_days = 2
    ticket = make(session, world, "2025-03-10T09:00+01:00", [("handoff", "2025-03-10T10:00+01:00", {}, "agent", "AFV")])
    sla.recompute(session, ticket, t("2025-03-10T10:00+01:00"))
    assert ticket.department_feedback_due_at == t("2025-03-12T10:00+01:00")
    assert ticket.sla_targets["department_feedback"]["value"] == 2


HANDLING = [
    ("3 working days", "afval.zwerfvuil", "2025-03-10T09:00+01:00", [], "2025-03-11T09:00+01:00",
     ("2025-03-13T09:00+01:00", None, None, "on_time")),
    ("21 calendar days over the DST switch", "wegen.brug", "2025-03-10T10:00+01:00", [], "2025-03-20T10:00+01:00",
     ("2025-03-31T10:00+02:00", None, None, "on_time")),
    ("calendar days at risk after 80 % of the wall time (16.8 days)", "wegen.brug", "2025-03-10T10:00+01:00", [],
     "2025-03-27T06:00+01:00", ("2025-03-31T10:00+02:00", None, None, "at_risk")),
    ("resolved in time", "afval.zwerfvuil", "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-12T11:00+01:00", {"from": "open", "to": "resolved", "text": "opgeruimd"}, "agent")],
     "2025-03-20T10:00+01:00", ("2025-03-13T09:00+01:00", "2025-03-12T11:00+01:00", None, "met")),
    ("forwarded externally stops handling", "afval.zwerfvuil", "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-14T11:00+01:00", {"from": "open", "to": "forwarded_external", "text": "politie"}, "agent")],
     "2025-03-20T10:00+01:00",
     ("2025-03-13T09:00+01:00", "2025-03-14T11:00+01:00", "2025-03-13T09:00+01:00", "met")),
    ("no category, no handling clock", None, "2025-03-10T09:00+01:00", [], "2025-03-11T09:00+01:00",
     (None, None, None, "none")),
    ("resolving a ticket forwarded in time does not make handling late", "afval.zwerfvuil",
     "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-11T11:00+01:00", {"from": "open", "to": "forwarded_external", "text": "ProRail"},
       "agent"),
      ("status_changed", "2025-03-24T11:00+01:00", {"from": "forwarded_external", "to": "resolved",
                                                    "text": "ProRail heeft het opgeruimd"}, "agent")],
     "2025-03-25T10:00+01:00", ("2025-03-13T09:00+01:00", "2025-03-11T11:00+01:00", None, "met")),
    ("cancelling a forwarded ticket keeps handling met", "afval.zwerfvuil", "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-11T11:00+01:00", {"from": "open", "to": "forwarded_external", "text": "politie"},
       "agent"),
      ("status_changed", "2025-03-24T11:00+01:00", {"from": "forwarded_external", "to": "cancelled",
                                                    "text": "niet voor ons"}, "agent")],
     "2025-03-25T10:00+01:00", ("2025-03-13T09:00+01:00", "2025-03-11T11:00+01:00", None, "met")),
    ("back from the external party: handling runs again to its deadline", "afval.zwerfvuil",
     "2025-03-10T09:00+01:00",
     [("status_changed", "2025-03-11T11:00+01:00", {"from": "open", "to": "forwarded_external", "text": "ProRail"},
       "agent"),
      ("status_changed", "2025-03-12T11:00+01:00", {"from": "forwarded_external", "to": "open", "text": ""}, "agent"),
      ("status_changed", "2025-03-24T11:00+01:00", {"from": "open", "to": "resolved", "text": "opgeruimd"}, "agent")],
     "2025-03-25T10:00+01:00",
     ("2025-03-13T09:00+01:00", "2025-03-24T11:00+01:00", "2025-03-13T09:00+01:00", "met")),
]


@pytest.mark.parametrize("why, category, created, events, now, expected", HANDLING, ids=[c[0] for c in HANDLING])
def test_handling(session, world, why, category, created, events, now, expected):
    ticket = make(session, world, created, events, category=category)
    sla.recompute(session, ticket, t(now))
    check(ticket, "handling", now, *expected)


def test_pause_and_resume_across_easter(session, world):
    """Created Tue 15 April 2025 10:00, 3 working days: Wed 16, Thu 17, (Goede Vrijdag, weekend, Tweede
    Paasdag) Tue 22 -> due Tue 22 April 10:00. Waiting for the citizen from Thu 17 15:00 to Tue 22 11:00 is
    2h + 2.5h = 4.5 business hours, so the due moves to Tue 22 April 14:30."""
    ticket = make(session, world, "2025-04-15T10:00+02:00", [
        ("reply_sent", "2025-04-15T11:00+02:00", REPLY, "agent"),
        ("status_changed", "2025-04-17T15:00+02:00", {"from": "open", "to": "waiting_citizen", "text": "?"}, "agent"),
    ], category="afval.zwerfvuil")
    sla.recompute(session, ticket, t("2025-04-19T12:00+02:00"))
    assert ticket.handling_paused_at == t("2025-04-17T15:00+02:00")
    assert ticket.next_due_at is None  # nothing runs while we wait for the citizen
    state = clocks_of(ticket, t("2025-04-19T12:00+02:00"))["handling"]
    # 80 % of 25.5 business hours (20h24m) was reached Thu 17 13:24, before the pause: frozen at risk
    assert (state["paused"], state["due_at"], state["level"]) == (True, t("2025-04-22T10:00+02:00"), "at_risk")
    record_event(session, ticket, "status_changed", at=t("2025-04-22T11:00+02:00"), actor=world["agent"],
                 data={"from": "waiting_citizen", "to": "open"})
    sla.recompute(session, ticket, t("2025-04-22T12:00+02:00"))
    assert ticket.handling_paused_at is None and ticket.handling_paused_seconds == 16200
    check(ticket, "handling", "2025-04-22T12:00+02:00", "2025-04-22T14:30+02:00", None, None, "at_risk")
    assert ticket.next_due_at == t("2025-04-22T14:30+02:00")
    # 3x late: 9 working days (Wed 30 April 10:00) plus the 4.5 paused hours
    assert t(ticket.sla_targets["marks"]["handling"]["late_3x"]) == t("2025-04-30T14:30+02:00")


def test_a_pause_moves_a_calendar_day_deadline_by_its_wall_time(session, world):
    """Brug, 21 calendar days from Mon 10 March 2025 10:00: due Mon 31 March 10:00 (over the DST switch).
    Waiting for the citizen from Fri 14 March 16:00 to Mon 17 March 10:00 is 66 hours of wall time (2.5 of
    them business hours): every mark moves by the 66 hours, as the term counts in days, not office hours."""
    ticket = make(session, world, "2025-03-10T10:00+01:00", [
        ("reply_sent", "2025-03-10T11:00+01:00", REPLY, "agent"),
        ("status_changed", "2025-03-14T16:00+01:00", {"from": "open", "to": "waiting_citizen", "text": "?"}, "agent"),
        ("status_changed", "2025-03-17T10:00+01:00", {"from": "waiting_citizen", "to": "open"}, "agent"),
    ], category="wegen.brug")
    sla.recompute(session, ticket, t("2025-03-17T11:00+01:00"))
    assert ticket.handling_due_at == t("2025-04-03T04:00+02:00")  # Mon 31 March 10:00 + 66 h
    marks = {name: t(mark) for name, mark in ticket.sla_targets["marks"]["handling"].items() if mark}
    assert marks["late_3x"] == t("2025-05-15T04:00+02:00")  # Mon 12 May 10:00 (63 days) + 66 h
    unpaused = t("2025-03-10T10:00+01:00") + 0.8 * (t("2025-03-31T10:00+02:00") - t("2025-03-10T10:00+01:00"))
    assert marks["at_risk"] == unpaused + timedelta(hours=66)
    assert ticket.handling_paused_seconds == 9000  # the metrics' business time leaves the pause's office hours out


def test_a_citizen_answer_ends_the_pause(session, world):
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("status_changed", "2025-03-10T10:00+01:00", {"from": "new", "to": "waiting_citizen"}, "agent"),
        ("message_in", "2025-03-10T11:00+01:00", {"message_id": 9}),
    ], category="afval.zwerfvuil")
    sla.recompute(session, ticket, t("2025-03-10T12:00+01:00"))
    assert ticket.handling_paused_at is None and ticket.handling_paused_seconds == 3600
    assert ticket.handling_due_at == t("2025-03-13T10:00+01:00")


def test_reopen_keeps_the_handling_deadline_and_starts_a_wait(session, world):
    ticket = make(session, world, "2025-03-10T09:00+01:00", [
        ("reply_sent", "2025-03-10T10:00+01:00", REPLY, "agent"),
        ("status_changed", "2025-03-10T11:00+01:00", {"from": "open", "to": "resolved", "text": "klaar"}, "agent"),
        ("reopened", "2025-03-14T10:00+01:00", {"message_id": 3}),
    ], category="afval.zwerfvuil")
    sla.recompute(session, ticket, t("2025-03-14T10:05+01:00"))
    check(ticket, "handling", "2025-03-14T10:05+01:00", "2025-03-13T09:00+01:00", None, "2025-03-13T09:00+01:00",
          "breached")
    check(ticket, "first_response", "2025-03-14T10:05+01:00", "2025-03-10T13:00+01:00", "2025-03-10T10:00+01:00",
          None, "met")
    check(ticket, "next_response", "2025-03-14T10:05+01:00", "2025-03-14T14:00+01:00", None, None, "on_time")
    assert ticket.next_due_at == t("2025-03-13T09:00+01:00")  # the overdue one first
    assert ticket.sla_level == "breached"


def test_policy_change_applies_to_new_tickets_only(session, world):
    old = make(session, world, "2025-03-10T09:00+01:00")
    sla.start_clocks(session, [old], t("2025-03-10T09:00+01:00"))
    session.scalar(select(SlaPolicy)).first_response_public_minutes = 60
    session.flush()
    sla_cache.forget_cache(session)
    new = make(session, world, "2025-03-10T09:00+01:00")
    sla.start_clocks(session, [new], t("2025-03-10T09:00+01:00"))
    sla.recompute(session, old, t("2025-03-10T09:30+01:00"))
    assert old.first_response_due_at == t("2025-03-10T13:00+01:00")
    assert new.first_response_due_at == t("2025-03-10T10:00+01:00")
    assert old.sla_targets["policy"]["first_response_public_minutes"] == 240


def test_the_promise_is_kept_apart_from_the_deadline(session, world):
    ticket = make(session, world, "2025-03-10T09:00+01:00", category="afval.zwerfvuil")
    sla.recompute(session, ticket, t("2025-03-10T09:00+01:00"))
    text, due = sla.propose_promise(session, ticket)
    assert text == ("Dank voor uw bericht. We hebben het doorgegeven aan Afval en Reiniging. "
                    "U hoort uiterlijk donderdag 13 maart van ons.")
    assert due == t("2025-03-13T09:00+01:00")
    sla.give_promise(ticket, text, t("2025-03-13T17:00+01:00"))
    record_event(session, ticket, "status_changed", at=t("2025-03-10T10:00+01:00"), actor=world["agent"],
                 data={"from": "new", "to": "waiting_citizen"})
    record_event(session, ticket, "status_changed", at=t("2025-03-11T10:00+01:00"), actor=world["agent"],
                 data={"from": "waiting_citizen", "to": "open"})
    sla.recompute(session, ticket, t("2025-03-11T10:00+01:00"))
    assert ticket.handling_due_at == t("2025-03-14T09:00+01:00")  # + 8.5 paused business hours
    assert ticket.promise_due_at == t("2025-03-13T17:00+01:00")
    assert ticket.promise_text.endswith("donderdag 13 maart van ons.")


def test_start_clocks_does_not_query_per_ticket(session, world, runtime):
    """The first batch loads the configuration (the version, the policy, two for the calendars, the categories,
    the departments) and the tickets' facts; a second batch in the transaction only the facts."""
    tickets = [make(session, world, "2025-03-10T09:00+01:00", category="afval.zwerfvuil") for _ in range(60)]
    more = [make(session, world, "2025-03-10T09:00+01:00", category="afval.zwerfvuil") for _ in range(60)]
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def selects() -> int:
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        sla.start_clocks(session, tickets, t("2025-03-10T09:00+01:00"))
        first = selects()
        sla.start_clocks(session, more, t("2025-03-10T09:00+01:00"))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    assert first <= 7 and selects() - first <= 1
    tickets += more
    assert {x.first_response_due_at for x in tickets} == {t("2025-03-10T13:00+01:00")}
    assert {x.handling_due_at for x in tickets} == {t("2025-03-13T09:00+01:00")}
    assert {x.next_due_at for x in tickets} == {t("2025-03-10T13:00+01:00")}


def test_new_tickets_of_one_batch_get_the_targets_a_fresh_session_gives_each(session, world):
    """New tickets' targets are worked out once per category, kind and calendar in a session: a batch of
    mixed tickets must get exactly what each would get alone, and no ticket shares a target dict."""
    kinds = [(None, False), ("afval.zwerfvuil", False), (None, True), ("bedreiging", False),
             ("afval.zwerfvuil", True), (None, False)]
    tickets = [make(session, world, f"2025-03-10T09:{n:02d}+01:00", category=category, dm=dm)
               for n, (category, dm) in enumerate(kinds)]
    sla.start_clocks(session, tickets, t("2025-03-10T09:30+01:00"))
    for ticket in tickets:
        alone = make(session, world, ticket.created_at.isoformat())
        alone.kind, alone.visibility, alone.category_id = ticket.kind, ticket.visibility, ticket.category_id
        sla_cache.forget_cache(session)
        sla.start_clocks(session, [alone], t("2025-03-10T09:30+01:00"))
        assert alone.sla_targets == ticket.sla_targets
        assert (alone.first_response_due_at, alone.handling_due_at) == (ticket.first_response_due_at,
                                                                       ticket.handling_due_at)
    first, last = tickets[0].sla_targets, tickets[-1].sla_targets
    assert first["response"] == last["response"] and first["response"] is not last["response"]
    assert tickets[1].sla_targets["handling"] != tickets[0].sla_targets["handling"]
