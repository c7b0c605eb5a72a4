"""The append-only history of a ticket, from which every metric can be recomputed.

`at` is when the thing happened (the platform's time for a citizen's message, the platform's acceptance
time for a reply, the historic time for an import), not when the row was written. `dedupe_key` (unique,
optional) makes an event idempotent: a job that runs twice, or two schedulers recording the same SLA
crossing, insert it once.

Event types and their `data` (the SLA engine and the metrics read these; keep to them):

| type | data | notes |
| --- | --- | --- |
| created | message_id, kind, visibility | at = the first message's time |
| message_in | message_id | every inbound citizen message after the first; at = platform time |
| reopened | message_id | a resolved/cancelled ticket reopened by a citizen's message |
| routed | rule_id, rule, category, department, priority, labels | automatic routing |
| rerouted | from_department, to_department, reason | by a person |
| reply_queued | message_id, visibility, automatic (false) | a person's reply; actor = agent (an automatic acknowledgement has `auto_ack_sent` instead) |
| reply_sent | message_id, visibility, automatic | at = platform acceptance; actor = the person who wrote it |
| reply_failed | message_id, error, permanent | |
| auto_ack_sent | message_id, default_text (only when true) | the acknowledgement queued (its `reply_sent` follows); never counts as a response; `default_text`: the default text, the category's promise did not fit |
| auto_ack_skipped | message_id, reason: answered, closed, late or too_long | a waiting acknowledgement not sent after all; `too_long`: never queued, nothing fitted in the room the reply has |
| note | note_id | internal note |
| feedback | note_id | department feedback; department_id = the giving department |
| handoff | from_department, to_department, question, note_id | department_id = the receiving department |
| status_changed | from, to, text | |
| assigned | from_user_id, to_user_id | |
| labels_changed | added, removed | |
| priority_changed | from, to | |
| merged | into_ticket_id or from_ticket_id | |
| sla_level | clock, level, due_at | dedupe_key: once per run of a clock and level (services/sla_crossings.py) |
| anonymised | cause: retention or erasure | texts removed; times, categories, departments kept |
| exported | scope: contact or aangifte; format | actor = who exported |
| pii_override | message_id, reason, kinds, count | a public reply sent despite personal data; actor = agent |
| safety_notified | user_ids | the safety team was told about a threat; dedupe_key = safety_notified:{ticket} |
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from webcare.db import Base, utcnow

HAS_DEDUPE_KEY = text("dedupe_key IS NOT NULL")
EVENT_TYPES = (
    "created", "message_in", "reopened", "routed", "rerouted", "reply_queued", "reply_sent", "reply_failed",
    "auto_ack_sent", "auto_ack_skipped", "note", "feedback", "handoff", "status_changed", "assigned", "labels_changed",
    "priority_changed", "merged", "sla_level", "threat_flagged", "anonymised", "exported", "pii_override",
    "safety_notified",
)


class TicketEvent(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),
        # Only events that must happen once carry a key (SLA crossings, ...): partial, ingest_0003.
        Index("uq_ticket_events_dedupe_key", "dedupe_key", unique=True, postgresql_where=HAS_DEDUPE_KEY,
              sqlite_where=HAS_DEDUPE_KEY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column()  # no foreign key: migration ingest_0002
    data: Mapped[dict] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(160))
