"""Reading tickets: counts for the landing page and the thread of one ticket in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webcare.models import Message, Note, Ticket, TicketEvent, User
from webcare.services.access import visible_tickets
from webcare.workflow import OPEN_STATUSES


@dataclass(frozen=True)
class ThreadItem:
    """One entry of a ticket's timeline: a message, a note or an event."""

    at: datetime
    kind: str  # "message" | "note" | "event"
    item: Message | Note | TicketEvent


def summary_for(session: Session, user: User) -> dict[str, int]:
    """Open tickets per status that this user may see."""
    statement = visible_tickets(user, select(Ticket.status, func.count()).select_from(Ticket))
    statement = statement.where(Ticket.status.in_(OPEN_STATUSES)).group_by(Ticket.status)
    counts = {status: count for status, count in session.execute(statement)}
    return {status: counts.get(status, 0) for status in OPEN_STATUSES}


def thread(session: Session, ticket: Ticket) -> list[ThreadItem]:
    """Messages, notes and events of a ticket, oldest first."""
    items = [ThreadItem(m.platform_created_at or m.received_at, "message", m)
             for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))]
    items += [ThreadItem(n.created_at, "note", n)
              for n in session.scalars(select(Note).where(Note.ticket_id == ticket.id).order_by(Note.id))]
    items += [ThreadItem(e.at, "event", e)
              for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                       .order_by(TicketEvent.id))]
    return sorted(items, key=lambda entry: entry.at)
