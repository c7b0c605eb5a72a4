"""Figures and the tickets behind them as flat rows: the API's groups, the CSV exports.

`flat()` is the one shape of a group's figures (API `GET /metrics/response-times` and the figures CSV).
`ticket_rows()` lists the tickets behind any figure of the dashboards; citizens' handles, names and
texts are included only when the caller says the user may see them (administrators), and every export
is written to the audit log by `record_export()`. Times are local (Europe/Amsterdam) ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from webcare.errors import NotFound, ValidationFailed
from webcare.models import Category, Channel, Contact, Department, MetricFact, Ticket, User
from webcare.services import audit, metric_fact_rows, metric_facts, metrics, metrics_now
from webcare.services.metrics import CLOCK_KINDS, Filters, GroupFigures, Period

FIGURES = ("tickets_in", "tickets_out", "reopened", "late_3x", "backlog",
           *(f"{kind}{suffix}" for kind in CLOCK_KINDS for suffix in ("", "_on_time", "_late", "_open")))
TICKET_COLUMNS = ("ticket", "created_at", "status", "platform", "channel", "kind", "department", "category",
                  "priority", "assignee")
FACT_COLUMNS = ("clock", "run", "started_at", "due_at", "ended_at", "result", "business_seconds",
                "wall_seconds", "late_3x", "reopens", "agent")
BACKLOG_COLUMNS = ("sla_level", "next_due_at", "age_days")
PERSONAL_COLUMNS = ("citizen_handle", "citizen_name", "subject")


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def flat(group: GroupFigures, group_by: str | None) -> dict:
    """A group's figures as one flat dict (field names of docs/API.md and docs/METRICS.md)."""
    first, wait = group.clock("first_response"), group.clock("next_response")
    feedback, handling = group.clock("department_feedback"), group.clock("handling")
    key = group.key.isoformat() if hasattr(group.key, "isoformat") else group.key
    return {
        "key": group.code or (None if key is None else str(key)), "id": group.key if isinstance(group.key, int) else None,
        "label": group.label, "count": first.count,
        "first_response_answered": first.met, "first_response_on_time": first.on_time,
        "first_response_late": first.late, "first_response_open": first.open,
        "first_response_median_business_seconds": first.median_business,
        "first_response_p90_business_seconds": first.p90_business,
        "first_response_median_wall_seconds": first.median_wall,
        "first_response_p90_wall_seconds": first.p90_wall,
        "first_response_within_sla": _share(first.share_within),
        "next_response_count": wait.count,
        "next_response_median_business_seconds": wait.median_business,
        "next_response_p90_business_seconds": wait.p90_business,
        "next_response_median_wall_seconds": wait.median_wall,
        "next_response_p90_wall_seconds": wait.p90_wall,
        "next_response_within_sla": _share(wait.share_within),
        "department_feedback_count": feedback.count,
        "department_feedback_median_business_seconds": feedback.median_business,
        "department_feedback_p90_business_seconds": feedback.p90_business,
        "department_feedback_within_target": _share(feedback.share_within),
        "handling_count": handling.count,
        "handling_within_sla": _share(handling.share_within),
        "tickets_in": group.tickets_in, "tickets_out": group.tickets_out,
        "reopen_rate": _share(group.reopen_rate), "late_3x": group.late_3x,
    }


def resolve_filters(session: Session, department: str | None = None, channel: int | None = None,
                    category: str | None = None) -> Filters:
    """Filters given by code (API): unknown codes are a 400 naming the field."""
    department_id = category_id = None
    if department:
        department_id = session.scalar(select(Department.id).where(Department.code == department))
        if department_id is None:
            raise ValidationFailed(f"unknown department {department!r}", fields={"department": "unknown"})
    if category:
        category_id = session.scalar(select(Category.id).where(Category.code == category))
        if category_id is None:
            raise ValidationFailed(f"unknown category {category!r}", fields={"category": "unknown"})
    if channel is not None and session.get(Channel, channel) is None:
        raise ValidationFailed(f"unknown channel {channel}", fields={"channel": "unknown"})
    return Filters(department_id=department_id, channel_id=channel, category_id=category_id)


# --- the tickets behind a figure -----------------------------------------------------------------

def figure_select(figure: str, period: Period, filters: Filters, now: datetime, *, level: str | None = None,
                  age: str | None = None) -> Select:
    """select(MetricFact) (period figures) or select(Ticket) (backlog) behind one figure."""
    if figure not in FIGURES:
        raise NotFound(f"unknown figure {figure!r}")
    if figure == "backlog":
        return metrics_now.urgent_select(filters, level, age, now)
    if figure == "late_3x":
        return metric_fact_rows.any_late_3x(period, filters)
    if figure in ("tickets_in", "tickets_out", "reopened"):
        return metric_fact_rows.tickets_for("ticket", period, filters, ended=figure == "tickets_out",
                                   reopened=figure == "reopened")
    kind = next(k for k in CLOCK_KINDS if figure == k or figure.startswith(k + "_"))
    return metric_fact_rows.tickets_for(kind, period, filters, result=figure[len(kind) + 1:] or None)


def count_rows(session: Session, statement: Select) -> int:
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def header(figure: str, personal: bool) -> list[str]:
    extra = BACKLOG_COLUMNS if figure == "backlog" else FACT_COLUMNS
    return [*TICKET_COLUMNS, *extra, *(PERSONAL_COLUMNS if personal else ())]


def ticket_rows(session: Session, figure: str, statement: Select, zone: ZoneInfo, now: datetime,
                personal: bool) -> Iterator[list]:
    """The CSV rows for `statement` (from figure_select), joined with the ticket's reference data."""
    assignee, agent = aliased(User), aliased(User)
    if figure == "backlog":
        base = statement.add_columns(Channel, Department.code, Category.code, assignee.email)
    else:
        base = statement.add_columns(Ticket, Channel, Department.code, Category.code, assignee.email, agent.email) \
            .join(Ticket, Ticket.id == MetricFact.ticket_id).outerjoin(agent, agent.id == MetricFact.agent_id)
    base = base.join(Channel, Channel.id == Ticket.channel_id) \
        .outerjoin(Department, Department.id == Ticket.department_id) \
        .outerjoin(Category, Category.id == Ticket.category_id).outerjoin(assignee, assignee.id == Ticket.assignee_id)
    if personal:
        base = base.add_columns(Contact.handle, Contact.display_name).outerjoin(Contact, Contact.id == Ticket.contact_id)
    for row in session.execute(base.execution_options(yield_per=1000)):
        yield _row(figure, row, zone, now, personal)


def _row(figure: str, row, zone: ZoneInfo, now: datetime, personal: bool) -> list:
    if figure == "backlog":
        ticket, channel, department, category, assignee, *rest = row
        extra = [ticket.sla_level, _local(ticket.next_due_at, zone), round((now - ticket.created_at).total_seconds() / 86400, 2)]
    else:
        fact, ticket, channel, department, category, assignee, agent, *rest = row
        extra = [fact.kind, fact.seq, _local(fact.started_at, zone), _local(fact.due_at, zone), _local(fact.ended_at, zone),
                 fact.result, fact.business_seconds, fact.wall_seconds, fact.late_3x, fact.reopens, agent]
    base = [ticket.id, _local(ticket.created_at, zone), ticket.status, channel.platform, channel.name, ticket.kind,
            department, category, ticket.priority, assignee]
    personal_values = [rest[0], rest[1], ticket.subject] if personal else []
    return [*base, *extra, *personal_values]


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat() if moment else ""


@dataclass
class Export:
    filename: str
    header: list[str]
    rows: Iterable[list]


def figures_export(session: Session, user: User, origin: audit.Origin, period: Period, filters: Filters,
                   group_by: str) -> Export:
    """Every figure per group (the API's fields), one row per group; audited."""
    metrics.require_viewer(user)
    groups = metrics.figures(session, period, group_by, filters)
    rows = [flat(group, group_by) for group in groups]
    _audit(session, user, origin, "figures", period, filters, len(rows), group_by=group_by, personal_data=False)
    header = list(rows[0]) if rows else list(flat(GroupFigures(None), group_by))
    name = f"webcare-figures-{group_by}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Export(name, header, [[row[column] for column in header] for row in rows])


def tickets_export(session: Session, user: User, origin: audit.Origin, period: Period, filters: Filters,
                   figure: str, *, level: str | None, age: str | None, now: datetime) -> Export:
    """The tickets behind one figure; citizens' data only for administrators; audited with the row count."""
    metrics.require_viewer(user)
    statement = figure_select(figure, period, filters, now, level=level, age=age)
    personal = user.role == "admin"
    count = count_rows(session, statement)
    _audit(session, user, origin, "tickets", period, filters, count, figure=figure, level=level, age=age,
           personal_data=personal)
    name = f"webcare-{figure}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Export(name, header(figure, personal),
                  ticket_rows(session, figure, statement, metric_facts.zone_for(session), now, personal))


def _audit(session: Session, user: User, origin: audit.Origin, export: str, period: Period, filters: Filters,
           rows: int, **data) -> None:
    """Every export goes to the audit log: who, what, which period and filters, how many rows."""
    audit.record(session, user, "metrics.export", origin, target=("export", export),
                 data={"from": period.start.isoformat(), "to": period.end.isoformat(), "filters": filters.as_params(),
                       "rows": rows, **{k: v for k, v in data.items() if v is not None}})
