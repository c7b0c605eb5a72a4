"""Tickets: a conversation with one citizen about one matter, with its SLA clocks stored on the row.

Each SLA clock has a due, met and breached time; `next_due_at` is the earliest due time of the clocks
still running, so the inbox orders "most urgent first" with one index. `current_thread_key` is set only
on the ticket that new messages of a thread join; the unique constraint on it guarantees one live ticket
per thread even when two ingest workers race.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webcare.db import Base, utcnow
from webcare.models.category import Category
from webcare.models.channel import Channel
from webcare.models.contact import Contact
from webcare.models.department import Department
from webcare.models.user import User

if TYPE_CHECKING:
    from webcare.models.message import Message
    from webcare.models.ticket_event import TicketEvent

PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
AWAITING = ("webcare", "department", "citizen", "nobody")
CLOCKS = ("first_response", "next_response", "department_feedback", "handling")
OPEN_TICKET = text("status IN ('new', 'open', 'with_department', 'waiting_citizen', 'forwarded_external')")
OPEN_ASSIGNED = text(f"{OPEN_TICKET.text} AND assignee_id IS NOT NULL")
CLOSED_TICKET = text("status IN ('resolved', 'cancelled')")
CLOSED_ASSIGNED = text(f"{CLOSED_TICKET.text} AND assignee_id IS NOT NULL")
INBOX_FILTERS = ["status", "priority", "channel_id", "category_id", "sla_level"]  # included in the inbox indexes


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("channel_id", "current_thread_key"),
        Index("ix_tickets_category_id_created_at", "category_id", "created_at"),
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_contact_id", "contact_id"),
        Index("ix_tickets_sla_check_at", "sla_check_at"),
        Index("ix_tickets_channel_id_thread_key", "channel_id", "thread_key"),
        CheckConstraint("priority IN ('urgent', 'high', 'normal', 'low')", name="priority"),
        # The inbox: open tickets, most urgent first, overall and per department and per assignee; on
        # PostgreSQL with the inbox's filter columns included, so a filtered page is read from the index.
        Index("ix_tickets_open_next_due_at_id", "next_due_at", "id", postgresql_where=OPEN_TICKET,
              sqlite_where=OPEN_TICKET, postgresql_include=[*INBOX_FILTERS, "department_id", "assignee_id"]),
        Index("ix_tickets_open_department_id_next_due_at_id", "department_id", "next_due_at", "id",
              postgresql_where=OPEN_TICKET, sqlite_where=OPEN_TICKET, postgresql_include=[*INBOX_FILTERS, "assignee_id"]),
        Index("ix_tickets_open_assignee_id_next_due_at_id", "assignee_id", "next_due_at", "id",
              postgresql_where=OPEN_ASSIGNED, sqlite_where=OPEN_ASSIGNED,
              postgresql_include=[*INBOX_FILTERS, "department_id"]),
        # Closed tickets of a department or an assignee, newest first (the list with status resolved,
        # cancelled or all); a new ticket enters neither (migration ingest_0003).
        Index("ix_tickets_closed_department_id_id", "department_id", "id", postgresql_where=CLOSED_TICKET,
              sqlite_where=CLOSED_TICKET),
        Index("ix_tickets_closed_assignee_id_id", "assignee_id", "id", postgresql_where=CLOSED_ASSIGNED,
              sqlite_where=CLOSED_ASSIGNED),
        # The safety net's minute look for threats the safety team was not told of (migration safety_0001).
        Index("ix_tickets_threat_updated_at", "updated_at", postgresql_where=text("threat"),
              sqlite_where=text("threat = 1")),  # as SQLAlchemy writes `where(Ticket.threat)` there
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column()  # no foreign keys to configuration rows: migration ingest_0002
    contact_id: Mapped[int | None] = mapped_column()  # no foreign key: migration ingest_0004
    thread_key: Mapped[str] = mapped_column(String(255))
    current_thread_key: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    visibility: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(280), default="")
    status: Mapped[str] = mapped_column(String(24), default="new")
    awaiting: Mapped[str] = mapped_column(String(12), default="webcare")
    category_id: Mapped[int | None] = mapped_column()
    department_id: Mapped[int | None] = mapped_column()
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    threat: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    routed_by_rule_id: Mapped[int | None] = mapped_column()
    previous_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    last_outbound_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    reopen_count: Mapped[int] = mapped_column(default=0)
    activity_seq: Mapped[int] = mapped_column(default=0)
    auto_ack_sent_at: Mapped[datetime | None] = mapped_column()
    first_responder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column()

    # SLA: the targets the ticket was given, the promise made to the citizen, and one set per clock.
    sla_policy_id: Mapped[int | None] = mapped_column()
    calendar_id: Mapped[int | None] = mapped_column()
    sla_targets: Mapped[dict] = mapped_column(default=dict)
    promise_text: Mapped[str | None] = mapped_column(Text)
    promise_due_at: Mapped[datetime | None] = mapped_column()
    next_due_at: Mapped[datetime | None] = mapped_column()
    first_response_due_at: Mapped[datetime | None] = mapped_column()
    first_response_met_at: Mapped[datetime | None] = mapped_column()
    first_response_breached_at: Mapped[datetime | None] = mapped_column()
    next_response_started_at: Mapped[datetime | None] = mapped_column()
    next_response_due_at: Mapped[datetime | None] = mapped_column()
    next_response_met_at: Mapped[datetime | None] = mapped_column()
    next_response_breached_at: Mapped[datetime | None] = mapped_column()
    department_feedback_started_at: Mapped[datetime | None] = mapped_column()
    department_feedback_due_at: Mapped[datetime | None] = mapped_column()
    department_feedback_met_at: Mapped[datetime | None] = mapped_column()
    department_feedback_breached_at: Mapped[datetime | None] = mapped_column()
    handling_due_at: Mapped[datetime | None] = mapped_column()
    handling_met_at: Mapped[datetime | None] = mapped_column()
    handling_breached_at: Mapped[datetime | None] = mapped_column()
    handling_paused_at: Mapped[datetime | None] = mapped_column()
    handling_paused_seconds: Mapped[int] = mapped_column(default=0)
    sla_level: Mapped[str] = mapped_column(String(12), default="on_time")
    sla_check_at: Mapped[datetime | None] = mapped_column()  # the sweep's next look (docs/SLA.md)

    # No foreign keys to the shared configuration rows (migration ingest_0002): joined on these conditions.
    channel: Mapped[Channel] = relationship(primaryjoin="foreign(Ticket.channel_id) == Channel.id")
    contact: Mapped[Contact | None] = relationship(primaryjoin="foreign(Ticket.contact_id) == Contact.id")
    department: Mapped[Department | None] = relationship(primaryjoin="foreign(Ticket.department_id) == Department.id")
    category: Mapped[Category | None] = relationship(primaryjoin="foreign(Ticket.category_id) == Category.id")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[Message]] = relationship(order_by="Message.id", viewonly=True)
    events: Mapped[list[TicketEvent]] = relationship(order_by="TicketEvent.id", viewonly=True)
    notes: Mapped[list[Note]] = relationship(order_by="Note.id", viewonly=True)  # hand-off questions, feedback
    labels: Mapped[list[TicketLabel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TicketLabel.label"
    )

    @property
    def label_names(self) -> list[str]:
        return [label.label for label in self.labels]

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status}>"


class TicketLabel(Base):
    __tablename__ = "ticket_labels"
    __table_args__ = (Index("ix_ticket_labels_label_ticket_id", "label", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(64), primary_key=True)


class Note(Base):
    """An internal note on a ticket; `is_feedback` marks a department's feedback to webcare."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    is_feedback: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
