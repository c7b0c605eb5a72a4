"""Re-routing by hand: an agent hands a ticket to another department and says why.

Recorded as a `rerouted` event (from_department, to_department, reason) and in the audit log. The
caller loads the ticket through `services.access.get_ticket_for(..., lock=True)` and commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Conflict, ValidationFailed
from webcare.models import Category, Department, Ticket, TicketEvent, User
from webcare.queue import publish_after_commit
from webcare.services import audit
from webcare.services.audit import CLI, Origin
from webcare.services.events import record_event

MAX_REASON = 1000


def reroute(session: Session, ticket: Ticket, department_code: str, reason: str, actor: User | None, *,
            category_code: str | None = None, at: datetime | None = None, origin: Origin = CLI) -> TicketEvent:
    """Move the ticket to another department (and optionally category); the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("say why the ticket is re-routed", fields={"reason": "required"})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"the reason is longer than {MAX_REASON} characters", fields={"reason": "too long"})
    department = _department(session, department_code)
    category = _category(session, category_code) if category_code else None
    if ticket.department_id == department.id and (category is None or category.id == ticket.category_id):
        raise Conflict(f"the ticket is already with {department.code}", fields={"department": department.code})
    data = {"from_department": ticket.department.code if ticket.department else None,
            "to_department": department.code, "reason": reason}
    if category is not None:
        data.update(from_category=ticket.category.code if ticket.category else None, to_category=category.code)
        ticket.category_id = category.id
        ticket.category = category
    ticket.department_id = department.id
    ticket.department = department
    ticket.updated_at = at or utcnow()
    event = record_event(session, ticket, "rerouted", actor=actor, at=at, department_id=department.id, data=data)
    audit.record(session, actor, "ticket.reroute", origin, ticket_id=ticket.id, data=data)
    publish_after_commit(session, {"type": "ticket_updated", "ticket_id": ticket.id, "department_id": department.id,
                                   "threat": ticket.threat})
    return event


def _department(session: Session, code: str) -> Department:
    department = session.scalar(select(Department).where(Department.code == (code or "").strip().upper(),
                                                         Department.active.is_(True)))
    if department is None:
        raise ValidationFailed(f"unknown or inactive department '{code}'", fields={"department": code})
    if department.forward_only:
        raise ValidationFailed(f"{department.code} only receives forwarded tickets; forward the ticket instead",
                               fields={"department": code})
    return department


def _category(session: Session, code: str) -> Category:
    category = session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))
    if category is None:
        raise ValidationFailed(f"unknown or inactive category '{code}'", fields={"category": code})
    return category
