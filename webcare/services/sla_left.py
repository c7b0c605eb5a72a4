"""Time left on a clock, counted the way its target is: office hours for a response target in business
minutes, working days for a handling or feedback target in working days, wall time for calendar days.

"Nog 34 uur" on a Friday afternoon for a four-hour response target is Monday's deadline in wall time; in
office time it is "nog 3 uur", which is what the agent must know. The ticket page shows this for every clock,
and the lists (inbox, department page) for the clock their rows are ordered by, `next_due_at` (docs/SLA.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from webcare.calendar import Calendar
from webcare.db import utcnow
from webcare.models.ticket import CLOCKS
from webcare.services import calendars
from webcare.services.sla_state import COLUMNS, target_of

MAX_DAYS_COUNTED = 3660  # a clock years late is shown in wall time


@dataclass(frozen=True)
class TimeLeft:
    amount: float  # seconds for "office_seconds" and "seconds", days for "working_days"
    unit: str  # "office_seconds" | "working_days" | "seconds"
    late: bool


def time_left(clock: dict, calendar: Calendar, now: datetime) -> TimeLeft | None:
    """For one clock of `sla_state.clocks_of`: how long until it is due (or how late it is); None when it
    has no deadline or was met."""
    due = clock["due_at"]
    if due is None or clock["met_at"] is not None:
        return None
    late = now > due
    start, end = (due, now) if late else (now, due)
    unit = (clock["target"] or {}).get("unit")
    if unit == "working_days":
        days = _whole_working_days(calendar, start, end)
        if days is None:
            return TimeLeft((end - start).total_seconds(), "seconds", late)
        if days:
            return TimeLeft(days, "working_days", late)
    if unit in ("business_minutes", "working_days"):  # less than a working day: its office hours
        return TimeLeft(calendar.business_seconds_between(start, end), "office_seconds", late)
    return TimeLeft((end - start).total_seconds(), "seconds", late)


def _whole_working_days(calendar: Calendar, start: datetime, end: datetime) -> int | None:
    """Working days from `start` up to `end`: the days between, `start`'s own day only when all of its opening
    time still lies ahead (01:48 before an 08:30 opening leaves that whole day, as Sunday evening would), and
    `end`'s own day only when some of its opening time lies before `end` (a deadline at 08:30 on Friday is
    the end of Thursday). None when they lie too far apart to count."""
    first, last = calendar.local_date(start), calendar.local_date(end)
    if (last - first).days > MAX_DAYS_COUNTED:
        return None
    between = sum(calendar.is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days))
    first_spans = calendar.spans(first)
    first_day_ahead = last > first and bool(first_spans) and all(start <= begin for begin, _ in first_spans)
    last_day_open = last > first and any(begin < end for begin, _ in calendar.spans(last))
    return first_day_ahead + between + last_day_open


def calendar_id_of(ticket, clock: str) -> int | None:
    """The calendar a ticket's clock counts on: the department's for department feedback, else the ticket's."""
    if clock == "department_feedback":
        feedback = (ticket.sla_targets or {}).get("department_feedback") or {}
        return feedback.get("calendar_id") or ticket.calendar_id
    return ticket.calendar_id


def next_due_clock(ticket) -> str | None:
    """The clock whose due time is the ticket's `next_due_at`: the first one due then that runs (not met, not
    stopped) and is not paused, as `services.sla` chose it. None when no clock is due then (a row whose
    `next_due_at` was set by other means)."""
    due = ticket.next_due_at
    if due is None:
        return None
    marks = (ticket.sla_targets or {}).get("marks") or {}
    for clock in CLOCKS:
        due_column, met_column, _ = COLUMNS[clock]
        if getattr(ticket, due_column) == due and getattr(ticket, met_column) is None \
                and not (marks.get(clock) or {}).get("stopped") \
                and not (clock == "handling" and ticket.handling_paused_at is not None):
            return clock
    return None


def next_due_left(ticket, calendar: Callable[[int | None], Calendar], now: datetime) -> TimeLeft | None:
    """A list row's time left: that of the clock `next_due_at` belongs to, counted as the ticket page counts
    it; wall time when no clock is due then. No query: `calendar` maps a calendar id to a kept calendar."""
    due = ticket.next_due_at
    if due is None:
        return None
    clock = next_due_clock(ticket)
    if clock is None:
        return TimeLeft(abs((due - now).total_seconds()), "seconds", now > due)
    return time_left({"due_at": due, "met_at": None, "target": target_of(ticket, clock)},
                     calendar(calendar_id_of(ticket, clock)), now)


def rows_left(session: Session, tickets: Iterable, now: datetime | None = None, *,
              calendar: Callable[[int | None], Calendar] | None = None) -> dict[int, TimeLeft | None]:
    """Per ticket id the time left that its list row shows (`next_due_left`); the calendars loaded once
    (`calendars.lookup`, two queries) unless a kept `calendar` lookup is given."""
    now = now or utcnow()
    calendar = calendar or calendars.lookup(session)
    return {ticket.id: next_due_left(ticket, calendar, now) for ticket in tickets}
