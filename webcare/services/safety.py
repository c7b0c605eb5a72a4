"""Threats and intimidation: tell the safety team at once, keep the evidence, export it for a police report.

- `on_threat_flagged(session, ticket)`: call it when a ticket is flagged as a threat (ingest, routing, a
  person re-flagging). It notifies every member of the safety team (departments with `is_safety_team`,
  default VB) in the bell, or the administrators when the team has no active members, and records a
  `safety_notified` event. Idempotent: a ticket is announced once (the event's dedupe key), so the
  periodic safety net (workers/safety.py) may call it for every flagged ticket it finds unannounced.
- Evidence: retention and erasure leave threat tickets alone (services.retention, services.subject_rights),
  so the raw payload and the post's URL stay.
- `aangifte_report(...)`: the facts for a police report (message, author, platform link, times), logged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from babel.support import Translations
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Conflict
from webcare.i18n import N_
from webcare.models import Department, Message, Notification, Ticket, TicketEvent, User
from webcare.platforms import DISPLAY_NAMES
from webcare.services import audit, notifications
from webcare.services.events import record_event
from webcare.services.ticket_actions import touch

log = logging.getLogger(__name__)

NOTIFICATION_KIND = "threat"
SAFETY_NET_DAYS = 7
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"


def on_threat_flagged(session: Session, ticket: Ticket, *, language: str | None = None) -> list[Notification]:
    """Announce a flagged ticket to the safety team once; returns the notifications made now."""
    if not ticket.threat:
        return []
    if ticket.id is None:
        session.flush()
    session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update())
    if _already_announced(session, ticket.id):
        return []
    recipients = _safety_team(session) or _administrators(session)
    if not recipients:
        log.warning("threat ticket %s: no safety team members and no administrators to notify", ticket.id)
    settings = session.info.get("settings")
    text = _translate(
        N_("Threat or intimidation reported in ticket %(id)s (%(platform)s). Please assess it now."),
        language or (settings.language if settings else "nl"), id=ticket.id,
        platform=DISPLAY_NAMES.get(ticket.channel.platform, ticket.channel.platform),
    )
    created = notifications.notify(session, recipients, NOTIFICATION_KIND, text, ticket=ticket)
    record_event(session, ticket, "safety_notified", data={"user_ids": sorted(n.user_id for n in created)},
                 dedupe_key=f"safety_notified:{ticket.id}")
    session.flush()
    return created


def flag_by_hand(session: Session, ticket: Ticket, actor: User, at: datetime | None = None) -> Ticket:
    """A person who can see the ticket recognises a threat the rules missed: flag it, make it urgent and tell
    the safety team (as routing does), with the person in the history. Nothing changes when it is flagged."""
    if ticket.threat:
        return ticket
    at = at or utcnow()
    record_event(session, ticket, "threat_flagged", actor=actor, at=at, data={"by_hand": True})
    if ticket.priority != "urgent":
        record_event(session, ticket, "priority_changed", actor=actor, at=at,
                     data={"from": ticket.priority, "to": "urgent"})
    ticket.threat, ticket.priority = True, "urgent"
    touch(session, ticket, at)
    on_threat_flagged(session, ticket)
    return ticket


def may_report(user: User) -> bool:
    """Who may export a threat for a police report: webcare staff and the safety team, not other departments."""
    return user.role != "department" or any(d.is_safety_team for d in user.departments)


def unannounced_threat_ids(session: Session, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Flagged tickets, changed in the last week, that the safety team has not been told about."""
    since = (now or utcnow()) - timedelta(days=SAFETY_NET_DAYS)
    announced = exists().where(TicketEvent.ticket_id == Ticket.id, TicketEvent.type == "safety_notified")
    return list(session.scalars(
        select(Ticket.id).where(Ticket.threat, Ticket.updated_at >= since, ~announced)  # ix_tickets_threat_updated_at
        .order_by(Ticket.id).limit(limit)
    ))


def aangifte_report(session: Session, ticket: Ticket, actor: User, now: datetime | None = None) -> dict:
    """The facts of a threat ticket for a police report; logged (audit and an `exported` event)."""
    if not ticket.threat:
        raise Conflict("an aangifte export is only made for tickets flagged as a threat")
    now = now or utcnow()
    messages = list(session.scalars(
        select(Message).where(Message.ticket_id == ticket.id, Message.direction == "in").order_by(Message.id)
    ))
    record_event(session, ticket, "exported", actor=actor, at=now, data={"scope": "aangifte"})
    audit.record(session, actor, "ticket.aangifte_export", ticket_id=ticket.id, target=("ticket", ticket.id),
                 data={"messages": [m.id for m in messages]})
    return {"ticket": ticket, "messages": messages, "contact": ticket.contact, "exported_at": now,
            "exported_by": actor}


def _already_announced(session: Session, ticket_id: int) -> bool:
    return session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.type == "safety_notified").limit(1)) is not None


def _safety_team(session: Session) -> list[User]:
    members: dict[int, User] = {}
    for department_id in session.scalars(select(Department.id).where(Department.is_safety_team.is_(True),
                                                                     Department.active.is_(True))):
        members.update({u.id: u for u in notifications.department_members(session, department_id)})
    return list(members.values())


def _administrators(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "admin", User.active.is_(True))))


def _translate(message: str, language: str, **values) -> str:
    return _catalog(language).gettext(message) % values


@cache
def _catalog(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS_DIR), [language])
