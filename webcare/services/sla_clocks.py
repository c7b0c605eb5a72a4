"""The four SLA clocks derived from a ticket's history (pure: no session, no queries).

`Timeline.replay(created_at, events, members)` walks the ticket's events in time order and finds when
each clock started, was met, stopped or paused (the rules are in docs/SLA.md). `clock_state(...)` turns
one clock's start, target and end into its due time, its at-risk and 3x-late marks and its level at a
moment. `webcare.services.sla` feeds both from the database and writes the result on the ticket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from webcare.calendar import Calendar

LEVELS = ("on_time", "at_risk", "breached", "late_3x")
CROSSINGS = ("at_risk", "breached", "late_3x")
LEVEL_RANK = {"none": -1, "met": -1, "on_time": 0, "at_risk": 1, "breached": 2, "late_3x": 3}
LATE_FACTOR = 3
CLOSED = ("resolved", "cancelled")
HANDLING_STOPS = ("resolved", "cancelled", "forwarded_external")


class EventLike(Protocol):
    type: str
    at: datetime
    data: dict
    actor_id: int | None
    department_id: int | None


@dataclass(frozen=True)
class Target:
    """One clock's target: a value in a unit (business_minutes, working_days, calendar_days) on a calendar."""

    value: float
    unit: str
    calendar: Calendar

    def as_dict(self) -> dict:
        return {"value": self.value, "unit": self.unit, "calendar_id": self.calendar.id,
                "calendar": self.calendar.name}


@dataclass
class Timeline:
    """When each clock started, ended and paused, replayed from the events."""

    status: str = "new"
    first_reply_at: datetime | None = None
    first_stopped_at: datetime | None = None
    wait_start: datetime | None = None
    wait_met: datetime | None = None
    wait_stopped: datetime | None = None
    feedback_start: datetime | None = None
    feedback_department_id: int | None = None
    feedback_met: datetime | None = None
    feedback_stopped: datetime | None = None
    handling_met: datetime | None = None
    handling_stopped: datetime | None = None
    pauses: list[list] = field(default_factory=list)
    reopens: int = 0

    @classmethod
    def replay(cls, events: Iterable[EventLike], members: Mapping[int, set[int]] | None = None,
               department_id: int | None = None) -> Timeline:
        """`members`: user id -> department ids (who speaks for a department); `department_id`: the
        ticket's department, for a move to with_department that names none."""
        timeline = cls()
        for event in events:
            timeline._apply(event, members or {}, department_id)
        return timeline

    def step(self, event: EventLike, members: Mapping[int, set[int]] | None = None,
             department_id: int | None = None) -> None:
        """Apply one more event (the metrics watch the timeline change event by event)."""
        self._apply(event, members or {}, department_id)

    # -- state helpers ---------------------------------------------------------------------------
    @property
    def wait_open(self) -> bool:
        return self.wait_start is not None and self.wait_met is None and self.wait_stopped is None

    @property
    def feedback_open(self) -> bool:
        return self.feedback_start is not None and self.feedback_met is None and self.feedback_stopped is None

    @property
    def open_pause_at(self) -> datetime | None:
        return self.pauses[-1][0] if self.pauses and self.pauses[-1][1] is None else None

    def _start_pause(self, at: datetime) -> None:
        if self.open_pause_at is None:
            self.pauses.append([at, None])

    def _end_pause(self, at: datetime) -> None:
        if self.open_pause_at is not None:
            self.pauses[-1][1] = at

    def _start_wait(self, at: datetime) -> None:
        if not self.wait_open:
            self.wait_start, self.wait_met, self.wait_stopped = at, None, None

    def _start_feedback(self, at: datetime, department_id: int | None) -> None:
        self.feedback_start, self.feedback_department_id = at, department_id
        self.feedback_met = self.feedback_stopped = None

    def _speaks_for_department(self, event: EventLike, members: Mapping[int, set[int]]) -> bool:
        return self.feedback_department_id in members.get(event.actor_id or -1, ())

    # -- events ----------------------------------------------------------------------------------
    def _apply(self, event: EventLike, members: Mapping[int, set[int]], department_id: int | None) -> None:
        kind, at = event.type, event.at
        if kind == "message_in":
            self._end_pause(at)
            answered_before = self.first_reply_at is not None or self.first_stopped_at is not None
            if answered_before and self.status not in CLOSED:
                self._start_wait(at)
        elif kind == "reopened":
            self._reopen(at)
        elif kind == "reply_sent" and not (event.data or {}).get("automatic"):
            self._reply(event, members)
        elif kind == "handoff":
            self._end_pause(at)
            self.status = "with_department"
            self._start_feedback(at, event.department_id)
        elif kind == "feedback" and self.feedback_open:
            if event.department_id in (None, self.feedback_department_id) or \
                    self._speaks_for_department(event, members):
                self.feedback_met = at
        elif kind == "rerouted" and self.feedback_open and event.department_id not in (
                None, self.feedback_department_id):
            self._start_feedback(at, event.department_id)
        elif kind == "status_changed":
            self._status_changed(event, members, department_id)

    def _reopen(self, at: datetime) -> None:
        self.reopens += 1
        self._end_pause(at)
        self.status = "open"
        self.handling_met = self.handling_stopped = None
        self.wait_start = self.wait_met = self.wait_stopped = None
        self._start_wait(at)

    def _reply(self, event: EventLike, members: Mapping[int, set[int]]) -> None:
        if self.first_reply_at is None and self.first_stopped_at is None:
            self.first_reply_at = event.at
        if self.wait_open:
            self.wait_met = event.at
        if self.feedback_open and self._speaks_for_department(event, members):
            self.feedback_met = event.at

    def _status_changed(self, event: EventLike, members: Mapping[int, set[int]], department_id: int | None) -> None:
        at, data = event.at, event.data or {}
        previous, target = data.get("from") or self.status, data.get("to") or self.status
        if previous in CLOSED and target == "open":  # an agent's reopen counts as a citizen's message's does
            self._reopen(at)
            return
        self.status = target
        if self.feedback_open and previous == "with_department" and target != "with_department":
            if self._speaks_for_department(event, members):
                self.feedback_met = at
            else:
                self.feedback_stopped = at
        elif self.feedback_open and target in CLOSED:
            self.feedback_stopped = at
        if target == "with_department" and not self.feedback_open:  # a hand-off already started it
            self._start_feedback(at, event.department_id or department_id)
        if target == "waiting_citizen":
            self._start_pause(at)
        elif previous == "waiting_citizen":
            self._end_pause(at)
        self._handling_status(at, previous, target)
        if target in CLOSED:
            if self.first_reply_at is None and self.first_stopped_at is None:
                self.first_stopped_at = at
            if self.wait_open:
                self.wait_stopped = at

    def _handling_status(self, at: datetime, previous: str, target: str) -> None:
        if previous == "forwarded_external" and target in CLOSED:
            return  # handling stopped at the forward: closing the ticket later does not move it (DOMAIN.md)
        if target in ("resolved", "forwarded_external"):
            self.handling_met, self.handling_stopped = at, None
        elif target == "cancelled":
            self.handling_met, self.handling_stopped = None, at
        elif previous in HANDLING_STOPS:
            self.handling_met = self.handling_stopped = None


# --- one clock ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClockState:
    start: datetime
    due: datetime
    marks: dict[str, datetime]  # at_risk, breached (= due), late_3x
    met_at: datetime | None
    stopped_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    level: str
    target: Target

    @property
    def run(self) -> str:
        """Which run of the clock this is: its start and its target. A pause moves the due time, not the run; a new
        wait, a new hand-off or a new target (a category change) is a new run (docs/SLA.md, "Warnings")."""
        return f"{int(self.start.timestamp())}:{self.target.value:g}:{self.target.unit}"

    @property
    def running(self) -> bool:
        return self.met_at is None and self.stopped_at is None

    @property
    def breached_at(self) -> datetime | None:
        end = self.met_at or self.stopped_at
        if end is not None:
            return self.due if end > self.due else None
        return self.due if LEVEL_RANK[self.level] >= LEVEL_RANK["breached"] else None

    def crossed(self) -> list[str]:
        """The levels this running clock has reached (at_risk, breached, late_3x), lowest first."""
        if not self.running:
            return []
        return [level for level in CROSSINGS if LEVEL_RANK[level] <= LEVEL_RANK[self.level]]

    def next_mark_after(self, moment: datetime) -> datetime | None:
        if not self.running or self.paused_at is not None:
            return None
        later = [mark for mark in self.marks.values() if mark > moment]
        return min(later) if later else None


def base_marks(target: Target, start: datetime, at_risk_fraction: float) -> dict[str, datetime]:
    """The at-risk, breached (due) and 3x-late moments of a target without pauses."""
    calendar, value, unit = target.calendar, target.value, target.unit
    if unit == "business_minutes":
        seconds = value * 60
        return {"at_risk": calendar.add_business_seconds(start, round(at_risk_fraction * seconds)),
                "breached": calendar.add_business_seconds(start, seconds),
                "late_3x": calendar.add_business_seconds(start, LATE_FACTOR * seconds)}
    due = calendar.add(start, value, unit)
    if unit == "working_days":
        span = calendar.business_seconds_between(start, due)
        at_risk = calendar.add_business_seconds(start, round(at_risk_fraction * span))
    else:
        at_risk = start + timedelta(seconds=round(at_risk_fraction * (due - start).total_seconds()))
    return {"at_risk": at_risk, "breached": due, "late_3x": calendar.add(start, LATE_FACTOR * value, unit)}


def shifted(target: Target, mark: datetime, pauses: list[list]) -> datetime:
    """Move a mark by every finished pause that began before it, in the target's own time: the pause's
    wall time for calendar days, its business time walked along the opening hours otherwise."""
    calendar = target.calendar
    for begin, end in pauses:
        if end is not None and begin < mark:
            if target.unit == "calendar_days":
                mark += end - begin
            else:
                mark = calendar.add_business_seconds(mark, calendar.business_seconds_between(begin, end))
    return mark


def clock_state(start: datetime | None, target: Target | None, now: datetime, *, met_at: datetime | None = None,
                stopped_at: datetime | None = None, pauses: list[list] | None = None,
                at_risk_fraction: float = 0.8) -> ClockState | None:
    """The state of one clock at `now`; None when the clock does not run for this ticket."""
    if start is None or target is None:
        return None
    pauses = pauses or []
    marks = base_marks(target, start, at_risk_fraction)
    if pauses:
        marks = {name: shifted(target, mark, pauses) for name, mark in marks.items()}
    paused_at = pauses[-1][0] if pauses and pauses[-1][1] is None and met_at is None and stopped_at is None else None
    paused_seconds = sum(target.calendar.business_seconds_between(b, e) for b, e in pauses if e is not None)
    return ClockState(start=start, due=marks["breached"], marks=marks, met_at=met_at, stopped_at=stopped_at,
                      paused_at=paused_at, paused_seconds=paused_seconds,
                      level=level_at(marks, met_at, stopped_at, paused_at or now), target=target)


def level_at(marks: Mapping[str, datetime], met_at: datetime | None, stopped_at: datetime | None,
             moment: datetime) -> str:
    """met; for a clock stopped unmet: breached/late_3x if it got there, else none; else the mark reached."""
    if met_at is not None:
        return "met"
    if stopped_at is not None:
        moment = stopped_at
    reached = "on_time"
    for level in CROSSINGS:
        if moment >= marks[level]:
            reached = level
    if stopped_at is not None and reached in ("on_time", "at_risk"):
        return "none"
    return reached
