"""The fact rows behind a dashboard figure: the selects of the ticket-list exports and the 3x-late list."""

from __future__ import annotations

from sqlalchemy import Select, and_, select, true

from webcare.models import MetricFact
from webcare.services.metrics import CLOCK_KINDS, Filters, Period

_BY_RUN = (MetricFact.ticket_id, MetricFact.kind, MetricFact.seq)  # ties broken by the fact's key


def tickets_for(kind: str, period: Period, filters: Filters, *, result: str | None = None,
                late_3x: bool = False, reopened: bool = False, ended: bool = False) -> Select:
    """The fact rows behind a figure (for the ticket-list export): select MetricFact."""
    day = MetricFact.end_day if ended else MetricFact.start_day
    statement = select(MetricFact).where(MetricFact.kind == kind, day.between(period.start, period.end),
                                         *filters.conditions())
    if ended:
        statement = statement.where(MetricFact.result.in_(("resolved", "cancelled")))
    if result is not None:
        statement = statement.where(MetricFact.result == result)
    if late_3x:
        statement = statement.where(MetricFact.late_3x.is_(True))
    if reopened:
        statement = statement.where(MetricFact.reopens > 0)
    return statement.order_by(MetricFact.started_at, *_BY_RUN)


def any_late_3x(period: Period, filters: Filters) -> Select:
    """Every clock run that reached three times its target, started in the period."""
    return select(MetricFact).where(and_(MetricFact.late_3x == true(), MetricFact.kind.in_(CLOCK_KINDS),
                                         MetricFact.start_day.between(period.start, period.end)),
                                    *filters.conditions()).order_by(MetricFact.start_day, *_BY_RUN)
