"""The state of a ticket's SLA clocks as people and the API see it: target, due, met, breached, level.

Levels (DOMAIN.md, docs/SLA.md): `on_time`; `at_risk` from 80 % of the target; `breached` from 100 %;
`late_3x` from 300 %; `met` once the clock was stopped by what it waits for (in time or late); `none`
when the clock does not run for this ticket, or stopped without being met before it was breached.

The 80 % and 300 % moments are measured in the target's own time (business time for business-hour and
working-day targets, wall time for calendar days) and stored by `services.sla` on the ticket
(`sla_targets["marks"]`), so this module needs no calendar and no query.
"""

from __future__ import annotations

from datetime import datetime

from webcare.db import utcnow
from webcare.models import Ticket
from webcare.models.ticket import CLOCKS
from webcare.services.sla_clocks import level_at

TARGET_KEYS = {"first_response": "response", "next_response": "next_response",
               "department_feedback": "department_feedback", "handling": "handling"}
# Per clock the names of its columns (due, met, breached), built once: a list of 50 tickets asks 200 times.
COLUMNS = {clock: (f"{clock}_due_at", f"{clock}_met_at", f"{clock}_breached_at") for clock in CLOCKS}


def clock_start(ticket: Ticket, clock: str) -> datetime | None:
    if clock in ("first_response", "handling"):
        return ticket.created_at
    return getattr(ticket, f"{clock}_started_at")


def target_of(ticket: Ticket, clock: str) -> dict | None:
    """{"value": 4, "unit": "business_minutes" | "working_days" | "calendar_days"} or None."""
    return _target(ticket, clock, getattr(ticket, COLUMNS[clock][0]))


def _target(ticket: Ticket, clock: str, due: datetime | None) -> dict | None:
    targets = ticket.sla_targets or {}
    target = targets.get(TARGET_KEYS[clock]) or (targets.get("response") if clock == "next_response" else None)
    if not target or target.get("value") is None or due is None:
        return None
    shown = {"value": target["value"], "unit": target["unit"]}
    if clock == "department_feedback" and target.get("department_id"):
        shown["department_id"] = target["department_id"]
    return shown


def _stored(ticket: Ticket, clock: str) -> dict:
    return ((ticket.sla_targets or {}).get("marks") or {}).get(clock) or {}


def _marks(ticket: Ticket, clock: str, due: datetime, stored: dict) -> dict[str, datetime]:
    marks = {name: datetime.fromisoformat(stored[name]) for name in ("at_risk", "breached", "late_3x")
             if stored.get(name)}
    if marks.get("breached") != due or len(marks) != 3:  # not computed by the engine: wall-time fractions
        start = clock_start(ticket, clock) or due
        span = due - start
        marks = {"at_risk": start + span * 0.8, "breached": due, "late_3x": start + span * 3}
    return marks


def moment_of(ticket: Ticket, clock: str, now: datetime) -> datetime:
    """The moment a clock is read at: while handling is paused, the moment the pause began (the clock
    stands still, docs/SLA.md), else `now`."""
    return ticket.handling_paused_at if clock == "handling" and ticket.handling_paused_at else now


def clock_level(ticket: Ticket, clock: str, now: datetime) -> str:
    due_column, met_column, _ = COLUMNS[clock]
    return _level(ticket, clock, getattr(ticket, due_column), getattr(ticket, met_column), now)


def _level(ticket: Ticket, clock: str, due: datetime | None, met: datetime | None, now: datetime) -> str:
    if due is None:
        return "none"
    if met is not None:
        return "met"  # what level_at says of a met clock, whatever its marks
    stored = _stored(ticket, clock)
    stopped = stored.get("stopped")
    return level_at(_marks(ticket, clock, due, stored), None, datetime.fromisoformat(stopped) if stopped else None,
                    moment_of(ticket, clock, now))


def clocks_of(ticket: Ticket, now: datetime | None = None) -> dict[str, dict]:
    now = now or utcnow()
    result = {}
    for clock, (due_column, met_column, breached_column) in COLUMNS.items():
        due, met = getattr(ticket, due_column), getattr(ticket, met_column)
        level = _level(ticket, clock, due, met, now)
        result[clock] = {
            "target": _target(ticket, clock, due),
            "due_at": due,
            "met_at": met,
            # stored at the last recompute; a running clock that went past its due time since is breached now
            "breached_at": getattr(ticket, breached_column) or (due if level in ("breached", "late_3x") else None),
            "paused": clock == "handling" and ticket.handling_paused_at is not None,
            "level": level,
        }
    return result
