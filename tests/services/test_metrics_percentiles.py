"""Medians and P90s: percentile_cont in PostgreSQL and the Python fallback give identical numbers."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from tests import factories
from webcare.models import MetricFact
from webcare.services import metrics
from webcare.services.metric_facts import week_of
from webcare.services.metrics_sql import percentile_cont, rounded

DAY = date(2025, 3, 3)


def _facts(session, count: int) -> list[MetricFact]:
    rng = random.Random(8)
    factories.seeded(session)
    departments = [factories.department(session, code).id for code in ("OW", "AFV", "KCC")]
    tickets = [factories.ticket(session, created_at=datetime(2025, 3, 3, 9, tzinfo=UTC)) for _ in range(count)]
    facts = []
    for n, ticket in enumerate(tickets):
        kind = ("first_response", "next_response", "department_feedback")[n % 3]
        day = DAY + timedelta(days=rng.randrange(14))
        business = rng.choice([None, *[rng.randrange(0, 200_000) for _ in range(9)]])
        facts.append(MetricFact(
            ticket_id=ticket.id, kind=kind, seq=0, started_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
            start_day=day, start_week=week_of(day), result="late" if business and business > 14400 else "on_time",
            business_seconds=business, wall_seconds=None if business is None else business * 3 + rng.randrange(7),
            department_id=rng.choice(departments)))
    session.add_all(facts)
    session.commit()
    return facts


def _expected(facts, key) -> dict:
    grouped: dict = {}
    for fact in facts:
        if fact.business_seconds is not None:
            values = grouped.setdefault((key(fact), fact.kind), ([], []))
            values[0].append(fact.business_seconds)
            values[1].append(fact.wall_seconds)
    return {k: tuple(rounded(percentile_cont(sorted(v), p)) for v in values for p in (0.5, 0.9))
            for k, values in grouped.items()}


def _found(groups) -> dict:
    return {(g.key, kind): (c.median_business, c.p90_business, c.median_wall, c.p90_wall)
            for g in groups for kind, c in g.clocks.items() if c.met and kind != "handling"}


def test_database_and_python_percentiles_agree(session):
    """On PostgreSQL the first call uses percentile_cont, the second the Python fallback; on SQLite both
    use the fallback. Either way they must equal percentile_cont worked out here."""
    facts = _facts(session, 600)
    period = metrics.Period(DAY, DAY + timedelta(days=13))
    for group_by, key in (("department", lambda f: f.department_id), ("day", lambda f: f.start_day),
                          ("week", lambda f: f.start_week), (None, lambda f: None)):
        in_database = _found(metrics.figures(session, period, group_by))
        in_python = _found(metrics.figures(session, period, group_by, python_percentiles=True))
        assert in_database == in_python == _expected(facts, key), group_by


def test_several_groupings_at_once_equal_each_on_its_own(session):
    """A dashboard's plan counts all its groupings in one query (GROUPING SETS on PostgreSQL, UNION ALL
    on SQLite and with python_percentiles): every grouping's figures equal those it gets alone."""
    _facts(session, 300)
    period = metrics.Period(DAY, DAY + timedelta(days=13))
    groupings = [None, "day", "department", "week"]
    for python_percentiles in (False, True):
        together = metrics.figures_many(session, period, groupings, python_percentiles=python_percentiles)
        for grouping in groupings:
            alone = metrics.figures(session, period, grouping, python_percentiles=python_percentiles)
            assert together[grouping] == alone, (grouping, python_percentiles)
            assert sum(g.clock("first_response").count for g in alone) == 100, grouping
