"""Recompute the clocks and metric facts of existing tickets from their events (`webcare metrics rebuild`).

Every figure can be recomputed from the ticket events: this replays tickets through the same SLA engine
that wrote them (`services.sla.apply_history`), a batch at a time; the caller commits each batch.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import Ticket
from webcare.services import metric_facts, sla


def rebuild_batch(session: Session, *, after_id: int, since: datetime | None, limit: int, now: datetime) -> list[int]:
    """Replay up to `limit` tickets with an id above `after_id` (created at or after `since`); their ids."""
    statement = select(Ticket).where(Ticket.id > after_id).order_by(Ticket.id).limit(limit)
    if since is not None:
        statement = statement.where(Ticket.created_at >= since)
    tickets = list(session.scalars(statement))
    events = sla.events_by_ticket(session, [ticket.id for ticket in tickets])
    metric_facts.preload(session, tickets)
    for ticket in tickets:
        sla.apply_history(session, ticket, events.get(ticket.id, []), now)
    session.flush()
    return [ticket.id for ticket in tickets]
