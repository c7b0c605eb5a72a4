"""The department workspace's read model: its tickets waiting for feedback first, then its other open ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from webcare.db import utcnow
from webcare.models import Ticket, TicketEvent, User
from webcare.services import calendars
from webcare.services.access import visible_tickets
from webcare.services.sla_left import TimeLeft, calendar_id_of, next_due_left, time_left
from webcare.services.sla_state import target_of
from webcare.workflow import OPEN_STATUSES

LIMIT = 200


@dataclass
class DepartmentLists:
    awaiting: list[Ticket]
    others: list[Ticket]
    questions: dict[int, str]
    feedback_left: dict[int, TimeLeft | None]  # per awaiting ticket, in working days or office hours
    due_left: dict[int, TimeLeft | None]  # per other ticket: its next due clock's, counted as on the ticket page


def lists_for(session: Session, user: User) -> DepartmentLists:
    """Tickets the department must answer (oldest question first by feedback due time), then the rest (those it
    took over or already answered among them)."""
    options = (joinedload(Ticket.channel), joinedload(Ticket.contact), joinedload(Ticket.department),
               joinedload(Ticket.category), joinedload(Ticket.assignee), selectinload(Ticket.labels))
    own = visible_tickets(user).where(Ticket.status.in_(OPEN_STATUSES)).options(*options)
    # still owed feedback: handed to them with a question whose clock neither met nor stopped; a ticket they took
    # over (in progress, their move) or already answered is theirs to handle, listed with the others
    waiting = and_(Ticket.awaiting == "department", Ticket.status == "with_department",
                   Ticket.department_feedback_met_at.is_(None))
    awaiting = session.scalars(own.where(waiting).order_by(
        Ticket.department_feedback_due_at.asc().nulls_last(), Ticket.department_feedback_started_at.asc().nulls_last(),
        Ticket.id).limit(LIMIT)).unique().all()
    others = session.scalars(own.where(~waiting).order_by(Ticket.next_due_at.asc().nulls_last(), Ticket.id)
                             .limit(LIMIT)).unique().all()
    calendar, now = calendars.lookup(session), utcnow()
    return DepartmentLists(list(awaiting), list(others), _questions(session, [t.id for t in awaiting]),
                           _feedback_left(awaiting, calendar, now),
                           {t.id: next_due_left(t, calendar, now) for t in others})


def _feedback_left(tickets, calendar, now) -> dict[int, TimeLeft | None]:
    return {t.id: time_left({"due_at": t.department_feedback_due_at, "met_at": t.department_feedback_met_at,
                             "target": target_of(t, "department_feedback")},
                            calendar(calendar_id_of(t, "department_feedback")), now) for t in tickets}


def _questions(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The latest hand-off question per ticket."""
    if not ticket_ids:
        return {}
    rows = session.execute(select(TicketEvent.ticket_id, TicketEvent.data).where(
        TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.type == "handoff").order_by(TicketEvent.id))
    return {ticket_id: (data or {}).get("question", "") for ticket_id, data in rows}
