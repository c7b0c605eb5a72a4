"""Retention: anonymise closed tickets older than their term (AVG: keep personal data no longer than needed).

The term of a ticket is its category's `retention_days`, else its main category's, else the setting
`retention_days` (default 365), and never shorter than `reopen_days` (a ticket that may still reopen is
not anonymised). A closed ticket (resolved or cancelled) counts from its resolution time. Threat tickets
are excepted: their evidence stays (services.safety). The personal data in the free text of the anonymised
tickets' audit entries (a re-route's reason) is redacted, as on erasure; the entries stay. Contacts whose
tickets are all anonymised are anonymised too; processed webhook bodies and messages that never joined a
ticket follow the global term.

`anonymise_batch` does one bounded batch and is safe to run concurrently (rows are locked and
re-checked); `run_until_done` repeats it, one transaction per batch, and logs the totals (the nightly
job in workers/retention.py and `webcare privacy retention` both use it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from webcare.config import Settings
from webcare.db import utcnow
from webcare.models import Category, Contact, Message, Ticket, WebhookDelivery
from webcare.services import audit
from webcare.services.anonymise import (
    anonymise_contacts,
    anonymise_messages_without_ticket,
    anonymise_tickets,
    redact_audit_texts,
)

CLOSED_STATUSES = ("resolved", "cancelled")
BATCH_SIZE = 200
MAX_BATCHES = 500


@dataclass
class RetentionResult:
    tickets: int = 0
    contacts: int = 0
    loose_messages: int = 0
    webhook_bodies: int = 0
    audit_entries_redacted: int = 0
    by_term: dict[int, int] = field(default_factory=dict)

    def add(self, other: RetentionResult) -> None:
        self.tickets += other.tickets
        self.contacts += other.contacts
        self.loose_messages += other.loose_messages
        self.webhook_bodies += other.webhook_bodies
        self.audit_entries_redacted += other.audit_entries_redacted
        for term, count in other.by_term.items():
            self.by_term[term] = self.by_term.get(term, 0) + count

    def as_dict(self) -> dict:
        by_term = {str(term): count for term, count in sorted(self.by_term.items())}
        return {"tickets": self.tickets, "contacts": self.contacts, "loose_messages": self.loose_messages,
                "webhook_bodies": self.webhook_bodies, "audit_entries_redacted": self.audit_entries_redacted,
                "by_term_days": by_term}


def terms_by_category(session: Session, settings: Settings) -> dict[int | None, int]:
    """The retention term in days per category id (None: tickets without a category)."""
    parent = aliased(Category)
    rows = session.execute(
        select(Category.id, Category.retention_days, parent.retention_days)
        .select_from(Category).outerjoin(parent, Category.parent_id == parent.id)
    )
    floor = settings.reopen_days
    terms: dict[int | None, int] = {None: max(settings.retention_days, floor)}
    for category_id, own, inherited in rows:
        terms[category_id] = max(own or inherited or settings.retention_days, floor)
    return terms


def expired_ticket_ids(session: Session, settings: Settings, now: datetime, limit: int = BATCH_SIZE,
                       ) -> dict[int, list[int]]:
    """Ids of closed, non-threat, not yet anonymised tickets past their term, grouped by term."""
    by_term: dict[int, list[int | None]] = defaultdict(list)
    for category_id, term in terms_by_category(session, settings).items():
        by_term[term].append(category_id)
    closed_at = func.coalesce(Ticket.resolved_at, Ticket.updated_at)
    found: dict[int, list[int]] = {}
    for term, category_ids in sorted(by_term.items()):
        in_category = Ticket.category_id.in_([c for c in category_ids if c is not None])
        if None in category_ids:
            in_category = or_(in_category, Ticket.category_id.is_(None))
        ids = list(session.scalars(
            select(Ticket.id).where(
                Ticket.status.in_(CLOSED_STATUSES), Ticket.anonymised_at.is_(None), Ticket.threat.is_(False),
                in_category, closed_at < now - timedelta(days=term),
            ).order_by(Ticket.id).limit(limit)
        ))
        if ids:
            found[term] = ids
    return found


def anonymise_batch(session: Session, settings: Settings, now: datetime | None = None,
                    limit: int = BATCH_SIZE) -> RetentionResult:
    """Anonymise up to `limit` expired tickets per term, then the contacts whose tickets are all done."""
    now = now or utcnow()
    result = RetentionResult()
    for term, ids in expired_ticket_ids(session, settings, now, limit).items():
        locked = session.scalars(
            select(Ticket).where(Ticket.id.in_(ids), Ticket.anonymised_at.is_(None), Ticket.threat.is_(False))
            .with_for_update(skip_locked=True)
        ).all()
        anonymised = anonymise_tickets(session, locked, cause="retention", now=now)
        if anonymised:
            result.tickets += len(anonymised)
            result.by_term[term] = len(anonymised)
            result.audit_entries_redacted += redact_audit_texts(session, anonymised)
    session.flush()
    result.contacts = anonymise_finished_contacts(session, now, limit)
    return result


def anonymise_loose_data(session: Session, settings: Settings, now: datetime | None = None) -> RetentionResult:
    """Messages that never joined a ticket, and processed webhook bodies, past the global term."""
    cutoff = (now or utcnow()) - timedelta(days=max(settings.retention_days, settings.reopen_days))
    result = RetentionResult()
    result.loose_messages = anonymise_messages_without_ticket(
        session, Message.received_at < cutoff,
        or_(Message.text != "", Message.author_handle != "", Message.url.is_not(None)),
    )
    result.webhook_bodies = _clear_webhook_bodies(session, cutoff)
    return result


def run_until_done(transaction: Callable[[], AbstractContextManager[Session]], settings: Settings,
                   max_batches: int = MAX_BATCHES) -> RetentionResult:
    """Batches in their own transactions until nothing is left (or `max_batches`; the next run goes on)."""
    total = RetentionResult()
    for _ in range(max_batches):
        with transaction() as session:
            batch = anonymise_batch(session, settings)
        total.add(batch)
        if not batch.tickets and not batch.contacts:
            break
    with transaction() as session:
        total.add(anonymise_loose_data(session, settings))
        audit.record(session, None, "retention.run", audit.SYSTEM, data=total.as_dict())
    return total


def anonymise_finished_contacts(session: Session, now: datetime, limit: int = BATCH_SIZE) -> int:
    """Contacts that have tickets, all of them anonymised (so none open and none a threat)."""
    has_ticket = exists().where(Ticket.contact_id == Contact.id)
    has_live_ticket = exists().where(Ticket.contact_id == Contact.id, Ticket.anonymised_at.is_(None))
    ids = session.scalars(
        select(Contact.id).where(Contact.anonymised_at.is_(None), has_ticket, ~has_live_ticket)
        .order_by(Contact.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    return anonymise_contacts(session, list(ids), now)


def _clear_webhook_bodies(session: Session, cutoff: datetime) -> int:
    return session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.processed_at.is_not(None), WebhookDelivery.received_at < cutoff,
               func.length(WebhookDelivery.body) > 0)
        .values(body=b"", headers={})
    ).rowcount
