"""Anonymisation: people go, metrics stay. Used by the retention job and by erasure on request.

What goes: message texts, raw payloads, post URLs, the citizen's handle and name on messages, note texts,
free text in event data (closing texts, hand-off questions, reasons), notification texts, the ticket's
subject and promise text, and the contact's handle, name, profile URL and platform user id. The ticket
stops being the live ticket of its thread: a later message there opens a new ticket.
What stays: every time (created, received, resolved, SLA due/met/breached, event times), statuses,
categories, departments, priorities, labels, channels, staff authors, event types and their ids, and
the messages' external ids (so a re-poll does not ingest an anonymised post again as a new ticket).
Threat tickets are never anonymised here: the callers leave them out (evidence, see services.safety).
Audit entries are never anonymised (the audit trail stays); erasure and retention redact the personal data that the
detector finds in their free text (`redact_audit_texts`: "Bel 06-12345678" becomes "Bel [phone]").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, insert, literal, select, update
from sqlalchemy.orm import Session

from webcare import privacy
from webcare.db import utcnow
from webcare.models import AuditEntry, Contact, Message, Note, Notification, Ticket, TicketEvent
from webcare.services import audit

FREE_TEXT_KEYS = frozenset({"text", "question", "reason", "subject", "body", "closing_text", "error"})


def anonymise_ticket(session: Session, ticket: Ticket, *, cause: str, now: datetime | None = None) -> bool:
    """Strip the personal data from one ticket; False if it was already anonymised (idempotent)."""
    return bool(anonymise_tickets(session, [ticket], cause=cause, now=now))


def anonymise_tickets(session: Session, tickets: list[Ticket], *, cause: str,
                      now: datetime | None = None) -> list[int]:
    """Strip the personal data from tickets in a few set-based statements; returns the ids done now.

    Tickets already anonymised are skipped. The caller holds the rows (locked where it matters).
    """
    ids = [t.id for t in tickets if t.anonymised_at is None]
    if not ids:
        return []
    now = now or utcnow()
    _anonymise_messages(session, Message.ticket_id.in_(ids))
    session.execute(update(Note).where(Note.ticket_id.in_(ids)).values(text=""))
    session.execute(update(Notification).where(Notification.ticket_id.in_(ids)).values(text=""))
    _strip_event_texts(session, ids)
    # The thread is retired as well (as ingest does for an old closed ticket): a later message in it opens a new
    # ticket instead of reopening this one, whose new texts retention would then never reach.
    session.execute(update(Ticket).where(Ticket.id.in_(ids))
                    .values(subject="", promise_text=None, anonymised_at=now, current_thread_key=None))
    session.execute(insert(TicketEvent), [
        {"ticket_id": ticket_id, "type": "anonymised", "at": now, "data": {"cause": cause},
         "dedupe_key": f"anonymised:{ticket_id}"} for ticket_id in ids
    ])
    return ids


def _strip_event_texts(session: Session, ticket_ids: list[int]) -> None:
    rows = session.execute(select(TicketEvent.id, TicketEvent.data).where(TicketEvent.ticket_id.in_(ticket_ids)))
    changes = [{"id": event_id, "data": {k: v for k, v in data.items() if k not in FREE_TEXT_KEYS}}
               for event_id, data in rows if data and FREE_TEXT_KEYS & set(data)]
    if changes:
        session.execute(update(TicketEvent), changes)


def redact_audit_texts(session: Session, ticket_ids: list[int]) -> int:
    """Replace the personal data in the free text (a re-route's or an override's reason, ...) of the tickets'
    audit entries by its kind in brackets; the entries themselves stay. Returns how many entries changed."""
    if not ticket_ids:
        return 0
    rows = session.execute(select(AuditEntry.id, AuditEntry.data).where(AuditEntry.ticket_id.in_(ticket_ids)))
    changes = [{"id": entry_id, "data": redacted} for entry_id, data in rows
               if data and (redacted := _redacted(data)) != data]
    if changes:
        with audit.redaction_allowed(session):
            session.execute(update(AuditEntry), changes)
    return len(changes)


def _redacted(data: dict) -> dict:
    return {key: privacy.redact(value) if key in FREE_TEXT_KEYS and isinstance(value, str) else value
            for key, value in data.items()}


def anonymise_messages_without_ticket(session: Session, *conditions) -> int:
    """Messages that never joined a ticket (ignored, spam) and match `conditions`."""
    return _anonymise_messages(session, Message.ticket_id.is_(None), *conditions)


def anonymise_messages_on_tickets(session: Session, ticket_ids, *conditions) -> int:
    """Messages on the given tickets (ids or a select of them) that match `conditions`; the tickets stay as
    they are (erasure: a citizen's own messages on another citizen's ticket)."""
    return _anonymise_messages(session, Message.ticket_id.in_(ticket_ids), *conditions)


def _anonymise_messages(session: Session, *conditions) -> int:
    inbound = session.execute(
        update(Message).where(*conditions, Message.direction == "in")
        .values(text="", raw=None, url=None, author_handle="", author_name="", pii_override_reason=None)
    ).rowcount
    outbound = session.execute(
        update(Message).where(*conditions, Message.direction == "out")
        .values(text="", raw=None, url=None, pii_override_reason=None)
    ).rowcount
    return inbound + outbound


def anonymise_contact(session: Session, contact: Contact, now: datetime | None = None) -> bool:
    """Forget who the contact was; the row stays so tickets keep their (now anonymous) contact."""
    if contact.anonymised_at is not None:
        return False
    anonymise_contacts(session, [contact.id], now)
    return True


def anonymise_contacts(session: Session, contact_ids: list[int], now: datetime | None = None) -> int:
    """Set-based: handle, name and profile URL go; the platform user id becomes `anonymised-<id>`."""
    if not contact_ids:
        return 0
    return session.execute(
        update(Contact).where(Contact.id.in_(contact_ids), Contact.anonymised_at.is_(None))
        .values(handle="", display_name="", profile_url=None, anonymised_at=now or utcnow(),
                platform_user_id=literal("anonymised-") + cast(Contact.id, String))
        .execution_options(synchronize_session="fetch")
    ).rowcount
