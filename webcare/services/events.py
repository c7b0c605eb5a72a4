"""Appending to a ticket's history. Every change to a ticket goes through `record_event`.

Batch work (ingest, automatic acknowledgements) builds the same rows with `event_row` and writes them
with `insert_events`: one statement for many events, in the order given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Ticket, TicketEvent, User
from webcare.services.bulk import bulk_insert

EVENTS = TicketEvent.__table__


def record_event(session: Session, ticket: Ticket, type_: str, *, actor: User | None = None,
                 at: datetime | None = None, department_id: int | None = None, data: dict | None = None,
                 dedupe_key: str | None = None) -> TicketEvent:
    event = TicketEvent(ticket_id=ticket.id, type=type_, actor_id=actor.id if actor else None,
                        department_id=department_id, data=data or {}, at=at or utcnow(), dedupe_key=dedupe_key)
    session.add(event)
    return event


def event_row(ticket_id: int, type_: str, at: datetime, data: dict[str, Any], *, department_id: int | None = None,
              actor_id: int | None = None) -> dict[str, Any]:
    """A `ticket_events` row in the shape `record_event` writes, for `insert_events`."""
    return {"ticket_id": ticket_id, "type": type_, "actor_id": actor_id, "department_id": department_id,
            "data": data, "at": at, "dedupe_key": None}


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many events in one statement (ids follow the order of `rows`)."""
    bulk_insert(session, EVENTS, rows)
