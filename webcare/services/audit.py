"""The audit log: record every action by a person, append-only, and search it (admins).

`record(session, actor, action, ...)` adds one entry. Where the action came from (IP, user agent) is
taken from `origin` when given, else from the session (the web edge puts the request's origin in
`session.info["origin"]`), else it is the command line. Entries are never changed or deleted: the
model refuses updates and deletes, and on PostgreSQL a trigger refuses them too.

Action names are dotted, area first: `login`, `reply.pii_override`, `contact.export`, `contact.erase`,
`ticket.aangifte_export`, `two_factor.enabled`, ... (docs/PRIVACY.md lists them).

One change is allowed, inside `redaction_allowed(session)`: erasure and retention replace the personal data in
the free text of an entry's `data` (services.anonymise.redact_audit_texts); every other column stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from webcare.models import AuditEntry, User

ORIGIN_KEY = "origin"
MAX_PAGE = 200
# Read by the append-only trigger on PostgreSQL (migration privacy_0002): while "on" in the transaction, an
# UPDATE of audit_log that changes `data` only is let through.
REDACTION_SETTING = "webcare.audit_redaction"


@dataclass(frozen=True)
class Origin:
    """Where an action came from: an IP and user agent for the web, 'cli' for the command line."""

    ip: str = ""
    user_agent: str = ""


CLI = Origin(ip="", user_agent="cli")
SYSTEM = Origin(ip="", user_agent="system")


def record(
    session: Session,
    actor: User | None,
    action: str,
    origin: Origin | None = None,
    *,
    ticket_id: int | None = None,
    target: tuple[str, str | int] | None = None,
    data: dict | None = None,
) -> AuditEntry:
    origin = origin or session.info.get(ORIGIN_KEY) or CLI
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else "",
        action=action,
        ticket_id=ticket_id,
        target_type=target[0] if target else None,
        target_id=str(target[1]) if target else None,
        ip=origin.ip[:45],
        user_agent=origin.user_agent[:255],
        data=data or {},
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditQuery:
    """Filters for the audit log; every field is optional. `before_id` pages back (newest first)."""

    actor: str = ""  # part of the actor's e-mail address
    action: str = ""  # an exact action, or a prefix ending in "." or "*" ("contact." or "two_factor*")
    ticket_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 50


def search(session: Session, query: AuditQuery) -> list[AuditEntry]:
    """Entries matching the query, newest first, at most `query.limit` (capped at 200)."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(query.limit, MAX_PAGE)))
    actor = query.actor.strip().lower()
    if actor:
        statement = statement.where(AuditEntry.actor_email.contains(actor, autoescape=True))
    action = query.action.strip()
    if action.endswith(("*", ".")):
        statement = statement.where(AuditEntry.action.startswith(action.rstrip("*"), autoescape=True))
    elif action:
        statement = statement.where(AuditEntry.action == action)
    if query.ticket_id is not None:
        statement = statement.where(AuditEntry.ticket_id == query.ticket_id)
    if query.since is not None:
        statement = statement.where(AuditEntry.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntry.at < query.until)
    if query.before_id is not None:
        statement = statement.where(AuditEntry.id < query.before_id)
    return list(session.scalars(statement))


@contextmanager
def redaction_allowed(session: Session) -> Iterator[None]:
    """Let the statements inside change the `data` of audit entries (only the redaction of erasure and retention does).

    The ORM refuses a change of a loaded entry; a bulk UPDATE by primary key is not refused by the ORM, and on
    PostgreSQL the trigger lets it through only while the transaction-local setting is on. If a statement
    fails, the transaction is rolled back and the setting with it.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": REDACTION_SETTING})
    yield
    if postgres:
        session.execute(text("SELECT set_config(:name, 'off', true)"), {"name": REDACTION_SETTING})
