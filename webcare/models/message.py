"""Messages: one inbound or outbound post, comment or DM, unique per channel and external id.

Outbound messages (our replies) carry a delivery state; their `idempotency_key` is sent to the platform
so that a retried job never posts twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from webcare.db import Base, utcnow

DIRECTIONS = ("in", "out")
KINDS = ("mention", "comment", "dm", "reply")
VISIBILITIES = ("public", "private")
_HAS_KEY = text("idempotency_key IS NOT NULL")
_SENT_REPLY = text("direction = 'out' AND external_id IS NOT NULL")
_INBOUND = text("direction = 'in'")
_DELIVERY = text("delivery_state IS NOT NULL")
DELIVERY_STATES = ("queued", "sending", "sent", "failed", "held", "skipped")  # skipped: an acknowledgement no longer needed, or too long


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_messages_ticket_id_id", "ticket_id", "id"),
        # Partial: a citizen's message and a reply not yet sent enter none of these (migration ingest_0003).
        Index("uq_messages_idempotency_key", "idempotency_key", unique=True, postgresql_where=_HAS_KEY,
              sqlite_where=_HAS_KEY),
        Index("ix_messages_channel_id_thread_key", "channel_id", "thread_key", postgresql_where=_SENT_REPLY,
              sqlite_where=_SENT_REPLY),  # our delivered replies in a thread
        Index("ix_messages_received_at", "received_at", postgresql_where=_INBOUND, sqlite_where=_INBOUND),
        Index("ix_messages_delivery_state", "delivery_state", postgresql_where=_DELIVERY, sqlite_where=_DELIVERY),
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        CheckConstraint("visibility IN ('public', 'private')", name="visibility"),
        CheckConstraint("kind IN ('mention', 'comment', 'dm', 'reply')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column()  # no foreign key: migration ingest_0002
    contact_id: Mapped[int | None] = mapped_column()  # no foreign key: migration ingest_0004
    direction: Mapped[str] = mapped_column(String(3))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(255))
    thread_key: Mapped[str] = mapped_column(String(255))
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    visibility: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1024))
    language: Mapped[str | None] = mapped_column(String(8))
    author_handle: Mapped[str] = mapped_column(String(255), default="")
    author_name: Mapped[str] = mapped_column(String(255), default="")
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    platform_created_at: Mapped[datetime | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict | None] = mapped_column()
    is_automatic: Mapped[bool] = mapped_column(default=False)
    based_on_message_id: Mapped[int | None] = mapped_column()
    delivery_state: Mapped[str | None] = mapped_column(String(8))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    delivery_attempts: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column()
    pii_override_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_inbound(self) -> bool:
        return self.direction == "in"

    @property
    def waits_until(self) -> datetime | None:
        """A queued reply held by the platform's rate limit: when its job tries again (services.replies)."""
        moment = ((self.raw or {}).get("delivery") or {}).get("wait_until")
        return datetime.fromisoformat(moment) if moment and self.delivery_state == "queued" else None

    @property
    def skipped_because(self) -> str | None:
        """Why an acknowledgement was not sent after all: "answered", "closed" or "late" (services.replies)."""
        return ((self.raw or {}).get("delivery") or {}).get("skipped") if self.delivery_state == "skipped" else None
