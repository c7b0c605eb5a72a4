"""The SLA sweep: record each level crossing once as a ticket event and tell the people concerned.

`sweep(session, now)` takes the tickets whose `sla_check_at` has come (PostgreSQL: locked with SKIP
LOCKED, so a second scheduler takes other tickets), replays their clocks and records every level a
running clock has reached as an `sla_level` event with the crossing's key (once per run of a clock and per
level: `services.sla_crossings`) as `dedupe_key`, inserted with ON CONFLICT DO NOTHING: when two sweeps race,
one inserts, the other quietly does nothing and notifies nobody. Who hears what is in docs/SLA.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webcare.i18n import LANGUAGES, N_
from webcare.mailer import translations_for
from webcare.models import Department, Ticket, TicketEvent, User
from webcare.models.ticket_event import HAS_DEDUPE_KEY
from webcare.queue import publish_after_commit
from webcare.services import metric_facts, sla
from webcare.services.notifications import department_members, notify
from webcare.services.sla_clocks import ClockState
from webcare.services.sla_crossings import Recorded, crossing_key

SWEEP_LIMIT = 500
INSERT_CHUNK = 200  # rows per INSERT statement (7 parameters each: well under SQLite's limit)
NOTIFY_WITHIN = timedelta(hours=24)  # older crossings (downtime, imported history) are recorded silently
CLOCK_NAMES = {"first_response": N_("first response"), "next_response": N_("next response"),
               "department_feedback": N_("department feedback"), "handling": N_("handling")}
TEXTS = {
    "at_risk": N_("Ticket #%(id)s: %(clock)s is at risk (due %(due)s)"),
    "breached": N_("Ticket #%(id)s: %(clock)s is overdue (was due %(due)s)"),
    "late_3x": N_("Ticket #%(id)s: %(clock)s is three times over its target (was due %(due)s)"),
}


def sweep(session: Session, now: datetime, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Look at up to `limit` tickets whose check time has come; return counts."""
    statement = (select(Ticket).where(Ticket.sla_check_at <= now).order_by(Ticket.sla_check_at, Ticket.id)
                 .limit(limit).with_for_update(skip_locked=True, of=Ticket))
    tickets = list(session.scalars(statement))
    events = sla.events_by_ticket(session, [ticket.id for ticket in tickets])
    metric_facts.preload(session, tickets)
    candidates: list[tuple[Ticket, str, str, ClockState]] = []
    for ticket in tickets:
        history = events.get(ticket.id, [])
        recorded = Recorded(history)
        states = sla.apply_history(session, ticket, history, now)
        candidates += [(ticket, clock, level, state) for clock, state in states.items() if state is not None
                       for level in state.crossed() if not recorded.has(ticket.id, clock, level, state)]
        ticket.sla_check_at = sla.next_mark(states.values(), now)
    inserted = record_crossings(session, candidates)
    counts = {"tickets": len(tickets), "crossings": len(inserted), "notifications": 0}
    highest: dict[tuple[int, str], tuple[Ticket, str, str, ClockState]] = {}
    for ticket, clock, level, state in candidates:  # lowest level first: the last one kept is the highest
        if crossing_key(ticket.id, clock, level, state) in inserted:
            highest[ticket.id, clock] = (ticket, clock, level, state)
    for ticket, clock, level, state in highest.values():
        if now - state.marks[level] <= NOTIFY_WITHIN:
            counts["notifications"] += alert(session, ticket, clock, level, state)
    return counts


def record_crossings(session: Session, crossings: list[tuple[Ticket, str, str, ClockState]]) -> set[str]:
    """Insert the crossing events that do not exist yet (INSERT ... ON CONFLICT DO NOTHING RETURNING, in
    chunks, on the session's connection: no autoflush); return the dedupe keys this call inserted."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"recording SLA crossings needs PostgreSQL or SQLite, not {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = sorted((_row(*crossing) for crossing in crossings), key=lambda row: row["dedupe_key"])  # lock order
    inserted: set[str] = set()
    for start in range(0, len(rows), INSERT_CHUNK):
        statement = insert(TicketEvent.__table__).values(rows[start:start + INSERT_CHUNK]) \
            .on_conflict_do_nothing(index_elements=["dedupe_key"], index_where=HAS_DEDUPE_KEY) \
            .returning(TicketEvent.__table__.c.dedupe_key)  # the key is unique where set (partial index)
        inserted.update(session.connection().execute(statement).scalars())
    return inserted


def record_crossing(session: Session, ticket: Ticket, clock: str, level: str, state: ClockState) -> bool:
    """One crossing; True when this call inserted it."""
    return bool(record_crossings(session, [(ticket, clock, level, state)]))


def _row(ticket: Ticket, clock: str, level: str, state: ClockState) -> dict:
    department_id = (ticket.sla_targets.get("department_feedback") or {}).get("department_id") \
        if clock == "department_feedback" else ticket.department_id
    return {"ticket_id": ticket.id, "type": "sla_level", "actor_id": None, "department_id": department_id,
            "at": state.marks[level], "data": {"clock": clock, "level": level, "due_at": state.due.isoformat()},
            "dedupe_key": crossing_key(ticket.id, clock, level, state)}


def alert(session: Session, ticket: Ticket, clock: str, level: str, state: ClockState) -> int:
    """Bell (and e-mail) for the people concerned, each in their own language; returns rows made."""
    users = recipients(session, ticket, clock, level)
    default = _setting(session, "language", "nl")
    made = 0
    by_language = sorted(users, key=lambda u: u.language if u.language in LANGUAGES else default)
    for language, group in groupby(by_language, key=lambda u: u.language if u.language in LANGUAGES else default):
        text = message(language, ticket.id, clock, level, state.due, _zone(session))
        made += len(notify(session, list(group), f"sla_{level}", text, ticket=ticket, email=True))
    publish_after_commit(session, {"type": "ticket_updated", "ticket_id": ticket.id,
                                   "department_id": ticket.department_id, "threat": ticket.threat})
    return made


def recipients(session: Session, ticket: Ticket, clock: str, level: str) -> list[User]:
    """The assignee; the responsible department (at risk: only when nobody is assigned); managers at 3x."""
    users = [ticket.assignee] if ticket.assignee is not None else []
    if level != "at_risk" or not users:
        for department_id in _responsible_departments(session, ticket, clock):
            users += department_members(session, department_id)
    if level == "late_3x":
        users += session.scalars(select(User).where(User.role == "manager", User.active.is_(True)))
    return list({user.id: user for user in users if user.active}.values())


def _responsible_departments(session: Session, ticket: Ticket, clock: str) -> list[int]:
    if clock == "department_feedback":
        department_id = (ticket.sla_targets.get("department_feedback") or {}).get("department_id")
        return [department_id] if department_id else []
    if clock == "handling":
        return [ticket.department_id] if ticket.department_id else []
    return list(session.scalars(select(Department.id).where(Department.is_front_office.is_(True),
                                                            Department.active.is_(True))))


def message(language: str, ticket_id: int, clock: str, level: str, due: datetime, zone: ZoneInfo) -> str:
    translate = translations_for(language).gettext
    due_text = format_datetime(due, "EEE d MMM HH:mm", tzinfo=zone, locale=language)
    return translate(TEXTS[level]) % {"id": ticket_id, "clock": translate(CLOCK_NAMES[clock]), "due": due_text}


def _setting(session: Session, name: str, default):
    settings = session.info.get("settings")
    return getattr(settings, name, default) if settings is not None else default


def _zone(session: Session) -> ZoneInfo:
    return ZoneInfo(_setting(session, "timezone", "Europe/Amsterdam"))
