"""Time left on a clock in its target's own time: office hours, working days, wall time."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from webcare.calendar import Calendar
from webcare.models.ticket import CLOCKS
from webcare.services.sla_left import TimeLeft, next_due_clock, next_due_left, time_left

STD = Calendar()  # Monday-Friday 08:30-17:00, Europe/Amsterdam
AMS = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=AMS)  # 2026-11-20 is a Friday


def clock(due: datetime | None, unit: str | None, met: datetime | None = None) -> dict:
    return {"due_at": due, "met_at": met, "target": {"value": 4, "unit": unit} if unit else None}


def test_a_response_target_counts_office_time_over_the_weekend():
    left = time_left(clock(at(23, 11), "business_minutes"), STD, at(20, 16))  # Friday 16:00 -> Monday 11:00
    assert left == TimeLeft(3.5 * 3600, "office_seconds", False)  # not the 67 hours of wall time
    late = time_left(clock(at(20, 16), "business_minutes"), STD, at(23, 9))  # due Friday 16:00, now Monday 09:00
    assert late == TimeLeft(1.5 * 3600, "office_seconds", True)


def test_a_working_day_target_counts_working_days():
    # Thursday 15:00 -> Tuesday 10:00: Friday, Monday and (part of) Tuesday
    assert time_left(clock(at(24, 10), "working_days"), STD, at(19, 15)) == TimeLeft(3, "working_days", False)
    assert time_left(clock(at(19, 15), "working_days"), STD, at(24, 10)) == TimeLeft(3, "working_days", True)
    # due at opening time on Tuesday: the end of Monday, so Friday and Monday are left
    assert time_left(clock(at(24, 8, 30), "working_days"), STD, at(19, 15)) == TimeLeft(2, "working_days", False)
    same_day = time_left(clock(at(24, 15), "working_days"), STD, at(24, 10))  # due later today: office hours
    assert same_day == TimeLeft(5 * 3600, "office_seconds", False)
    overnight = time_left(clock(at(25, 8, 30), "working_days"), STD, at(24, 10))  # tomorrow at opening time
    assert overnight == TimeLeft(7 * 3600, "office_seconds", False)


def test_calendar_days_and_clocks_without_a_deadline():
    assert time_left(clock(at(22, 12), "calendar_days"), STD, at(20, 12)) == \
        TimeLeft(timedelta(days=2).total_seconds(), "seconds", False)
    assert time_left(clock(None, "business_minutes"), STD, at(20, 12)) is None
    assert time_left(clock(at(22, 12), "business_minutes", met=at(21, 9)), STD, at(20, 12)) is None


def dec(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=AMS)  # 2026-12-07 is a Monday


def test_a_day_not_yet_opened_is_a_whole_working_day_left():
    due_thursday, due_next_monday = clock(dec(10, 8, 30), "working_days"), clock(dec(14, 8, 30), "working_days")
    # before Monday's opening: Monday, Tuesday and Wednesday are left, as they are on Sunday evening
    assert time_left(due_thursday, STD, dec(7, 1, 48)) == TimeLeft(3, "working_days", False)
    assert time_left(due_thursday, STD, dec(6, 23)) == TimeLeft(3, "working_days", False)
    assert time_left(due_thursday, STD, dec(5, 12)) == TimeLeft(3, "working_days", False)  # Saturday
    assert time_left(due_next_monday, STD, dec(7, 1, 48)) == TimeLeft(5, "working_days", False)  # Mon-Fri
    assert time_left(due_thursday, STD, dec(7, 8, 30)) == TimeLeft(3, "working_days", False)  # at opening
    # once Monday has opened only the whole days after it count: Tuesday and Wednesday
    assert time_left(due_thursday, STD, dec(7, 10)) == TimeLeft(2, "working_days", False)
    assert time_left(due_thursday, STD, dec(7, 18)) == TimeLeft(2, "working_days", False)  # after closing
    assert time_left(due_thursday, STD, dec(8, 1)) == TimeLeft(2, "working_days", False)  # Tuesday night
    # due tomorrow at opening time, now before today's opening: all of today is left
    assert time_left(clock(dec(8, 8, 30), "working_days"), STD, dec(7, 1, 48)) == \
        TimeLeft(1, "working_days", False)
    same_day = time_left(clock(dec(7, 12), "working_days"), STD, dec(7, 1, 48))  # due later today
    assert same_day == TimeLeft(3.5 * 3600, "office_seconds", False)


def test_lateness_counts_a_deadline_at_opening_time_as_the_whole_day_missed():
    # due Monday 08:30 (the end of Friday), now Wednesday 10:00: Monday, Tuesday and part of Wednesday
    assert time_left(clock(dec(7, 8, 30), "working_days"), STD, dec(9, 10)) == TimeLeft(3, "working_days", True)


def row(next_due: datetime | None, targets: dict, **columns) -> SimpleNamespace:
    """A list row (`ticket_rows.TicketRow`-like): the clock columns, `sla_targets` and `next_due_at`."""
    fields = {f"{clock}_{part}": None for clock in CLOCKS for part in ("due_at", "met_at", "breached_at")}
    return SimpleNamespace(**{**fields, **columns}, next_due_at=next_due, sla_targets=targets, calendar_id=None,
                           handling_paused_at=None)


RESPONSE = {"value": 240, "unit": "business_minutes"}
HANDLING = {"value": 3, "unit": "working_days"}


def test_a_list_row_counts_the_clock_its_next_due_at_belongs_to():
    friday, monday = at(20, 16), at(23, 10)
    response = row(monday, {"response": RESPONSE}, first_response_due_at=monday)
    assert next_due_clock(response) == "first_response"
    assert next_due_left(response, lambda _id: STD, friday) == TimeLeft(2.5 * 3600, "office_seconds", False)
    handling = row(monday, {"response": RESPONSE, "handling": HANDLING}, first_response_due_at=at(18, 11),
                   first_response_met_at=at(18, 10), handling_due_at=monday)
    assert next_due_clock(handling) == "handling"
    assert next_due_left(handling, lambda _id: STD, friday) == TimeLeft(1, "working_days", False)


def test_a_list_row_skips_clocks_that_do_not_run_and_falls_back_to_wall_time():
    friday, monday = at(20, 16), at(23, 10)
    stopped = {"response": RESPONSE, "handling": HANDLING, "marks": {"first_response": {"stopped": at(20, 12).isoformat()}}}
    ticket = row(monday, stopped, first_response_due_at=monday, handling_due_at=monday)
    assert next_due_clock(ticket) == "handling"  # the response clock stopped unmet: it is not the one due
    paused = row(monday, {"handling": HANDLING}, handling_due_at=monday)
    paused.handling_paused_at = at(20, 9)
    assert next_due_clock(paused) is None
    # no clock due at `next_due_at` (set by other means): wall time, as before
    assert next_due_left(paused, lambda _id: STD, friday) == TimeLeft(66 * 3600, "seconds", False)
    assert next_due_left(row(None, {}), lambda _id: STD, friday) is None


def test_a_list_row_counts_department_feedback_on_the_departments_calendar():
    friday, monday = at(20, 16), at(23, 10)
    feedback = {"value": 1, "unit": "working_days", "calendar_id": 7}
    ticket = row(monday, {"department_feedback": feedback}, department_feedback_due_at=monday)
    asked = []
    assert next_due_left(ticket, lambda calendar_id: asked.append(calendar_id) or STD, friday) == \
        TimeLeft(1, "working_days", False)
    assert asked == [7]
