"""SLA clocks: one service recomputes a ticket's due, met and breached times from its history.

- `start_clocks(session, tickets, now)`: for tickets just created (batches of hundreds): snapshot the
  active policy and start the clocks; no query per ticket (the configuration is kept per process,
  `sla_cache`). Ingest's hot path uses `start_clocks_for_rows`: the same for tickets not stored yet (dicts
  of their columns), so a new ticket is written once with its clocks.
- `recompute(session, ticket, now)`: after every event that matters (message in, reopen, reply sent or
  failed, hand-off, feedback, status change, pause/resume): replay the ticket's events and write every
  clock, `next_due_at` (inbox order), `sla_level` and `sla_check_at` (when the sweep must look again).

The rules are in docs/SLA.md; the replay is `services.sla_clocks` (pure), the calendar `webcare.calendar`.
A ticket keeps the policy it was given (`sla_targets["policy"]`); the promise to the citizen is stored
separately (`give_promise`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.calendar import Calendar
from webcare.db import iso_text, utcnow
from webcare.models import Ticket, TicketEvent
from webcare.services import defaults, metric_facts, sla_cache
from webcare.services.sla_cache import CategoryTerms, SlaConfig
from webcare.services.sla_clocks import LEVEL_RANK, ClockState, Target, Timeline, clock_state
from webcare.services.sla_crossings import Recorded

CLOCK_EVENTS = ("message_in", "reopened", "reply_sent", "handoff", "feedback", "rerouted", "status_changed",
                "sla_level")


# --- entry points -------------------------------------------------------------------------------

def start_clocks(session: Session, tickets: list[Ticket], now: datetime | None = None) -> None:
    """Start the clocks of tickets that were just created (no query per ticket)."""
    now = now or utcnow()
    metric_facts.preload(session, tickets)
    for ticket in tickets:
        apply_history(session, ticket, [], now)


def start_clocks_for_rows(session: Session, rows: list[dict], now: datetime | None = None) -> list[list[dict]]:
    """`start_clocks` for new tickets before they are stored: sets the clock columns in each row (a dict of
    ticket columns with `created_at`, `kind`, `visibility`, `category_id`, `department_id`) and returns,
    per row, its metric fact rows (without `ticket_id`) for the caller to insert with the ticket's id."""
    now = now or utcnow()
    tickets = [_RowTicket(row) for row in rows]
    for ticket in tickets:
        apply_history(session, ticket, [], now)
    return [ticket.facts for ticket in tickets]


class _RowTicket:
    """A ticket row seen through attributes, as the clock code reads and writes tickets; unset columns read None.

    The row is the object's `__dict__`, so reading and writing a column is plain attribute access (this runs
    some twenty times per new ticket); `facts` is a slot, never a column of the row."""

    __slots__ = ("__dict__", "facts")

    def __init__(self, row: dict):
        self.__dict__ = row
        self.facts = []

    def __getattr__(self, name: str):  # only for what the row lacks
        if name not in _TICKET_COLUMNS:
            raise AttributeError(name)
        return None


_TICKET_COLUMNS = frozenset(Ticket.__table__.columns.keys())


def recompute_stored(session: Session, tickets: list[Ticket], now: datetime | None = None) -> None:
    """`recompute` for many tickets with one query, from the events stored so far (no flush: for batch work
    that writes its events with Core statements, such as ingest). The caller writes the tickets' columns."""
    if not tickets:
        return
    now = now or utcnow()
    with session.no_autoflush:
        grouped = events_by_ticket(session, [ticket.id for ticket in tickets])
        metric_facts.preload(session, tickets)
    for ticket in tickets:
        apply_history(session, ticket, grouped.get(ticket.id, []), now)


def recompute(session: Session, ticket: Ticket, now: datetime | None = None) -> dict[str, ClockState | None]:
    """Recompute every clock of one ticket from its stored history (after an event that matters)."""
    session.flush()
    events = events_by_ticket(session, [ticket.id]).get(ticket.id, [])
    return apply_history(session, ticket, events, now or utcnow())


def events_by_ticket(session: Session, ticket_ids: list[int]) -> dict[int, list[TicketEvent]]:
    """The events that matter to the clocks, per ticket, in time order (one query)."""
    grouped: dict[int, list[TicketEvent]] = defaultdict(list)
    statement = (select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.type.in_(CLOCK_EVENTS))
                 .order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id))
    for event in session.scalars(statement):
        grouped[event.ticket_id].append(event)
    return grouped


@dataclass(frozen=True)
class _Targets:
    response: Target
    next_response: Target
    feedback: Target | None
    handling: Target | None
    at_risk_fraction: float


def apply_history(session: Session, ticket: Ticket, events: list[TicketEvent],
                  now: datetime) -> dict[str, ClockState | None]:
    """Replay `events` (as from `events_by_ticket`) and write the clocks on the ticket."""
    cache = sla_cache.cache(session)
    if ticket.created_at is None:  # not flushed yet: the column default would say "now" too
        ticket.created_at = now
    targets = dict(ticket.sla_targets or {})
    if "policy" not in targets:
        targets["policy"] = cache.policy()
        ticket.sla_policy_id = targets["policy"]["id"]
    if ticket.calendar_id is None:
        ticket.calendar_id = targets["policy"]["calendar_id"] or cache.default_calendar_id()
    clock_events = [e for e in events if e.type != "sla_level"]
    needs_members = any(e.type in ("handoff", "status_changed") for e in clock_events)
    members = sla_cache.members(session, (e.actor_id for e in clock_events)) if needs_members else {}
    runs = metric_facts.watch(clock_events, members, ticket.department_id)  # Timeline.replay, noting every run
    timeline = runs.timeline
    chosen = _choose_targets(cache, ticket, timeline, targets)
    states = _states(ticket, timeline, chosen, now)
    _write(ticket, states, targets, Recorded(events), now)
    _write_facts(session, cache, ticket, runs, chosen, states, now)
    return states


def _write_facts(session: Session, cache: SlaConfig, ticket: Ticket, runs: metric_facts.RunLog, chosen: _Targets,
                 states: dict[str, ClockState | None], now: datetime) -> None:
    """The metrics' copy of every clock run (services.metric_facts, docs/METRICS.md)."""
    policy, calendar = ticket.sla_targets["policy"], cache.calendar(ticket.calendar_id)

    def feedback_for(department_id: int | None) -> Target:
        days, calendar_id = _department_feedback(cache, policy, department_id, calendar)
        return Target(days, "working_days", cache.calendar(calendar_id))

    targets = metric_facts.Targets(chosen.response, chosen.next_response, chosen.feedback, chosen.handling,
                                   chosen.at_risk_fraction, feedback_for)
    rows = metric_facts.derive(ticket, runs, states, targets, now, metric_facts.zone_for(session))
    if isinstance(ticket, _RowTicket):
        ticket.facts = rows  # not stored yet: the caller inserts them with the ticket's id
    else:
        metric_facts.store(ticket, rows)


def _choose_targets(cache: SlaConfig, ticket: Ticket, timeline: Timeline, targets: dict) -> _Targets:
    """The targets of the ticket's clocks (`_work_out_targets`). A new ticket (no targets yet, the current
    policy) gets those of its category, kind and calendar, worked out once per configuration for each such
    combination: a batch of new tickets has few."""
    if targets["policy"] is not cache.policy() or not _fresh(targets, timeline):
        return _work_out_targets(cache, ticket, timeline, targets)
    key = (ticket.category_id, _response_kind(ticket), ticket.calendar_id)
    known = cache.fresh_targets.get(key)
    if known is None:
        chosen = _work_out_targets(cache, ticket, timeline, given := {"policy": targets["policy"]})
        known = cache.fresh_targets[key] = (chosen, {name: given[name] for name in _FRESH_PARTS})
    chosen, parts = known
    targets.update({name: dict(part) for name, part in parts.items()})
    return chosen


_FRESH_PARTS = ("response", "next_response", "handling")


def _fresh(targets: dict, timeline: Timeline) -> bool:
    return timeline.feedback_start is None and not any(name in targets for name in _FRESH_PARTS) \
        and "department_feedback" not in targets


def _response_kind(ticket: Ticket) -> str:
    return "dm" if ticket.kind == "dm" or ticket.visibility == "private" else "public"


def _work_out_targets(cache: SlaConfig, ticket: Ticket, timeline: Timeline, targets: dict) -> _Targets:
    """Keep the targets a ticket was given; take new ones only for what changed while a clock runs."""
    policy, calendar = targets["policy"], cache.calendar(ticket.calendar_id)
    category = cache.category(ticket.category_id)
    response, next_response = targets.get("response"), targets.get("next_response")
    first_running = timeline.first_reply_at is None and timeline.first_stopped_at is None
    if response is None or (first_running and response.get("category_id") != ticket.category_id):
        kind = _response_kind(ticket)
        minutes = (category.first_response_business_minutes if category else None) \
            or policy[f"first_response_{kind}_minutes"]
        response = targets["response"] = {"value": minutes, "unit": "business_minutes", "kind": kind,
                                          "category_id": ticket.category_id}
        next_response = None
    if next_response is None:  # taken with the first response's (tickets from before: from their policy)
        next_response = targets["next_response"] = _next_response_target(
            cache.category(response.get("category_id")), policy, response)
    handling = targets.get("handling")
    handling_running = timeline.handling_met is None and timeline.handling_stopped is None
    if handling is None or (handling_running and handling.get("category_id") != ticket.category_id):
        handling = targets["handling"] = _handling_target(category, ticket.category_id)
    feedback = targets.get("department_feedback")
    if timeline.feedback_start is not None and (feedback is None or feedback.get("started_at") != timeline.feedback_start.isoformat()):
        feedback = targets["department_feedback"] = _feedback_target(cache, policy, timeline, calendar)
    return _Targets(
        response=Target(response["value"], "business_minutes", calendar),
        next_response=Target(next_response["value"], "business_minutes", calendar),
        feedback=Target(feedback["value"], feedback["unit"], cache.calendar(feedback["calendar_id"]))
        if feedback and timeline.feedback_start else None,
        handling=Target(handling["value"], handling["unit"], calendar) if handling.get("value") is not None else None,
        at_risk_fraction=(policy.get("at_risk_percent") or 80) / 100,
    )


def _next_response_target(category: CategoryTerms | None, policy: dict, response: dict) -> dict:
    """The next-response target: the category's own response target, else the policy's next-response target
    for the ticket's kind (by default the same as the first response's, DOMAIN.md)."""
    minutes = (category.first_response_business_minutes if category else None) \
        or policy.get(f"next_response_{response.get('kind', 'public')}_minutes") or response["value"]
    return {**response, "value": minutes}


def _handling_target(category: CategoryTerms | None, category_id: int | None) -> dict:
    if category is None or category.handling_target is None:
        return {"value": None, "unit": None, "category_id": category_id}
    return {"value": category.handling_target, "unit": category.handling_unit, "category_id": category_id}


def _department_feedback(cache: SlaConfig, policy: dict, department_id: int | None,
                         ticket_calendar: Calendar) -> tuple[int, int | None]:
    """A department's feedback target in working days and the calendar it is counted on."""
    department = cache.department(department_id)
    days = department.feedback_working_days if department and department.feedback_working_days is not None \
        else policy["department_feedback_working_days"]
    calendar_id = department.calendar_id if department and department.calendar_id else ticket_calendar.id
    return days, calendar_id


def _feedback_target(cache: SlaConfig, policy: dict, timeline: Timeline, ticket_calendar: Calendar) -> dict:
    days, calendar_id = _department_feedback(cache, policy, timeline.feedback_department_id, ticket_calendar)
    return {"value": days, "unit": "working_days", "department_id": timeline.feedback_department_id,
            "calendar_id": calendar_id, "started_at": timeline.feedback_start.isoformat()}


def _states(ticket: Ticket, timeline: Timeline, chosen: _Targets, now: datetime) -> dict[str, ClockState | None]:
    fraction = chosen.at_risk_fraction
    return {
        "first_response": clock_state(ticket.created_at, chosen.response, now, met_at=timeline.first_reply_at,
                                      stopped_at=timeline.first_stopped_at, at_risk_fraction=fraction),
        "next_response": clock_state(timeline.wait_start, chosen.next_response, now, met_at=timeline.wait_met,
                                     stopped_at=timeline.wait_stopped, at_risk_fraction=fraction),
        "department_feedback": clock_state(timeline.feedback_start, chosen.feedback, now,
                                           met_at=timeline.feedback_met, stopped_at=timeline.feedback_stopped,
                                           at_risk_fraction=fraction),
        "handling": clock_state(ticket.created_at, chosen.handling, now, met_at=timeline.handling_met,
                                stopped_at=timeline.handling_stopped, pauses=timeline.pauses,
                                at_risk_fraction=fraction),
    }


_CLOCK_COLUMNS = {clock: (f"{clock}_due_at", f"{clock}_met_at", f"{clock}_breached_at")
                  for clock in ("first_response", "next_response", "department_feedback", "handling")}


def _write(ticket: Ticket, states: dict[str, ClockState | None], targets: dict, recorded: Recorded,
           now: datetime) -> None:
    marks = {}
    for clock, state in states.items():
        due, met, breached = _CLOCK_COLUMNS[clock]
        setattr(ticket, due, state.due if state else None)
        setattr(ticket, met, state.met_at if state else None)
        setattr(ticket, breached, state.breached_at if state else None)
        if state:
            marks[clock] = {name: iso_text(mark) for name, mark in state.marks.items()}
            marks[clock]["stopped"] = iso_text(state.stopped_at) if state.stopped_at else None
    ticket.next_response_started_at = states["next_response"].start if states["next_response"] else None
    ticket.department_feedback_started_at = states["department_feedback"].start if states["department_feedback"] else None
    handling = states["handling"]
    ticket.handling_paused_at = handling.paused_at if handling else None
    ticket.handling_paused_seconds = handling.paused_seconds if handling else 0
    running = {clock: s for clock, s in states.items() if s is not None and s.running}
    ticket.next_due_at = min((s.due for s in running.values() if s.paused_at is None), default=None)
    ticket.sla_level = max((s.level for s in running.values()), key=LEVEL_RANK.__getitem__, default="none")
    ticket.sla_check_at = _next_check(ticket.id, running, recorded, now)
    ticket.sla_targets = {**targets, "marks": marks}


def _next_check(ticket_id: int | None, running: dict[str, ClockState], recorded: Recorded,
                now: datetime) -> datetime | None:
    """Now when a crossing of a clock's current run is not recorded yet; else the next mark of a running clock."""
    for clock, state in running.items():
        crossed = state.crossed()
        if crossed and (ticket_id is None or not all(recorded.has(ticket_id, clock, level, state) for level in crossed)):
            return now
    return next_mark(running.values(), now)


def next_mark(states: Iterable[ClockState | None], now: datetime) -> datetime | None:
    """The earliest at-risk, due or 3x-late moment after `now` of the running clocks."""
    return min((m for s in states if s is not None and (m := s.next_mark_after(now))), default=None)


# --- the promise to the citizen -----------------------------------------------------------------

def propose_promise(session: Session, ticket: Ticket) -> tuple[str, datetime] | None:
    """The promise text for the citizen (formal Dutch), from the category's text or the default, with the
    department and the handling due date as they stand now; None when the ticket has no handling target."""
    if ticket.handling_due_at is None:
        return None
    cache = sla_cache.cache(session)
    category, department = cache.category(ticket.category_id), cache.department(ticket.department_id)
    calendar = cache.calendar(ticket.calendar_id)
    template = (category.promise_text if category and category.promise_text else None) or defaults.DEFAULT_PROMISE
    when = format_date(ticket.handling_due_at.astimezone(calendar.zone).date(), "EEEE d MMMM", locale="nl")
    text = defaults.fill_promise(template, afdeling=department.name if department else "de juiste afdeling",
                                 categorie=category.name if category else "", termijn=when)
    return text, ticket.handling_due_at


def give_promise(ticket: Ticket, text: str, due_at: datetime | None) -> None:
    """Store the promise made to the citizen as it was given; a later promise replaces it knowingly."""
    ticket.promise_text = text
    ticket.promise_due_at = due_at
