"""Administering SLA policies, department feedback targets and business calendars.

A policy change reaches new tickets only (tickets keep their snapshot). A calendar change (opening
hours, closing days) applies to every clock still running: open tickets are marked for the sweep, which
recomputes them within minutes. Every change is audited.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webcare.calendar import CalendarError, opening_hours_from_text, zone_of
from webcare.db import utcnow
from webcare.errors import Conflict, NotFound, ValidationFailed
from webcare.models import BusinessCalendar, ClosingDay, Department, SlaPolicy, Ticket, User
from webcare.services import audit, sla_cache
from webcare.workflow import OPEN_STATUSES

POLICY_LIMITS = {
    "first_response_dm_minutes": (1, 100_000), "first_response_public_minutes": (1, 100_000),
    "next_response_dm_minutes": (1, 100_000), "next_response_public_minutes": (1, 100_000),
    "department_feedback_working_days": (0, 365), "at_risk_percent": (1, 99),
}
# The largest target in each unit of `Calendar.add`, from the policy limits (a calendar-day target has no
# admin limit of its own: the working days' one applies).
UNIT_MAXIMUM = {"business_minutes": POLICY_LIMITS["first_response_dm_minutes"][1],
                "working_days": POLICY_LIMITS["department_feedback_working_days"][1],
                "calendar_days": POLICY_LIMITS["department_feedback_working_days"][1]}


def policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.is_default.desc(), SlaPolicy.name)))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code)))


def calendars(session: Session) -> list[BusinessCalendar]:
    return list(session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.is_default.desc(),
                                                                  BusinessCalendar.name)))


def get_policy(session: Session, policy_id: int) -> SlaPolicy:
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} not found")
    return policy


def get_calendar(session: Session, calendar_id: int) -> BusinessCalendar:
    calendar = session.get(BusinessCalendar, calendar_id)
    if calendar is None:
        raise NotFound(f"calendar {calendar_id} not found")
    return calendar


def save_policy(session: Session, actor: User, policy: SlaPolicy | None, values: dict) -> SlaPolicy:
    """Create or change a policy; `values` has name, the POLICY_LIMITS fields, calendar_id, is_default, active."""
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationFailed("a policy needs a name", fields={"name": "required"})
    clash = session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == name))
    if clash and (policy is None or clash != policy.id):
        raise Conflict(f"there is already a policy called {name!r}", code="policy_taken")
    for field, (low, high) in POLICY_LIMITS.items():
        if not isinstance(values.get(field), int) or not low <= values[field] <= high:
            raise ValidationFailed(f"{field} must be a whole number from {low} to {high}", fields={field: values.get(field)})
    if values.get("calendar_id") is not None:
        get_calendar(session, values["calendar_id"])
    policy = policy or SlaPolicy()
    policy.name, policy.calendar_id = name, values.get("calendar_id")
    policy.active, policy.is_default = bool(values.get("active", True)), bool(values.get("is_default"))
    for field in POLICY_LIMITS:
        setattr(policy, field, values[field])
    session.add(policy)
    session.flush()
    if policy.is_default:
        session.execute(update(SlaPolicy).where(SlaPolicy.id != policy.id).values(is_default=False))
    audit.record(session, actor, "sla_policy.save", target=("sla_policy", policy.id),
                 data={field: getattr(policy, field) for field in (*POLICY_LIMITS, "name", "calendar_id", "is_default")})
    sla_cache.forget_cache(session)
    return policy


def save_department_targets(session: Session, actor: User, targets: dict[int, tuple[int | None, int | None]]) -> int:
    """{department id: (feedback working days or None for the policy's, calendar id or None)}."""
    known_calendars = set(session.scalars(select(BusinessCalendar.id)))
    changed = 0
    for department in session.scalars(select(Department).where(Department.id.in_(targets))):
        days, calendar_id = targets[department.id]
        if days is not None and not 0 <= days <= 365:
            raise ValidationFailed(f"{department.code}: feedback days must be from 0 to 365", fields={department.code: days})
        if calendar_id is not None and calendar_id not in known_calendars:
            raise ValidationFailed(f"{department.code}: unknown calendar", fields={department.code: calendar_id})
        if (department.feedback_working_days, department.calendar_id) != (days, calendar_id):
            department.feedback_working_days, department.calendar_id = days, calendar_id
            audit.record(session, actor, "department.sla_targets", target=("department", department.id),
                         data={"feedback_working_days": days, "calendar_id": calendar_id})
            changed += 1
    sla_cache.forget_cache(session)
    return changed


def save_calendar(session: Session, actor: User, calendar: BusinessCalendar | None, *, name: str, timezone: str,
                  hours_text: dict[str, str], statutory_holidays: bool, is_default: bool) -> BusinessCalendar:
    name = name.strip()
    if not name:
        raise ValidationFailed("a calendar needs a name", fields={"name": "required"})
    clash = session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.name == name))
    if clash and (calendar is None or clash != calendar.id):
        raise Conflict(f"there is already a calendar called {name!r}", code="calendar_taken")
    try:
        zone_of(timezone)
        hours = opening_hours_from_text(hours_text)
    except CalendarError as exc:
        raise ValidationFailed(str(exc), fields={"opening_hours": str(exc)}, code=exc.code, params=exc.params) from exc
    if not any(hours.values()):
        raise ValidationFailed("a calendar needs opening hours on at least one day", fields={"opening_hours": "empty"})
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.timezone, calendar.opening_hours = name, timezone, hours
    calendar.statutory_holidays, calendar.is_default = statutory_holidays, is_default
    session.add(calendar)
    session.flush()
    if is_default:
        session.execute(update(BusinessCalendar).where(BusinessCalendar.id != calendar.id).values(is_default=False))
    audit.record(session, actor, "calendar.save", target=("calendar", calendar.id),
                 data={"name": name, "opening_hours": hours, "statutory_holidays": statutory_holidays})
    _calendar_changed(session)
    return calendar


def add_closing_day(session: Session, actor: User, calendar: BusinessCalendar, day: date | None, name: str) -> ClosingDay:
    name = (name or "").strip()
    if day is None or not name:
        raise ValidationFailed("a closing day needs a date and a name", fields={"day": day, "name": name})
    if session.scalar(select(ClosingDay.id).where(ClosingDay.calendar_id == calendar.id, ClosingDay.day == day)):
        raise Conflict(f"{day.isoformat()} is already a closing day of {calendar.name}", code="closing_day_taken",
                       params={"date": day.isoformat(), "calendar": calendar.name})
    closing = ClosingDay(calendar_id=calendar.id, day=day, name=name[:120])
    session.add(closing)
    session.flush()
    audit.record(session, actor, "calendar.closing_day.add", target=("calendar", calendar.id),
                 data={"day": day.isoformat(), "name": closing.name})
    _calendar_changed(session)
    return closing


def remove_closing_day(session: Session, actor: User, calendar: BusinessCalendar, closing_day_id: int) -> None:
    closing = session.get(ClosingDay, closing_day_id)
    if closing is None or closing.calendar_id != calendar.id:
        raise NotFound(f"closing day {closing_day_id} not found")
    audit.record(session, actor, "calendar.closing_day.remove", target=("calendar", calendar.id),
                 data={"day": closing.day.isoformat(), "name": closing.name})
    session.delete(closing)
    session.flush()
    _calendar_changed(session)


def _calendar_changed(session: Session) -> None:
    """Running clocks follow the calendar: let the sweep recompute every open ticket."""
    session.execute(update(Ticket).where(Ticket.status.in_(OPEN_STATUSES)).values(sla_check_at=utcnow()))
    sla_cache.forget_cache(session)
