"""The read model of the ticket page: thread, clocks with time left, the citizen's other tickets, composer data.

Pure reads: no changes, no commits. The page shows whatever `services.tickets.thread` returns (messages
with delivery states, notes, department feedback and events, oldest first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Department, Message, Note, Ticket, TicketEvent, User
from webcare.services import calendars, compose, safety, sla_left, tickets
from webcare.services.access import visible_tickets
from webcare.services.sla_state import clocks_of, moment_of
from webcare.services.ticket_actions import is_department_member, is_webcare, may_work
from webcare.workflow import is_open


@dataclass
class TicketPage:
    ticket: Ticket
    thread: list
    clocks: dict
    other_tickets: list[Ticket]
    post_url: str | None
    rules: compose.PlatformRules
    canned: list[dict]
    last_message_id: int
    authors: dict[int, User]
    may_work: bool
    is_member: bool
    is_webcare: bool
    may_report: bool  # the police-report export of a threat
    agents: list[User] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)  # where a hand-off can go
    proposed_replies: list[Note] = field(default_factory=list)
    questions: dict[int, str] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        """Not resolved or cancelled: a department may still take it over or send it back."""
        return is_open(self.ticket.status)


def build(session: Session, user: User, ticket: Ticket, format_day: Callable[[datetime], str],
          now: datetime | None = None) -> TicketPage:
    now = now or utcnow()
    thread = tickets.thread(session, ticket)
    messages = [entry.item for entry in thread if entry.kind == "message"]
    return TicketPage(
        ticket=ticket, thread=thread, clocks=_clocks(session, ticket, now), other_tickets=other_tickets(session, user, ticket),
        post_url=next((m.url for m in messages if m.direction == "in" and m.url), None),
        rules=compose.rules_for(ticket), canned=canned(session, ticket, format_day),
        last_message_id=max((m.id for m in messages), default=0), authors=_authors(session, thread),
        may_work=may_work(user, ticket), is_member=is_department_member(user, ticket), is_webcare=is_webcare(user),
        may_report=bool(ticket.threat) and safety.may_report(user),
        agents=_agents(session) if is_webcare(user) else [],
        departments=list(session.scalars(select(Department).where(Department.active.is_(True),
                                                                  Department.forward_only.is_(False),
                                                                  Department.is_front_office.is_(False))
                                         .order_by(Department.name))),
        proposed_replies=_proposed_replies(session, ticket, thread),
        questions={e.item.data.get("note_id"): e.item.data.get("to_department", "") for e in thread
                   if e.kind == "event" and e.item.type == "handoff"},
    )


def _clocks(session: Session, ticket: Ticket, now: datetime) -> dict[str, dict]:
    """The ticket's clocks, each with its time `left` in the target's own time (`services.sla_left`); a
    paused clock shows what was left when the pause began, as its level does."""
    clocks = clocks_of(ticket, now)
    calendar = calendars.lookup(session)
    for name, clock in clocks.items():
        clock["left"] = sla_left.time_left(clock, calendar(sla_left.calendar_id_of(ticket, name)),
                                           moment_of(ticket, name, now))
    return clocks


def other_tickets(session: Session, user: User, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """The citizen's other tickets in the user's scope, newest first (earlier ones, and later ones a merge may
    join)."""
    if ticket.contact_id is None:
        return []
    statement = visible_tickets(user).where(Ticket.contact_id == ticket.contact_id, Ticket.id != ticket.id)
    return list(session.scalars(statement.order_by(Ticket.created_at.desc()).limit(limit)))


def canned(session: Session, ticket: Ticket, format_day: Callable[[datetime], str]) -> list[dict]:
    """Canned responses with the ticket's variables filled in."""
    values = variables(ticket, format_day)
    return [{"id": r.id, "title": r.title, "text": compose.fill_variables(r.text, values)}
            for r in compose.canned_for(session, ticket)]


def variables(ticket: Ticket, format_day: Callable[[datetime], str]) -> dict[str, str]:
    """{naam}: the citizen; {afdeling}: the department; {termijn}: the promised or handling term."""
    contact = ticket.contact
    name = (contact.display_name or contact.handle) if contact else ""
    department = ticket.department.name if ticket.department else "de gemeente"
    due = ticket.promise_due_at or ticket.handling_due_at
    if due is not None:
        term = format_day(due)
    elif ticket.category and ticket.category.handling_target:
        unit = "werkdagen" if ticket.category.handling_unit == "working_days" else "dagen"
        term = f"binnen {ticket.category.handling_target} {unit}"
    else:
        term = "zo snel mogelijk"
    return {"naam": name, "afdeling": department, "termijn": term}


def _authors(session: Session, thread: list) -> dict[int, User]:
    ids = set()
    for entry in thread:
        item = entry.item
        ids.add(getattr(item, "author_user_id", None) if isinstance(item, Message) else None)
        ids.add(getattr(item, "author_id", None) if isinstance(item, Note) else None)
        ids.add(item.actor_id if isinstance(item, TicketEvent) else None)
    ids.discard(None)
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _agents(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True), User.role.in_(("agent", "manager", "admin")))
                                .order_by(User.name, User.email)))


def _proposed_replies(session: Session, ticket: Ticket, thread: list) -> list[Note]:
    """Feedback notes the department marked as a reply for webcare to send."""
    wanted = {e.item.data.get("note_id") for e in thread
              if e.kind == "event" and e.item.type == "feedback" and e.item.data.get("reply_requested")}
    return [e.item for e in thread if e.kind == "note" and e.item.id in wanted]
