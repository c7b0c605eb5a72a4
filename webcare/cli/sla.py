"""`webcare sla deadline` and `webcare calendar closed-days`: the calendar arithmetic from the shell."""

from __future__ import annotations

from datetime import datetime

import click

from webcare.calendar import Calendar, CalendarError
from webcare.cli import Context, emit, fail, handles_errors, main, pass_ctx
from webcare.services import calendars, sla_admin


@main.group("sla")
def sla_group() -> None:
    """SLA deadlines on the business calendar."""


@sla_group.command("deadline")
@click.option("--start", required=True, help="ISO 8601 with offset, e.g. 2025-03-07T16:00:00+01:00.")
@click.option("--business-hours", type=float, help="Business hours to add (decimals allowed: 1.5).")
@click.option("--working-days", type=int, help="Working days: the same local time on the Nth working day.")
@click.option("--calendar-days", type=int, help="Calendar days: the same local time N days later.")
@click.option("--calendar", "calendar_name", help="Calendar name (default: the default calendar).")
@pass_ctx
@handles_errors
def deadline(ctx: Context, start: str, business_hours: float | None, working_days: int | None,
             calendar_days: int | None, calendar_name: str | None) -> None:
    """Print the deadline as ISO 8601 with the calendar's local offset."""
    chosen = [(v, u) for v, u in ((business_hours, "business_minutes"), (working_days, "working_days"),
                                  (calendar_days, "calendar_days")) if v is not None]
    if len(chosen) != 1:
        fail("give exactly one of --business-hours, --working-days, --calendar-days")
    value, unit = chosen[0]
    amount = value * 60 if unit == "business_minutes" else value
    _check_amount(amount, unit)
    moment = _parse_start(start)
    calendar = _calendar(ctx, calendar_name)
    try:
        due = calendar.add(moment, amount, unit)
    except CalendarError as exc:
        fail(str(exc))
    local = due.astimezone(calendar.zone)  # a deadline is found in local time: it fits in it
    emit({"start": moment.isoformat(), "deadline": local.isoformat(), "calendar": calendar.name,
          "unit": unit.replace("business_minutes", "business_hours"), "amount": value})


@main.group("calendar")
def calendar_group() -> None:
    """Business calendars."""


@calendar_group.command("closed-days")
@click.argument("year", type=click.IntRange(1900, 2999))
@click.option("--calendar", "calendar_name", help="Calendar name (default: the default calendar).")
@pass_ctx
@handles_errors
def closed_days(ctx: Context, year: int, calendar_name: str | None) -> None:
    """List the closed days of YEAR (holidays and extra closing days) with their names, as JSON."""
    emit(_calendar(ctx, calendar_name).closed_days(year))


def _check_amount(amount: float, unit: str) -> None:
    """Not negative, and no more than the largest SLA target an admin can set (which also rules out nan, inf)."""
    if amount < 0:
        fail("the amount must not be negative")
    maximum = sla_admin.UNIT_MAXIMUM[unit]
    if not amount <= maximum:
        hours, minutes = divmod(maximum, 60)  # the exact limit: 1666.67 hours would be refused itself
        shown = ((f"{hours} business hours" + (f" and {minutes} minutes" if minutes else ""))
                 if unit == "business_minutes" else f"{maximum} {unit.replace('_', ' ')}")
        fail(f"the amount must be at most {shown} (the largest SLA target)")


def _parse_start(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--start {text!r} is not an ISO 8601 date and time")
    if moment.tzinfo is None:
        fail("--start needs a UTC offset, e.g. 2025-03-07T16:00:00+01:00")
    return moment


def _calendar(ctx: Context, name: str | None) -> Calendar:
    with ctx.transaction() as session:
        return calendars.by_name(session, name)
