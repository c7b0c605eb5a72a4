"""Working with departments: hand-off with a question, feedback, take-over, send back, ask webcare to reply.

A hand-off gives the ticket to a department (status `with_department`, awaiting the department) and
starts the department-feedback clock. The department answers with feedback (a note marked as
feedback; webcare is notified and it is webcare's move again), asks webcare to reply with a proposed
text, takes the ticket over (one of them owns it and handles it), or sends it back to the front office
with a reason. Each act is a history event; the acting department is the event's `department_id`, so
the SLA engine sees the department's first reaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Conflict, Forbidden, ValidationFailed
from webcare.models import Department, Note, Ticket, TicketEvent, User
from webcare.services import notifications, routing, sla
from webcare.services.access import can_see_ticket
from webcare.services.events import record_event
from webcare.services.ticket_actions import (
    _move,
    assign,
    clean_text,
    is_department_member,
    record_assignment,
    repeated_note,
    require_open,
    require_webcare,
    touch,
)
from webcare.workflow import check_transition, is_open

MAX_QUESTION_LENGTH = 4000
# The text of the status change a take-over records (the history shows it in the user's language).
TAKEN_OVER_TEXT = "taken over by the department"


def department_by_code(session: Session, code: str) -> Department:
    found = session.scalar(select(Department).where(Department.code == (code or "").strip().upper()))
    if found is None or not found.active:
        raise ValidationFailed(f"unknown department {code!r}", fields={"department": "unknown"})
    return found


def handoff(session: Session, ticket: Ticket, actor: User, department_code: str, question: str, *,
            at: datetime | None = None) -> Ticket:
    """Give the ticket to a department with a question; the department-feedback clock starts."""
    require_webcare(actor)
    target = department_by_code(session, department_code)
    if target.forward_only:
        raise ValidationFailed("this is an external party: forward the ticket instead",
                               fields={"department": "forward only"})
    if target.is_front_office:  # webcare itself: it sees every ticket and answers the citizen, no hand-off needed
        raise ValidationFailed(f"{target.code} is the front office (webcare), which works every ticket already: "
                               "hand off to the department that must act", fields={"department": "front office"})
    question = clean_text(question, "question", limit=MAX_QUESTION_LENGTH)
    if _asked_already(session, ticket, target, question):
        return ticket  # a retry or a double click: recorded once, the feedback clock keeps running
    if ticket.status != "with_department":
        check_transition(ticket.status, "with_department")
    at = at or utcnow()
    note = Note(ticket_id=ticket.id, author_id=actor.id, text=question, created_at=at)
    session.add(note)
    session.flush()
    previous = ticket.department.code if ticket.department else None
    record_event(session, ticket, "handoff", actor=actor, at=at, department_id=target.id,
                 data={"from_department": previous, "to_department": target.code, "question": question,
                       "note_id": note.id})
    ticket.department_id, ticket.department = target.id, target
    _unassign_out_of_scope(session, ticket, actor, at)
    _start_feedback_clock(ticket, at)
    if ticket.status != "with_department":
        _move(session, ticket, actor, "with_department", "", at)
    ticket.awaiting = "department"
    sla.recompute(session, ticket, at)
    notifications.notify_department(session, target.id, "handoff",
                                    f"Ticket {ticket.id}: {question[:200]}", ticket=ticket)
    touch(session, ticket, at)
    return ticket


def _asked_already(session: Session, ticket: Ticket, target: Department, question: str) -> bool:
    """The ticket is with `target` waiting for its feedback on this very question (no feedback since)."""
    if not (ticket.status == "with_department" and ticket.department_id == target.id
            and ticket.department_feedback_met_at is None):
        return False
    last = session.scalar(select(TicketEvent.data).where(TicketEvent.ticket_id == ticket.id, TicketEvent.type == "handoff")
                          .order_by(TicketEvent.id.desc()).limit(1))
    return bool(last) and last.get("question") == question and last.get("to_department") == target.code


def _unassign_out_of_scope(session: Session, ticket: Ticket, actor: User, at: datetime) -> None:
    """An owner who cannot see the ticket in its new department (a member of the previous one) no longer owns
    it: nobody is assigned a ticket they cannot see (`ticket_actions.assign` refuses that too)."""
    owner = ticket.assignee
    if owner is None or can_see_ticket(owner, ticket):
        return
    record_assignment(session, ticket, actor, None, at)


def _start_feedback_clock(ticket: Ticket, at: datetime) -> None:
    """A new question restarts the department-feedback clock (the SLA engine sets its due time)."""
    ticket.department_feedback_started_at = at
    ticket.department_feedback_met_at = None
    ticket.department_feedback_breached_at = None
    ticket.department_feedback_due_at = None


def give_feedback(session: Session, ticket: Ticket, actor: User, text: str, *, propose_reply: bool = False,
                  at: datetime | None = None) -> Note:
    """The department's answer to webcare; with `propose_reply` the text is a reply for webcare to send."""
    _require_member(actor, ticket)
    return record_feedback(session, ticket, actor, text, propose_reply=propose_reply, at=at)


def record_feedback(session: Session, ticket: Ticket, actor: User | None, text: str, *, propose_reply: bool = False,
                    at: datetime | None = None) -> Note:
    """Feedback of the ticket's department as `give_feedback` records it, without its membership check (the
    caller authorises): for imported history, where `actor` is None when the previous tool did not say who of
    the department gave it. It is still the department's feedback (the event's `department_id`), which is what
    ends the department-feedback clock. The same feedback posted again at once (`ticket_actions.repeated_note`) is
    the first one, recorded once: no second notification."""
    at, text = at or utcnow(), clean_text(text)
    if (first := repeated_note(session, ticket, actor, "feedback", text, at, reply_requested=propose_reply)) is not None:
        return first
    note = Note(ticket_id=ticket.id, author_id=actor.id if actor else None, department_id=ticket.department_id, is_feedback=True,
                text=text, created_at=at)
    session.add(note)
    session.flush()
    data = {"note_id": note.id}
    if propose_reply:
        data["reply_requested"] = True
    record_event(session, ticket, "feedback", actor=actor, at=at, department_id=ticket.department_id, data=data)
    if not _department_owns(ticket) and is_open(ticket.status):  # a closed ticket stays nobody's move
        ticket.awaiting = "webcare"
    sla.recompute(session, ticket, at)
    kind = "reply_requested" if propose_reply else "feedback"
    notifications.notify(session, _webcare_people(session, ticket), kind,
                         f"Ticket {ticket.id}: {note.text[:200]}", ticket=ticket)
    touch(session, ticket, at)
    return note


def take_over(session: Session, ticket: Ticket, actor: User, *, at: datetime | None = None) -> Ticket:
    """The department handles the ticket itself: one of its members owns it; it is in progress."""
    _require_member(actor, ticket)
    require_open(ticket, "take-over")
    if ticket.assignee_id == actor.id:
        raise Conflict("you already own this ticket", code="already_owner")
    at = at or utcnow()
    people = _webcare_people(session, ticket)
    assign(session, ticket, actor, actor, at=at)
    if ticket.status == "with_department":
        _move(session, ticket, actor, "open", TAKEN_OVER_TEXT, at)
    ticket.awaiting = "department"
    notifications.notify(session, people, "taken_over", f"Ticket {ticket.id}", ticket=ticket)
    touch(session, ticket, at)
    return ticket


def assign_or_take_over(session: Session, ticket: Ticket, actor: User, assignee: User | None) -> Ticket:
    """`POST /tickets/{id}/assign`: a department member who assigns themselves takes the ticket over, as the
    page's "Take over" (their only way to own it there); again is no change. Anyone else: `assign`."""
    if assignee is not None and assignee.id == actor.id and is_department_member(actor, ticket):
        return ticket if ticket.assignee_id == actor.id else take_over(session, ticket, actor)
    return assign(session, ticket, actor, assignee)


def send_back(session: Session, ticket: Ticket, actor: User, reason: str, *, at: datetime | None = None) -> Ticket:
    """Not for this department: back to the front office with a reason; webcare's move again."""
    _require_member(actor, ticket)
    require_open(ticket, "send-back")
    reason = clean_text(reason, "reason", limit=MAX_QUESTION_LENGTH)
    front = session.scalar(select(Department).where(Department.is_front_office.is_(True)).order_by(Department.id))
    if front is None or front.id == ticket.department_id:
        raise Conflict("there is no front office to send this ticket back to", code="no_front_office")
    at = at or utcnow()
    people = _webcare_people(session, ticket)
    if _department_owns(ticket):
        record_assignment(session, ticket, actor, None, at, department_id=ticket.department_id)
    if ticket.status == "with_department":
        _move(session, ticket, actor, "open", reason, at)
    _reroute(session, ticket, front, reason, actor, at)
    ticket.awaiting = "webcare"
    sla.recompute(session, ticket, at)
    notifications.notify(session, people, "sent_back", f"Ticket {ticket.id}: {reason[:200]}", ticket=ticket)
    touch(session, ticket, at)
    return ticket


def _reroute(session: Session, ticket: Ticket, target: Department, reason: str, actor: User, at: datetime) -> None:
    """Move the ticket to `target` with a `rerouted` event: through `routing.reroute` where routing has it."""
    reroute = getattr(routing, "reroute", None)
    if reroute is not None:
        reroute(session, ticket, target.code, reason, actor, at=at)
        return
    record_event(session, ticket, "rerouted", actor=actor, at=at, department_id=ticket.department_id,
                 data={"from_department": ticket.department.code if ticket.department else None,
                       "to_department": target.code, "reason": reason})
    ticket.department_id, ticket.department = target.id, target


def _department_owns(ticket: Ticket) -> bool:
    return ticket.assignee is not None and ticket.assignee.role == "department"


def _require_member(actor: User, ticket: Ticket) -> None:
    if not is_department_member(actor, ticket):
        raise Forbidden("only staff of the ticket's department can do this")


def _webcare_people(session: Session, ticket: Ticket) -> list[User]:
    """Who hears about a department's answer: the owner if webcare owns it, else who handed it off."""
    if ticket.assignee is not None and ticket.assignee.role != "department":
        return [ticket.assignee]
    actor_id = session.scalar(select(TicketEvent.actor_id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.type == "handoff").order_by(TicketEvent.id.desc()).limit(1))
    person = session.get(User, actor_id) if actor_id else None
    return [person] if person is not None else []
