"""The open work right now: backlog by SLA level and age, tickets at risk or breached, load per agent.

Read from the ticket rows (status, `sla_level`, `next_due_at`, `created_at`), which the SLA engine and
its sweep keep current to the minute; no personal data leaves this module (ids, reference data, staff).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, joinedload

from webcare.models import Ticket
from webcare.services import metrics_labels
from webcare.services.metrics import NO_FILTERS, Filters
from webcare.workflow import OPEN_STATUSES

LEVELS = ("late_3x", "breached", "at_risk", "on_time", "none")
URGENT_LEVELS = ("at_risk", "breached", "late_3x")
AGE_BUCKETS = (("lt_1d", 1), ("1_3d", 3), ("3_7d", 7), ("7_14d", 14), ("14_30d", 30), ("gt_30d", None))


@dataclass
class BacklogRow:
    key: int | None
    label: str = ""
    code: str | None = None
    total: int = 0
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    ages: dict[str, int] = field(default_factory=lambda: {name: 0 for name, _ in AGE_BUCKETS})

    def add(self, level: str, age: str, count: int) -> None:
        self.total += count
        self.levels[level if level in self.levels else "none"] += count
        self.ages[age] += count


def ticket_conditions(filters: Filters) -> list:
    pairs = ((Ticket.department_id, filters.department_id), (Ticket.channel_id, filters.channel_id),
             (Ticket.category_id, filters.category_id), (Ticket.assignee_id, filters.agent_id))
    return [column == value for column, value in pairs if value is not None]


def age_bucket(now: datetime):
    """A SQL CASE naming the age bucket of a ticket (wall time since it was created)."""
    whens = [(Ticket.created_at > now - timedelta(days=days), name) for name, days in AGE_BUCKETS if days]
    return case(*whens, else_=AGE_BUCKETS[-1][0])


def open_tickets(filters: Filters, statement: Select | None = None) -> Select:
    statement = select(Ticket) if statement is None else statement
    return statement.where(Ticket.status.in_(OPEN_STATUSES), *ticket_conditions(filters))


def backlog(session: Session, now: datetime, filters: Filters = NO_FILTERS, group_by: str = "department") -> list[BacklogRow]:
    """Open tickets per department (or assignee: group_by="agent") by SLA level and by age."""
    key = Ticket.assignee_id if group_by == "agent" else Ticket.department_id
    bucket = age_bucket(now)
    statement = open_tickets(filters, select(key, Ticket.sla_level, bucket, func.count()).select_from(Ticket))
    rows: dict[int | None, BacklogRow] = {}
    for group_key, level, age, count in session.execute(statement.group_by(key, Ticket.sla_level, bucket)):
        rows.setdefault(group_key, BacklogRow(group_key)).add(level, age, count)
    names = metrics_labels.names(session, group_by, rows)
    codes = metrics_labels.codes(session, group_by, rows)
    for row in rows.values():
        row.label, row.code = metrics_labels.label_for(group_by, row.key, names), codes.get(row.key)
    return sorted(rows.values(), key=lambda r: (-r.levels["late_3x"] - r.levels["breached"], -r.total, r.label))


def backlog_total(rows: list[BacklogRow]) -> BacklogRow:
    total = BacklogRow(None, label="")
    for row in rows:
        total.total += row.total
        for level, count in row.levels.items():
            total.levels[level] += count
        for age, count in row.ages.items():
            total.ages[age] += count
    return total


def backlog_dict(row: BacklogRow) -> dict:
    return {"id": row.key, "code": row.code, "label": row.label, "total": row.total, "levels": dict(row.levels),
            "ages": dict(row.ages)}


def urgent_tickets(session: Session, filters: Filters = NO_FILTERS, limit: int = 100) -> list[Ticket]:
    """Open tickets at risk or breached, most overdue first (no texts, no citizens: ids and references)."""
    statement = open_tickets(filters).where(Ticket.sla_level.in_(URGENT_LEVELS)) \
        .options(joinedload(Ticket.channel), joinedload(Ticket.department), joinedload(Ticket.category),
                 joinedload(Ticket.assignee)) \
        .order_by(Ticket.next_due_at.is_(None), Ticket.next_due_at, Ticket.id).limit(limit)
    return list(session.scalars(statement))


def urgent_select(filters: Filters, level: str | None = None, age: str | None = None, now: datetime | None = None) -> Select:
    """The open tickets behind a backlog figure (for the export): optionally one level and one age bucket."""
    statement = open_tickets(filters)
    if level is not None:
        statement = statement.where(Ticket.sla_level == level)
    if age is not None and now is not None:
        statement = statement.where(age_bucket(now) == age)
    return statement.order_by(Ticket.next_due_at.is_(None), Ticket.next_due_at, Ticket.id)
