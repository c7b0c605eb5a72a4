"""Merging two tickets of the same citizen: one conversation, one ticket.

The source ticket's messages and notes move to the target, its labels join the target's, and the
source is closed as cancelled with `merged_into_id` set (its history stays where it happened). The
source stops being the live ticket of its thread (`current_thread_key` cleared), so a later message
in that thread opens a new ticket instead of reopening a merged one. Both get a `merged` event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Conflict, ValidationFailed
from webcare.models import Message, Note, Ticket, TicketLabel, User
from webcare.services import sla
from webcare.services.events import record_event
from webcare.services.ticket_actions import AWAITING_AFTER, require_webcare, touch
from webcare.workflow import is_open

# The text of the merged ticket's status change, followed by the id it went into (the history translates it).
MERGED_PREFIX = "merged into ticket "


def merge(session: Session, source: Ticket, target: Ticket, actor: User, *, at: datetime | None = None) -> Ticket:
    """Merge `source` into `target` (both already fetched in the actor's scope and locked)."""
    require_webcare(actor)
    _check(source, target)
    at = at or utcnow()
    moved = session.execute(update(Message).where(Message.ticket_id == source.id)
                            .values(ticket_id=target.id)).rowcount
    session.execute(update(Note).where(Note.ticket_id == source.id).values(ticket_id=target.id))
    for name in set(source.label_names) - set(target.label_names):
        target.labels.append(TicketLabel(label=name))
    _close_source(session, source, target, actor, at)
    record_event(session, target, "merged", actor=actor, at=at, data={"from_ticket_id": source.id, "messages": moved})
    target.activity_seq += max(moved, 1)
    target.last_inbound_at = _latest(target.last_inbound_at, source.last_inbound_at)
    target.last_outbound_at = _latest(target.last_outbound_at, source.last_outbound_at)
    target.created_at = min(target.created_at, source.created_at)
    session.flush()
    session.expire(target, ["messages"])
    sla.recompute(session, target, at)
    touch(session, source, at)
    touch(session, target, at)
    return target


def _check(source: Ticket, target: Ticket) -> None:
    if source.id == target.id:
        raise ValidationFailed("a ticket cannot be merged with itself", fields={"into": "same ticket"})
    if source.contact_id is None or source.contact_id != target.contact_id:
        raise Conflict("only tickets of the same citizen can be merged", code="different_citizen")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise Conflict("one of these tickets was already merged", code="already_merged")


def _close_source(session: Session, source: Ticket, target: Ticket, actor: User, at: datetime) -> None:
    record_event(session, source, "merged", actor=actor, at=at, data={"into_ticket_id": target.id})
    if is_open(source.status):
        record_event(session, source, "status_changed", actor=actor, at=at,
                     data={"from": source.status, "to": "cancelled", "text": f"{MERGED_PREFIX}{target.id}"})
        source.status = "cancelled"
        source.awaiting = AWAITING_AFTER["cancelled"]
        source.resolved_at = at
    source.merged_into_id = target.id
    source.current_thread_key = None
    session.flush()
    sla.recompute(session, source, at)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((x for x in (a, b) if x is not None), default=None)
