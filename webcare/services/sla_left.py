"""Time left on a clock, counted the way its target is: office hours for a response target in business
minutes, working days for a handling or feedback target in working days, wall time for calendar days.

"Nog 34 uur" on a Friday afternoon for a four-hour response target is Monday's deadline in wall time; in
office time it is "nog 3 uur", which is what the agent must know. The ticket page shows this (docs/SLA.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from webcare.calendar import Calendar

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
