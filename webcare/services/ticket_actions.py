"""What people do to a ticket: claim and assign, status changes, labels, priority, internal notes.

Every function takes the session, the ticket (already fetched through `services.access`, so scoping
is done), the acting user and its input; it checks the rule, changes the row, appends the history
event (`services.events.record_event`), recomputes the SLA clocks where a clock may change, and
announces the change to open browsers after commit. Nothing here commits.

Who may do what (docs/INBOX.md): webcare staff (agents, managers, admins) work every ticket;
department users write notes and feedback on their department's tickets, and change the status only
of a ticket their department took over (assigned to one of them).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Conflict, Forbidden, ValidationFailed
from webcare.models import Note, Ticket, TicketEvent, TicketLabel, User
from webcare.models.ticket import PRIORITIES
from webcare.queue import publish_after_commit
from webcare.services import sla
from webcare.services.access import can_see_ticket
from webcare.services.events import record_event
from webcare.workflow import ALLOWED_STATUS_CHANGES, CLOSED_STATUSES, check_transition, is_open

WEBCARE_ROLES = ("agent", "manager", "admin")
MAX_LABELS = 20
MAX_LABEL_LENGTH = 64
MAX_NOTE_LENGTH = 10_000

# Whose move it is after a status change (Ticket.awaiting).
AWAITING_AFTER = {
    "new": "webcare", "open": "webcare", "with_department": "department", "waiting_citizen": "citizen",
    "forwarded_external": "nobody", "resolved": "nobody", "cancelled": "nobody",
}


# -- permissions -------------------------------------------------------------------------------------------

def is_webcare(user: User) -> bool:
    return user.role in WEBCARE_ROLES


def is_department_member(user: User, ticket: Ticket) -> bool:
    return user.role == "department" and ticket.department_id in user.department_ids


def require_webcare(user: User) -> None:
    if not is_webcare(user):
        raise Forbidden("only webcare staff can do this")


def may_work(user: User, ticket: Ticket) -> bool:
    """Webcare staff, or a department user on a ticket their department took over."""
    return is_webcare(user) or (is_department_member(user, ticket) and ticket.assignee_id == user.id)


def require_worker(user: User, ticket: Ticket) -> None:
    if not may_work(user, ticket):
        raise Forbidden("only webcare staff, or the department that took this ticket over, can do this")


def require_open(ticket: Ticket, act: str) -> None:
    """Refuse `act` (a reply, an assignment, a take-over, a send-back) on a closed ticket: it would make a closed
    ticket someone's move or answer a citizen nobody is handling; the ticket is reopened first (resolved -> open;
    a cancelled ticket stays closed). Internal notes and feedback are not refused: they only add to the record."""
    if is_open(ticket.status):
        return
    how = ("reopen it first (status open)" if "open" in ALLOWED_STATUS_CHANGES[ticket.status]
           else "a cancelled ticket is not reopened")
    raise Conflict(f"ticket {ticket.id} is {ticket.status}: no {act} on a closed ticket; {how}", code="ticket_closed")


def acting_department(user: User, ticket: Ticket) -> int | None:
    """The department an act is on behalf of: the ticket's department when a member acts."""
    return ticket.department_id if is_department_member(user, ticket) else None


# -- shared helpers ----------------------------------------------------------------------------------------

def touch(session: Session, ticket: Ticket, at: datetime, event_type: str = "ticket_updated", **extra) -> None:
    """Mark the ticket changed and tell open browsers after commit."""
    ticket.updated_at = at
    publish_after_commit(session, {"type": event_type, "ticket_id": ticket.id,
                                   "department_id": ticket.department_id, "threat": bool(ticket.threat), **extra})


def clean_text(text: str | None, field: str = "text", *, required: bool = True, limit: int = MAX_NOTE_LENGTH) -> str:
    """The text without surrounding white space; empty when nobody could read anything in it (only white space
    and invisible format characters such as a zero-width space): a closing text, reason or question is required."""
    text = (text or "").strip()
    if not any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text):
        text = ""
    if required and not text:
        raise ValidationFailed(f"a {field} is required", fields={field: "required"})
    if len(text) > limit:
        raise ValidationFailed(f"the {field} is longer than {limit} characters", fields={field: "too long"})
    return text


# -- assignment --------------------------------------------------------------------------------------------

def assign(session: Session, ticket: Ticket, actor: User, assignee: User | None, *,
           at: datetime | None = None) -> Ticket:
    """Give the ticket to `assignee` (None: nobody). A new ticket that gets an owner is in progress; a closed
    one is not given to anyone (reopen it first)."""
    at = at or utcnow()
    if assignee is not None:
        _check_assignee(actor, ticket, assignee)
    elif not is_webcare(actor):
        raise Forbidden("only webcare staff can unassign a ticket")
    require_open(ticket, "assignment")
    if ticket.assignee_id == (assignee.id if assignee else None):
        return ticket
    record_assignment(session, ticket, actor, assignee, at, department_id=acting_department(actor, ticket))
    if assignee is not None and ticket.status == "new":
        _move(session, ticket, actor, "open", "", at)
    touch(session, ticket, at)
    return ticket


def record_assignment(session: Session, ticket: Ticket, actor: User | None, assignee: User | None, at: datetime, *,
                      department_id: int | None = None) -> None:
    """The ticket's owner becomes `assignee` (None: nobody), in its history as an `assigned` event."""
    record_event(session, ticket, "assigned", actor=actor, at=at, department_id=department_id,
                 data={"from_user_id": ticket.assignee_id, "to_user_id": assignee.id if assignee else None})
    ticket.assignee_id, ticket.assignee = (assignee.id if assignee else None), assignee


def claim(session: Session, ticket: Ticket, actor: User, *, at: datetime | None = None) -> Ticket:
    return assign(session, ticket, actor, actor, at=at)


def user_by_email(session: Session, email: str) -> User:
    found = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if found is None or not found.active:
        raise ValidationFailed(f"no active user {email!r}", fields={"user": "unknown"})
    return found


def _check_assignee(actor: User, ticket: Ticket, assignee: User) -> None:
    if not assignee.active:
        raise ValidationFailed("this user is not active", fields={"user": "inactive"})
    if not can_see_ticket(assignee, ticket):
        raise ValidationFailed("this user cannot see the ticket", fields={"user": "out of scope"})
    if not is_webcare(actor) and not (is_department_member(actor, ticket) and assignee.id == actor.id):
        raise Forbidden("department staff can only take a ticket over themselves")


# -- status ------------------------------------------------------------------------------------------------

ERASED_TEXT = "Gegevens van de inwoner gewist op verzoek (AVG art. 17)"

def change_status(session: Session, ticket: Ticket, actor: User, target: str, text: str | None = None, *,
                  at: datetime | None = None) -> Ticket:
    """Move the ticket to `target` (workflow rules and required texts apply)."""
    require_worker(actor, ticket)
    if target == "with_department":  # a move that needs a department and a question: not this one
        raise Conflict(f"a ticket moves to with_department only by a hand-off (POST /api/v1/tickets/{ticket.id}/"
                       "handoff with the department and the question)", code="transition_not_allowed",
                       fields={"status": ["use a hand-off"]})
    text = clean_text(text, required=False)
    check_transition(ticket.status, target, text)
    at = at or utcnow()
    _move(session, ticket, actor, target, text, at)
    touch(session, ticket, at)
    return ticket


def cancel_erased(session: Session, ticket: Ticket, actor: User | None, at: datetime) -> None:
    """Close an open ticket whose citizen had their data erased: there is nobody left to answer, and its
    clocks stop (`services.subject_rights`)."""
    if is_open(ticket.status):
        _move(session, ticket, actor, "cancelled", ERASED_TEXT, at)
        touch(session, ticket, at)


def _move(session: Session, ticket: Ticket, actor: User | None, target: str, text: str, at: datetime) -> None:
    """Apply an allowed move: history, timestamps, whose move it is, clocks."""
    record_event(session, ticket, "status_changed", actor=actor, at=at,
                 department_id=acting_department(actor, ticket) if actor else None,
                 data={"from": ticket.status, "to": target, "text": text})
    if ticket.status in CLOSED_STATUSES and target == "open":
        ticket.reopen_count = (ticket.reopen_count or 0) + 1  # counted as when a citizen's message reopens it
    ticket.status = target
    ticket.awaiting = AWAITING_AFTER[target]
    ticket.resolved_at = at if target in ("resolved", "cancelled") else None
    session.flush()
    sla.recompute(session, ticket, at)


# -- labels and priority -----------------------------------------------------------------------------------

def set_labels(session: Session, ticket: Ticket, actor: User, labels: list[str], *,
               at: datetime | None = None) -> Ticket:
    require_webcare(actor)
    wanted = _clean_labels(labels)
    current = set(ticket.label_names)
    added, removed = sorted(set(wanted) - current), sorted(current - set(wanted))
    if not added and not removed:
        return ticket
    at = at or utcnow()
    ticket.labels = [label for label in ticket.labels if label.label not in removed]
    ticket.labels.extend(TicketLabel(label=name) for name in added)
    record_event(session, ticket, "labels_changed", actor=actor, at=at, data={"added": added, "removed": removed})
    touch(session, ticket, at)
    return ticket


def _clean_labels(labels: list[str]) -> list[str]:
    cleaned = []
    for raw in labels:
        name = " ".join(str(raw).split()).lower()
        if not name:
            continue
        if len(name) > MAX_LABEL_LENGTH:
            raise ValidationFailed(f"label {name[:20]!r}... is too long", fields={"labels": "too long"})
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_LABELS:
        raise ValidationFailed(f"at most {MAX_LABELS} labels", fields={"labels": "too many"})
    return cleaned


def set_priority(session: Session, ticket: Ticket, actor: User, priority: str, *,
                 at: datetime | None = None) -> Ticket:
    require_webcare(actor)
    if priority not in PRIORITIES:
        raise ValidationFailed(f"unknown priority {priority!r}", fields={"priority": priority})
    if priority == ticket.priority:
        return ticket
    at = at or utcnow()
    record_event(session, ticket, "priority_changed", actor=actor, at=at,
                 data={"from": ticket.priority, "to": priority})
    ticket.priority = priority
    touch(session, ticket, at)
    return ticket


# -- notes -------------------------------------------------------------------------------------------------

def add_note(session: Session, ticket: Ticket, actor: User, text: str, *, at: datetime | None = None) -> Note:
    """An internal note: never shown to the citizen, never counts as a response. Also on a closed ticket (a call
    after the closing, why it was closed: the record), which it leaves closed and nobody's move. The same note
    posted again at once (`repeated_note`) is the first one, recorded once."""
    if not (is_webcare(actor) or is_department_member(actor, ticket)):
        raise Forbidden("you cannot write notes on this ticket")
    at, text = at or utcnow(), clean_text(text)
    if (first := repeated_note(session, ticket, actor, "note", text, at)) is not None:
        return first
    note = Note(ticket_id=ticket.id, author_id=actor.id, department_id=acting_department(actor, ticket),
                text=text, created_at=at)
    session.add(note)
    session.flush()
    record_event(session, ticket, "note", actor=actor, at=at, department_id=note.department_id,
                 data={"note_id": note.id})
    touch(session, ticket, at)
    return note


# A note or feedback repeated within this time, with nothing noted on the ticket in between, is a retry.
NOTE_REPEAT_WINDOW = timedelta(minutes=5)
NOTED = ("note", "feedback", "handoff")  # the events that write a note (a hand-off: its question)


def repeated_note(session: Session, ticket: Ticket, actor: User | None, kind: str, text: str, at: datetime, *,
                  reply_requested: bool = False) -> Note | None:
    """The note that this one (`kind` "note" or "feedback", its text cleaned) repeats: the last note written on the
    ticket is the same kind by the same person with the same text (and the same request to reply), less than
    `NOTE_REPEAT_WINDOW` before `at`. A client's retry of the same POST, or a double click, is so recorded once, as
    a repeated hand-off is (`department_actions._asked_already`); the same text after another note, feedback or
    hand-off, or later, is a new note. Never for `webcare import` (its ledger knows repeated lines)."""
    if actor is None or session.info.get("replaying_history"):
        return None
    last = session.execute(select(TicketEvent.type, TicketEvent.actor_id, TicketEvent.data).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.type.in_(NOTED)).order_by(TicketEvent.id.desc()).limit(1)).first()
    if (last is None or (last.type, last.actor_id) != (kind, actor.id)
            or bool((last.data or {}).get("reply_requested")) != reply_requested):
        return None
    note = session.get(Note, (last.data or {}).get("note_id"))
    if note is None or note.ticket_id != ticket.id or note.text != text or at - note.created_at > NOTE_REPEAT_WINDOW:
        return None
    return note
