"""Metric facts: one row per run of an SLA clock and one per ticket, derived from the ticket's events.

The dashboards, the CSV exports and `GET /api/v1/metrics/*` aggregate this table, so the database can
take medians and P90s (`percentile_cont` on PostgreSQL) over millions of tickets without replaying any
history. The rows are written by `services.metric_facts` whenever the SLA engine replays a ticket
(`services.sla.apply_history`: new ticket, every event that matters, every sweep crossing) and can be
rebuilt from the events at any time (`webcare metrics rebuild`). docs/METRICS.md defines every column.

| kind | one row per | started_at | ended_at | result |
| --- | --- | --- | --- | --- |
| ticket | ticket | created | closed (resolved/cancelled), else null | open / resolved / cancelled |
| first_response | ticket with a first-response clock | created | reply accepted, or stopped | on_time / late / open / none |
| next_response | citizen wait (seq 0, 1, ...) | wait began | reply accepted, or stopped | on_time / late / open / none |
| department_feedback | hand-off (seq 0, 1, ...) | hand-off | feedback, or stopped | on_time / late / open / none |
| handling | ticket with a handling target | created | resolved/forwarded, or stopped | on_time / late / open / none |

`start_day`/`start_week` and `end_day`/`end_week` are local dates (Europe/Amsterdam; the week is the
date of its Monday), so day and week buckets group exactly at local midnight on every backend.
No personal data: ids of staff and reference data only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from webcare.db import Base
from webcare.models.ticket import Ticket

FACT_KINDS = ("ticket", "first_response", "next_response", "department_feedback", "handling")
RESULTS = ("on_time", "late", "open", "none", "resolved", "cancelled")
# covering indexes: the figure queries read only the index (PostgreSQL index-only scans, docs/METRICS.md)
_STARTED = ("result", "late_3x", "reopens", "business_seconds", "wall_seconds", "start_week", "department_id",
            "channel_id", "category_id", "agent_id")
_ENDED_RUN = text("end_day IS NOT NULL")
_ENDED = ("result", "end_week", "department_id", "channel_id", "category_id", "agent_id")


class MetricFact(Base):
    __tablename__ = "metric_facts"
    __table_args__ = (
        Index("ix_metric_facts_kind_start_day", "kind", "start_day", postgresql_include=list(_STARTED)),
        Index("ix_metric_facts_kind_end_day", "kind", "end_day", postgresql_include=list(_ENDED),
              postgresql_where=_ENDED_RUN, sqlite_where=_ENDED_RUN),  # a run still going has no end day
        Index("ix_metric_facts_late_3x_start_day", "start_day", postgresql_where=text("late_3x"),
              sqlite_where=text("late_3x")),  # the 3x-late list: a small index of the few very late runs
    )

    # keyed by the run it counts (migration ingest_0005); no foreign key: a derived copy (ingest_0004)
    ticket_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, default=0)
    started_at: Mapped[datetime] = mapped_column()
    start_day: Mapped[date] = mapped_column()
    start_week: Mapped[date] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    end_day: Mapped[date | None] = mapped_column()
    end_week: Mapped[date | None] = mapped_column()
    result: Mapped[str] = mapped_column(String(10))
    late_3x: Mapped[bool] = mapped_column(default=False)
    business_seconds: Mapped[int | None] = mapped_column()
    wall_seconds: Mapped[int | None] = mapped_column()
    reopens: Mapped[int] = mapped_column(default=0)
    # ids of reference data without foreign keys: the ticket and its events hold the same ids under theirs,
    # and those rows go with the facts (migration ingest_0001: four checks per fact insert, none needed)
    department_id: Mapped[int | None] = mapped_column()
    channel_id: Mapped[int | None] = mapped_column()
    category_id: Mapped[int | None] = mapped_column()
    agent_id: Mapped[int | None] = mapped_column()

    ticket: Mapped[Ticket] = relationship(
        primaryjoin="foreign(MetricFact.ticket_id) == Ticket.id",
        backref=backref("metric_facts", cascade="all, delete-orphan"))

    def __repr__(self) -> str:
        return f"<MetricFact {self.ticket_id} {self.kind}#{self.seq} {self.result}>"
