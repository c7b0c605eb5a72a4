"""Citizens' rights (AVG art. 15 and 17): find a contact, export all data about it, erase it.

Both export and erasure are done by an administrator on a citizen's request and are logged
(audit `contact.export` / `contact.erase`, an `exported` / `anonymised` event on each ticket).
Erasure is the same anonymisation as retention; threat tickets are kept as evidence (AVG art. 17(3)(e):
needed for legal claims), and then the contact itself stays identifiable on those tickets only.
A citizen's messages on another citizen's ticket (a reply in someone else's public thread) are part of both:
exported on their own (not the other citizen's thread) and anonymised, that ticket otherwise left as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import NotFound, ValidationFailed
from webcare.models import Contact, Message, Note, Ticket, TicketEvent, User
from webcare.services import audit
from webcare.services.anonymise import (
    anonymise_contact,
    anonymise_messages_on_tickets,
    anonymise_messages_without_ticket,
    anonymise_tickets,
    redact_audit_texts,
)
from webcare.services.events import record_event
from webcare.services.ticket_actions import cancel_erased

MAX_RESULTS = 50


def find_contacts(session: Session, query: str) -> list[tuple[Contact, int]]:
    """Contacts whose handle, name or platform user id contains `query`, with their ticket counts."""
    query = query.strip().lstrip("@")
    if len(query) < 2:
        raise ValidationFailed("type at least two characters to search", fields={"q": query})
    tickets = select(func.count(Ticket.id)).where(Ticket.contact_id == Contact.id).scalar_subquery()
    pattern = f"%{query.lower()}%"
    rows = session.execute(
        select(Contact, tickets).where(or_(func.lower(Contact.handle).like(pattern),
                                           func.lower(Contact.display_name).like(pattern),
                                           Contact.platform_user_id == query))
        .order_by(Contact.id).limit(MAX_RESULTS)
    )
    return [(contact, count) for contact, count in rows]


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    return contact


def tickets_of(session: Session, contact: Contact) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(Ticket.contact_id == contact.id).order_by(Ticket.id)))


def export_contact(session: Session, contact: Contact, actor: User | None, fmt: str,
                   now: datetime | None = None) -> dict:
    """All data about the contact as a dict (JSON-ready); logged."""
    now = now or utcnow()
    tickets = list(session.scalars(select(Ticket).where(Ticket.contact_id == contact.id).order_by(Ticket.id)))
    loose = session.scalars(select(Message).where(Message.contact_id == contact.id, Message.ticket_id.is_(None))
                            .order_by(Message.id))
    elsewhere = session.scalars(select(Message).where(Message.contact_id == contact.id,
                                                      Message.ticket_id.in_(_others_tickets(contact)))
                                .order_by(Message.id))
    data = {
        "exported_at": now.isoformat(),
        "contact": _contact_json(contact),
        "tickets": [_ticket_json(session, ticket) for ticket in tickets],
        "messages_without_ticket": [_message_json(m) for m in loose],
        "messages_on_others_tickets": [{**_message_json(m), "ticket_id": m.ticket_id} for m in elsewhere],
    }
    for ticket in tickets:
        record_event(session, ticket, "exported", actor=actor, at=now,
                     data={"scope": "contact", "format": fmt})
    audit.record(session, actor, "contact.export", target=("contact", contact.id),
                 data={"format": fmt, "tickets": [t.id for t in tickets]})
    return data


def erase_contact(session: Session, contact: Contact, actor: User | None, reason: str,
                  now: datetime | None = None) -> dict:
    """Anonymise everything about the contact except threat tickets (its open tickets are cancelled first);
    logged with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("give the reason for the erasure (for example the request's reference)",
                               fields={"reason": "required"})
    now = now or utcnow()
    tickets = list(session.scalars(
        select(Ticket).where(Ticket.contact_id == contact.id).order_by(Ticket.id).with_for_update()
    ))
    kept = [t.id for t in tickets if t.threat]
    for ticket in tickets:
        if not ticket.threat:
            cancel_erased(session, ticket, actor, now)
    session.flush()
    erased = anonymise_tickets(session, [t for t in tickets if not t.threat], cause="erasure", now=now)
    redacted = redact_audit_texts(session, [t.id for t in tickets if not t.threat])
    messages = anonymise_messages_without_ticket(session, Message.contact_id == contact.id)
    elsewhere = anonymise_messages_on_tickets(session, _others_tickets(contact, threat=False),
                                              Message.contact_id == contact.id)
    contact_erased = not kept and anonymise_contact(session, contact, now)
    result = {"contact_id": contact.id, "tickets_anonymised": erased, "threat_tickets_kept": kept,
              "messages_without_ticket": messages, "messages_on_others_tickets": elsewhere,
              "contact_anonymised": bool(contact_erased), "audit_entries_redacted": redacted}
    audit.record(session, actor, "contact.erase", target=("contact", contact.id),
                 data={**result, "reason": reason})
    return result


def _others_tickets(contact: Contact, *, threat: bool | None = None):
    """Tickets of other citizens (or of none) that hold messages of this contact: a reply in someone else's
    public thread joins that thread's ticket. With `threat=False` without threat tickets (evidence)."""
    statement = select(Ticket.id).where(Ticket.contact_id.is_distinct_from(contact.id))
    if threat is not None:
        statement = statement.where(Ticket.threat.is_(threat))
    return statement


def _contact_json(contact: Contact) -> dict:
    return {"id": contact.id, "platform": contact.platform, "platform_user_id": contact.platform_user_id,
            "handle": contact.handle, "display_name": contact.display_name, "profile_url": contact.profile_url,
            "created_at": _iso(contact.created_at), "anonymised_at": _iso(contact.anonymised_at)}


def _ticket_json(session: Session, ticket: Ticket) -> dict:
    notes = session.scalars(select(Note).where(Note.ticket_id == ticket.id).order_by(Note.id))
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                             .order_by(TicketEvent.id))
    messages = session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))
    return {
        "id": ticket.id, "channel": {"platform": ticket.channel.platform, "name": ticket.channel.name},
        "status": ticket.status, "subject": ticket.subject, "threat": ticket.threat,
        "category": ticket.category.name if ticket.category else None,
        "department": ticket.department.name if ticket.department else None,
        "created_at": _iso(ticket.created_at), "resolved_at": _iso(ticket.resolved_at),
        "anonymised_at": _iso(ticket.anonymised_at), "promise_text": ticket.promise_text,
        "messages": [_message_json(m) for m in messages],
        "notes": [{"created_at": _iso(n.created_at), "text": n.text, "feedback": n.is_feedback} for n in notes],
        "events": [{"type": e.type, "at": _iso(e.at)} for e in events],
    }


def _message_json(message: Message) -> dict:
    return {
        "id": message.id, "direction": message.direction, "kind": message.kind, "visibility": message.visibility,
        "text": message.text, "url": message.url, "author_handle": message.author_handle,
        "author_name": message.author_name, "platform_created_at": _iso(message.platform_created_at),
        "received_at": _iso(message.received_at), "sent_at": _iso(message.sent_at), "raw": message.raw,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
