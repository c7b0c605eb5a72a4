"""What each dashboard page shows, composed from the metrics service (one call per page).

`dashboard()` serves the overview, the department page and the channel page (the same figures with a
filter and other breakdowns); `agent_figures()` the page per agent; `now_board()` the open work right now.
The pages only format.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from webcare.models import MetricFact, SlaPolicy, Ticket
from webcare.services import fanout, metric_fact_rows, metrics, metrics_labels, metrics_now
from webcare.services.metrics import NO_FILTERS, Filters, GroupFigures, Period

# first-response business time buckets (upper bounds in seconds; None: and longer)
DISTRIBUTION_EDGES = (15 * 60, 30 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 16 * 3600, None)
BREAKDOWNS = {"overview": ("department", "channel"), "department": ("category", "agent"),
              "channel": ("department", "category")}
LATE_LIST_LIMIT = 200
URGENT_SHOWN = 30  # the rest is in the CSV


@dataclass
class Dashboard:
    period: Period
    previous_period: Period
    current: GroupFigures
    previous: GroupFigures
    series_by: str
    series: list[GroupFigures]
    breakdowns: dict[str, list[GroupFigures]]
    distribution: list[tuple[int | None, int]]
    backlog: metrics_now.BacklogRow
    late_by_category: list[tuple[str, list[MetricFact]]]
    targets: dict = field(default_factory=dict)


@dataclass
class NowBoard:
    at: datetime
    urgent: list[Ticket]
    departments: list[metrics_now.BacklogRow]
    agents: list[metrics_now.BacklogRow]
    total: metrics_now.BacklogRow


def dashboard(session: Session, scope: str, period: Period, filters: Filters, now: datetime) -> Dashboard:
    """The figures of a page; its aggregate queries run side by side (`services.fanout`)."""
    series_by = "day" if period.days <= 62 else "week"
    current = metrics.FigurePlan.make(session, period, [None, series_by, *BREAKDOWNS[scope]], filters,
                                      wall_by_group=False)
    previous = metrics.FigurePlan.make(session, period.previous(), [None], filters)
    counted = len(current.queries)
    results = fanout.run_all(session, [*current.queries, *previous.queries,
                                       lambda s: distribution_rows(s, period, filters)])
    found = current.assemble(session, results[:counted])
    return Dashboard(
        period=period, previous_period=period.previous(), current=found[None][0],
        previous=previous.assemble(session, results[counted:-1])[None][0],
        series_by=series_by, series=found[series_by],
        breakdowns={name: found[name] for name in BREAKDOWNS[scope]},
        distribution=distribution_buckets(results[-1]),
        backlog=metrics_now.backlog_total(metrics_now.backlog(session, now, filters)),
        late_by_category=late_by_category(session, period, filters),
        targets=targets(session),
    )


def agent_figures(session: Session, period: Period, filters: Filters) -> list[GroupFigures]:
    """The figures of the period per agent (`group_by=agent`, docs/METRICS.md): the page "Per agent". Kept off
    the overview, whose other queries it would slow down by a third."""
    plan = metrics.FigurePlan.make(session, period, ["agent"], filters, wall_by_group=False)
    return plan.assemble(session, fanout.run_all(session, plan.queries))["agent"]


def now_board(session: Session, now: datetime, filters: Filters = NO_FILTERS) -> NowBoard:
    departments = metrics_now.backlog(session, now, filters)
    return NowBoard(at=now, urgent=metrics_now.urgent_tickets(session, filters, limit=URGENT_SHOWN), departments=departments,
                    agents=metrics_now.backlog(session, now, filters, group_by="agent"),
                    total=metrics_now.backlog_total(departments))


def distribution_rows(session: Session, period: Period, filters: Filters) -> list:
    """First responses given in the period per business-time bucket (rows of bucket number, count)."""
    bounds = [edge for edge in DISTRIBUTION_EDGES if edge is not None]
    bucket = case(*[(MetricFact.business_seconds <= edge, n) for n, edge in enumerate(bounds)], else_=len(bounds))
    statement = (select(bucket, func.count()).where(
        MetricFact.kind == "first_response", MetricFact.business_seconds.is_not(None),
        MetricFact.start_day.between(period.start, period.end), *filters.conditions()).group_by(bucket))
    return session.execute(statement).all()


def distribution_buckets(rows: list) -> list[tuple[int | None, int]]:
    """[(upper bound in seconds or None, count), ...] for every bucket, empty ones included."""
    counts = {n: count for n, count in rows}
    return [(edge, counts.get(n, 0)) for n, edge in enumerate(DISTRIBUTION_EDGES)]


def late_by_category(session: Session, period: Period, filters: Filters) -> list[tuple[str, list[MetricFact]]]:
    """The clock runs that reached three times their target, per category (most first)."""
    grouped: dict[int | None, list[MetricFact]] = defaultdict(list)
    for fact in session.scalars(metric_fact_rows.any_late_3x(period, filters).limit(LATE_LIST_LIMIT)):
        grouped[fact.category_id].append(fact)
    names = metrics_labels.names(session, "category", grouped)
    rows = [(metrics_labels.label_for("category", key, names), facts) for key, facts in grouped.items()]
    return sorted(rows, key=lambda row: (-len(row[1]), row[0]))


def targets(session: Session) -> dict:
    """The targets of the active default policy, to show next to the figures."""
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.active.is_(True))
                            .order_by(SlaPolicy.is_default.desc(), SlaPolicy.id).limit(1))
    if policy is None:
        return {}
    return {"first_response_public": policy.first_response_public_minutes * 60,
            "first_response_dm": policy.first_response_dm_minutes * 60,
            "next_response_public": policy.next_response_public_minutes * 60,
            "next_response_dm": policy.next_response_dm_minutes * 60,
            "department_feedback_days": policy.department_feedback_working_days}
