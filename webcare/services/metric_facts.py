"""Metric facts from a ticket's history: every run of every SLA clock, ready for the database to aggregate.

The SLA engine keeps only the latest customer wait and the latest hand-off on the ticket row; the
metrics need all of them. `watch()` replays the same events through the same `Timeline` as the SLA
engine, one event at a time, and notes each wait and each hand-off as it starts and ends, and who ended
it. `derive()` turns that into `MetricFact` rows (result, business and wall seconds, local day and week);
`store()` writes them on the ticket, changing only what changed. `services.sla.apply_history` calls
this for every replay (new tickets, every event that matters, every sweep crossing), so the table is
never more than one SLA sweep behind the events. Definitions: docs/METRICS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webcare.models import MetricFact, Ticket
from webcare.services.sla_clocks import CLOSED, ClockState, EventLike, Target, Timeline, clock_state

DEFAULT_ZONE = "Europe/Amsterdam"


@dataclass
class Run:
    """One run of a clock that can run several times (a customer wait, a hand-off)."""

    start: datetime
    department_id: int | None = None
    met_at: datetime | None = None
    stopped_at: datetime | None = None
    agent_id: int | None = None


@dataclass
class RunLog:
    timeline: Timeline = field(default_factory=Timeline)
    waits: list[Run] = field(default_factory=list)
    feedbacks: list[Run] = field(default_factory=list)
    first_agent_id: int | None = None
    handling_agent_id: int | None = None
    closed: tuple[datetime, int | None] | None = None  # the last move into resolved/cancelled, by whom


def watch(events: Iterable[EventLike], members: Mapping[int, set[int]] | None = None,
          department_id: int | None = None) -> RunLog:
    """Replay `events` (time order) and record every wait and hand-off with its end and its agent."""
    log = RunLog()
    timeline = log.timeline
    for event in events:
        before = _snapshot(timeline)
        timeline.step(event, members, department_id)
        if before["first"] is None and timeline.first_reply_at is not None:
            log.first_agent_id = event.actor_id
        if timeline.handling_met is not None and timeline.handling_met != before["handling"]:
            log.handling_agent_id = event.actor_id
        _track(log.waits, before["wait"], _wait(timeline), event)
        _track(log.feedbacks, before["feedback"], _feedback(timeline), event)
        if event.type == "status_changed":
            closing = (event.data or {}).get("to") in CLOSED
            log.closed = (event.at, event.actor_id) if closing else None
        elif event.type == "reopened":
            log.closed = None
    return log


def _snapshot(timeline: Timeline) -> dict:
    return {"first": timeline.first_reply_at, "handling": timeline.handling_met,
            "wait": _wait(timeline), "feedback": _feedback(timeline)}


def _wait(t: Timeline) -> tuple:
    return (t.wait_open, t.wait_start, None, t.wait_met, t.wait_stopped)


def _feedback(t: Timeline) -> tuple:
    return (t.feedback_open, t.feedback_start, t.feedback_department_id, t.feedback_met, t.feedback_stopped)


def _track(runs: list[Run], before: tuple, after: tuple, event: EventLike) -> None:
    was_open, was_start, was_department = before[:3]
    is_open, start, department, met, stopped = after
    same_run = start == was_start and department == was_department
    if was_open and runs and not (is_open and same_run):
        current = runs[-1]
        if same_run:  # this event ended the run
            current.met_at, current.stopped_at = met, stopped
            current.agent_id = event.actor_id if met is not None else None
        else:  # replaced by a new run while open (a reroute of the hand-off)
            current.stopped_at = event.at
    if is_open and not (was_open and same_run):
        runs.append(Run(start=start, department_id=department))


# --- facts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Targets:
    """What the SLA engine chose for this ticket (`services.sla._Targets`) and how to find the target of
    an earlier hand-off to another department."""

    response: Target
    next_response: Target
    feedback: Target | None
    handling: Target | None
    at_risk_fraction: float
    feedback_for: Callable[[int | None], Target]


def derive(ticket: Ticket, log: RunLog, states: Mapping[str, ClockState | None], targets: Targets,
           now: datetime, zone: ZoneInfo) -> list[dict]:
    """The fact rows of one ticket (dicts of MetricFact columns, without ticket_id)."""
    base = {"department_id": ticket.department_id, "channel_id": ticket.channel_id,
            "category_id": ticket.category_id}
    rows = [_ticket_row(ticket, log, base, zone)]
    first = states.get("first_response")
    if first is not None:
        rows.append(_clock_row("first_response", 0, first, targets.response, log.first_agent_id, base, zone))
    handling = states.get("handling")
    if handling is not None and targets.handling is not None:
        row = _clock_row("handling", 0, handling, targets.handling, log.handling_agent_id, base, zone,
                         paused_seconds=handling.paused_seconds)
        if handling.met_at is None and handling.stopped_at is not None and log.closed:
            row["agent_id"] = log.closed[1]  # cancelled: handling goes to who closed the ticket, as tickets out
        rows.append(row)
    for seq, run in enumerate(log.waits):
        state = clock_state(run.start, targets.next_response, now, met_at=run.met_at, stopped_at=run.stopped_at,
                            at_risk_fraction=targets.at_risk_fraction)
        rows.append(_clock_row("next_response", seq, state, targets.next_response, run.agent_id, base, zone))
    for seq, run in enumerate(log.feedbacks):
        latest = seq == len(log.feedbacks) - 1 and targets.feedback is not None
        target = targets.feedback if latest else targets.feedback_for(run.department_id)
        state = clock_state(run.start, target, now, met_at=run.met_at, stopped_at=run.stopped_at,
                            at_risk_fraction=targets.at_risk_fraction)
        rows.append(_clock_row("department_feedback", seq, state, target, run.agent_id,
                               {**base, "department_id": run.department_id}, zone))
    return rows


def _ticket_row(ticket: Ticket, log: RunLog, base: dict, zone: ZoneInfo) -> dict:
    closed = ticket.status in CLOSED
    ended_at, agent_id = (log.closed or (ticket.resolved_at or ticket.updated_at, None)) if closed else (None, None)
    return {"kind": "ticket", "seq": 0, **_days(ticket.created_at, ended_at, zone), "started_at": ticket.created_at,
            "due_at": None, "ended_at": ended_at, "result": ticket.status if closed else "open", "late_3x": False,
            "business_seconds": None, "wall_seconds": _seconds(ended_at - ticket.created_at) if ended_at else None,
            "reopens": log.timeline.reopens, **base, "agent_id": agent_id}


def _clock_row(kind: str, seq: int, state: ClockState, target: Target, agent_id: int | None, base: dict,
               zone: ZoneInfo, paused_seconds: int = 0) -> dict:
    ended_at = state.met_at or state.stopped_at
    result, late_3x = outcome(state)
    business = wall = None
    if state.met_at is not None:
        business = target.calendar.business_seconds_between(state.start, state.met_at) - paused_seconds
        wall = _seconds(state.met_at - state.start)
    return {"kind": kind, "seq": seq, **_days(state.start, ended_at, zone), "started_at": state.start,
            "due_at": state.due, "ended_at": ended_at, "result": result, "late_3x": late_3x,
            "business_seconds": business, "wall_seconds": wall, "reopens": 0, **base,
            "agent_id": agent_id if state.met_at is not None else None}


def outcome(state: ClockState) -> tuple[str, bool]:
    """(result, reached 3x late): on_time / late / open (running, not yet due) / none (stopped unmet in time)."""
    end = state.met_at or state.stopped_at
    if end is not None:
        late = end > state.due
        if state.met_at is None and not late:
            return "none", False
        return ("late" if late else "on_time"), end >= state.marks["late_3x"]
    if state.level in ("breached", "late_3x"):
        return "late", state.level == "late_3x"
    return "open", False


def _seconds(span: timedelta) -> int:
    return round(span.total_seconds())


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=1024)
def _days(start: datetime, end: datetime | None, zone: ZoneInfo) -> dict:
    """The local days and weeks of a run (a ticket's rows share its start: computed once). Read only."""
    start_day = local_day(start, zone)
    end_day = local_day(end, zone) if end is not None else None
    return {"start_day": start_day, "start_week": week_of(start_day), "end_day": end_day,
            "end_week": week_of(end_day) if end_day else None}


def zone_for(session: Session) -> ZoneInfo:
    """The time zone of the local days and weeks: the configured one (Europe/Amsterdam by default)."""
    return zone_for_settings(session.info.get("settings"))


def zone_for_settings(settings) -> ZoneInfo:
    return getattr(settings, "zone", None) or ZoneInfo(DEFAULT_ZONE)


def preload(session: Session, tickets: Iterable[Ticket]) -> None:
    """Load the facts of many tickets in one query (the SLA engine's batch paths: no query per ticket)."""
    persistent = {ticket.id: ticket for ticket in tickets
                  if ticket.id is not None and "metric_facts" not in ticket.__dict__}
    if not persistent:
        return
    grouped: dict[int, list[MetricFact]] = {ticket_id: [] for ticket_id in persistent}
    for fact in session.scalars(select(MetricFact).where(MetricFact.ticket_id.in_(persistent))):
        grouped[fact.ticket_id].append(fact)
    for ticket_id, facts in grouped.items():
        set_committed_value(persistent[ticket_id], "metric_facts", facts)


def store(ticket: Ticket, rows: list[dict]) -> None:
    """Make the ticket's facts equal to `rows`, touching only the rows and columns that changed."""
    existing = {(fact.kind, fact.seq): fact for fact in ticket.metric_facts}
    for row in rows:
        fact = existing.pop((row["kind"], row["seq"]), None)
        if fact is None:
            ticket.metric_facts.append(MetricFact(**row))
            continue
        for name, value in row.items():
            if getattr(fact, name) != value:
                setattr(fact, name, value)
    for fact in existing.values():
        ticket.metric_facts.remove(fact)
