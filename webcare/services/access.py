"""Who may see which ticket: role and department scoping, enforced in the query layer.

Agents, managers and admins see every ticket. Department users see the tickets of their own
departments; members of the safety team (VB) also see every ticket flagged as a threat. A ticket
outside a user's scope does not exist for that user (404, not 403).
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from webcare.db import lock_for_writing
from webcare.errors import NotFound
from webcare.models import Ticket, User


def visible_tickets(user: User, statement: Select | None = None) -> Select:
    """Restrict a ticket select to what `user` may see."""
    statement = select(Ticket) if statement is None else statement
    if user.sees_all_tickets:
        return statement
    department_ids = user.department_ids
    if not department_ids:
        return statement.where(false())
    condition = Ticket.department_id.in_(department_ids)
    if any(d.is_safety_team for d in user.departments):
        condition = or_(condition, Ticket.threat.is_(True))
    return statement.where(condition)


def get_ticket_for(session: Session, user: User, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The ticket if `user` may see it, else NotFound; `lock` for a change: the row stays locked until the
    transaction ends (SQLite: the database's write lock, taken before the read)."""
    statement = visible_tickets(user).where(Ticket.id == ticket_id)
    if lock:
        lock_for_writing(session)
        statement = statement.with_for_update()
    ticket = session.scalar(statement)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def can_see_ticket(user: User, ticket: Ticket) -> bool:
    if user.sees_all_tickets:
        return True
    if ticket.department_id in user.department_ids:
        return True
    return ticket.threat and any(d.is_safety_team for d in user.departments)
