"""Who may see which ticket: role and department scoping, enforced in the query layer.

Agents, managers and admins see every ticket. Department users see the tickets of their own
departments; members of the safety team (VB) also see every ticket flagged as a threat. A ticket
outside a user's scope does not exist for that user (404, not 403).

A list filtered on a department is refused (Forbidden, 403) to a department user who is not a member of it
(`check_department_filter`): the filter is not quietly dropped or answered with an empty list. The safety
team may filter on any department (the threats there are theirs to see); everyone else sees every department.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from webcare.db import lock_for_writing
from webcare.errors import Forbidden, NotFound
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
    if _in_safety_team(user):
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
    return ticket.threat and _in_safety_team(user)


def may_filter_on_department(user: User, department_id: int) -> bool:
    """Whether `user` may list the tickets of this department: everyone who sees every ticket, its members,
    and the safety team (who see the threats of every department)."""
    return user.sees_all_tickets or department_id in user.department_ids or _in_safety_team(user)


def check_department_filter(user: User, department_id: int, code: str) -> None:
    """Refuse (403) a filter on a department whose tickets `user` does not see."""
    if not may_filter_on_department(user, department_id):
        raise Forbidden(f"department {code} is not one of your departments; you can only list the tickets of "
                        f"your own departments", fields={"department": "not yours"}, code="department_not_yours",
                        params={"department": code})


def _in_safety_team(user: User) -> bool:
    return any(d.is_safety_team for d in user.departments)
