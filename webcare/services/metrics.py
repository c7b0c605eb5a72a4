"""Dashboard figures: volume, response times against the SLA, shares within target, reopen rate.

One service for the pages, the CSV exports and `GET /api/v1/metrics/*`. Everything is aggregated from
`metric_facts` (one row per SLA clock run and per ticket, see `services.metric_facts`) in at most two
queries per call: the counts and, on PostgreSQL, the medians and P90s (`percentile_cont`) in one grouped
query; on SQLite the durations are fetched and interpolated the same way (`services.metrics_sql`).
A period is a range of local days (Europe/Amsterdam), both ends included; a figure belongs to the day its
clock started (tickets out: the day the ticket was closed). Definitions: docs/METRICS.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import (
    Select,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from webcare.errors import Forbidden, ValidationFailed
from webcare.models import MetricFact, User
from webcare.models.metric_fact import FACT_KINDS
from webcare.services import fanout, metrics_labels
from webcare.services.metrics_sql import MEDIAN, P90, in_database, percentile_column, percentile_cont, rounded

GROUP_BY = ("department", "channel", "category", "agent", "day", "week")
CLOCK_KINDS = ("first_response", "next_response", "department_feedback", "handling")
TIMED_KINDS = ("first_response", "next_response", "department_feedback")  # medians and P90s
MAX_DAYS = 732
# the days a period may cover: day arithmetic and time zones overflow near the years 1 and 9999
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(9998, 12, 31)
VIEWER_ROLES = ("manager", "admin")
# a query of a figure plan, and how its rows are added to the groups
Step = tuple[Callable[[Session], list], Callable[[list, Callable], None]]


def require_viewer(user: User) -> None:
    """Dashboards, exports and the metrics API are for managers and administrators (docs/METRICS.md)."""
    if user.role not in VIEWER_ROLES:
        raise Forbidden("the metrics are for managers and administrators")


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValidationFailed("the period ends before it starts", fields={"to": ["must not be before 'from'"]})
        if self.days > MAX_DAYS:
            raise ValidationFailed(f"a period can be at most {MAX_DAYS} days",
                                   fields={"from": [f"the period can be at most {MAX_DAYS} days"]})

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for the trend)."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @classmethod
    def last_days(cls, today: date, days: int = 30) -> Period:
        return cls(today - timedelta(days=days - 1), today)

    @classmethod
    def asked(cls, start: date | None, end: date | None, today: date) -> Period:
        """The period a caller asked for (`to` defaults to today, `from` to 29 days before `to`); days
        outside FIRST_DAY..LAST_DAY are refused naming the parameter (400), not an OverflowError (500)."""
        for name, day in (("from", start), ("to", end)):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                message = f"a day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
                raise ValidationFailed(f"'{name}' must be {message}", fields={name: [message]})
        end = end or today
        return cls(start or end - timedelta(days=29), end)

    def day_list(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class Filters:
    department_id: int | None = None
    channel_id: int | None = None
    category_id: int | None = None
    agent_id: int | None = None

    def conditions(self, table=MetricFact) -> list:
        pairs = ((table.department_id, self.department_id), (table.channel_id, self.channel_id),
                 (table.category_id, self.category_id), (table.agent_id, self.agent_id))
        return [column == value for column, value in pairs if value is not None]

    def as_params(self) -> dict[str, int]:
        names = {"department": self.department_id, "channel": self.channel_id, "category": self.category_id,
                 "agent": self.agent_id}
        return {name: value for name, value in names.items() if value is not None}


NO_FILTERS = Filters()  # every ticket


@dataclass
class ClockFigures:
    """One clock in one group: runs started, how they ended, and the time they took."""

    count: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    met: int = 0
    late_3x: int = 0
    median_business: float | None = None
    p90_business: float | None = None
    median_wall: float | None = None
    p90_wall: float | None = None

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def share_within(self) -> float | None:
        """On time / (on time + late); None when nothing was decided yet."""
        return self.on_time / self.decided if self.decided else None


@dataclass
class GroupFigures:
    key: object
    label: str = ""
    code: str | None = None
    tickets_in: int = 0
    tickets_out: int = 0
    reopened: int = 0
    clocks: dict[str, ClockFigures] = field(default_factory=lambda: {k: ClockFigures() for k in CLOCK_KINDS})

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.tickets_in if self.tickets_in else None

    @property
    def late_3x(self) -> int:
        return sum(clock.late_3x for clock in self.clocks.values())

    def clock(self, kind: str) -> ClockFigures:
        return self.clocks[kind]


def group_column(group_by: str | None, *, ended: bool = False):
    """The fact column a grouping uses (None: one group for everything)."""
    if group_by is None:
        return None
    if group_by not in GROUP_BY:
        raise ValidationFailed(f"group_by must be one of {', '.join(GROUP_BY)}", fields={"group_by": "unknown"})
    if group_by in ("day", "week"):
        prefix = "end" if ended else "start"
        return getattr(MetricFact, f"{prefix}_{group_by}")
    return getattr(MetricFact, f"{group_by}_id")


def figures(session: Session, period: Period, group_by: str | None = None, filters: Filters = Filters(), *,
            python_percentiles: bool = False) -> list[GroupFigures]:
    """Every figure per group for a period (group_by None: one group, key None). `python_percentiles`
    forces the SQLite way (percentiles in Python, counts by UNION ALL) on PostgreSQL too (the tests that
    both ways give the same numbers use it)."""
    return figures_many(session, period, [group_by], filters, python_percentiles=python_percentiles)[group_by]


def figures_many(session: Session, period: Period, groupings: list[str | None], filters: Filters = Filters(), *,
                 python_percentiles: bool = False, wall_by_group: bool = True) -> dict[str | None, list[GroupFigures]]:
    """The figures of several groupings of one period at once (a dashboard page): the counts of all of
    them from one query (grouped by all their keys together, added up here), the percentiles per grouping.
    `wall_by_group=False` leaves the wall-clock percentiles to the total (the pages show them only there)."""
    plan = FigurePlan.make(session, period, groupings, filters, python_percentiles=python_percentiles,
                           wall_by_group=wall_by_group)
    return plan.assemble(session, fanout.run_all(session, plan.queries))


@dataclass
class FigurePlan:
    """The independent queries behind `figures_many` and how their rows become figures: run the queries
    in any session, in any order or side by side (`services.fanout`), then `assemble` their rows."""

    period: Period
    groupings: list[str | None]
    queries: list[Callable[[Session], list]]
    appliers: list[Callable[[list, Callable], None]]

    @classmethod
    def make(cls, session: Session, period: Period, groupings: list[str | None], filters: Filters = Filters(), *,
             python_percentiles: bool = False, wall_by_group: bool = True) -> FigurePlan:
        groupings = list(dict.fromkeys(groupings))
        portable = python_percentiles or not in_database(session)
        steps = [_counts(period, groupings, filters, grouping_sets=not portable), _closed(period, groupings, filters)]
        if not portable:
            steps += [_percentiles_in_database(period, grouping, filters, wall_by_group or grouping is None)
                      for grouping in groupings]
        else:
            steps.append(_percentiles_in_python(period, groupings, filters))
        return cls(period, groupings, [query for query, _ in steps], [apply for _, apply in steps])

    def assemble(self, session: Session, results: list[list]) -> dict[str | None, list[GroupFigures]]:
        tables: dict[str | None, dict[object, GroupFigures]] = {g: {} for g in self.groupings}

        def group(grouping: str | None, key) -> GroupFigures:
            table = tables[grouping]
            if key not in table:
                table[key] = GroupFigures(key)
            return table[key]

        for apply, rows in zip(self.appliers, results, strict=True):
            apply(rows, group)
        found = {}
        for grouping, table in tables.items():
            if grouping in ("day", "week"):
                for key in _calendar_keys(self.period, grouping):
                    group(grouping, key)
            elif grouping is None:
                group(None, None)
            metrics_labels.label_groups(session, grouping, table.values())
            found[grouping] = sorted(table.values(), key=_sort_key(grouping))
        return found


def _tune(session: Session) -> None:
    """PostgreSQL: sort the durations in memory (percentile_cont sorts each group)."""
    if in_database(session):
        session.execute(text("SET LOCAL work_mem = '32MB'"))


def _where(statement: Select, period: Period, filters: Filters) -> Select:
    return statement.where(MetricFact.start_day.between(period.start, period.end), *filters.conditions())


def _count(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _joint(groupings: list[str | None], *, ended: bool = False) -> tuple[list, dict]:
    """The columns to group by for all groupings together, and each grouping's position among them."""
    columns, positions = [], {}
    for grouping in groupings:
        column = group_column(grouping, ended=ended)
        if column is None:
            positions[grouping] = None
            continue
        if column not in columns:
            columns.append(column)
        positions[grouping] = columns.index(column)
    return columns, positions


def _rows(statement: Select, *, tune: bool = False) -> Callable[[Session], list]:
    def query(session: Session) -> list:
        if tune:
            _tune(session)
        return session.execute(statement).all()
    return query


def _counts(period: Period, groupings: list[str | None], filters: Filters, *, grouping_sets: bool) -> Step:
    """The counts of every grouping from one query: a row per grouping, group and kind. PostgreSQL groups
    by GROUPING SETS (one scan); SQLite, which has none, by the same sets joined with UNION ALL."""
    keys, positions = _joint(groupings)
    full = (1 << len(keys)) - 1
    masks = {grouping: full if position is None else full ^ (1 << (len(keys) - 1 - position))
             for grouping, position in positions.items()}  # as GROUPING(keys) marks each set's rows
    columns = [MetricFact.kind, func.count(), _count(MetricFact.result == "on_time"),
               _count(MetricFact.result == "late"), _count(MetricFact.result == "open"),
               func.count(MetricFact.business_seconds), _count(MetricFact.late_3x.is_(True)),
               _count(MetricFact.reopens > 0)]

    def counted(*selected) -> Select:  # the kinds named: the (kind, start_day) index serves the query
        return _where(select(*selected, *columns), period, filters).where(MetricFact.kind.in_(FACT_KINDS))

    sets = {masks[grouping]: position for grouping, position in positions.items()}  # groupings may share one
    if grouping_sets and keys:
        grouped = [tuple_(*([] if p is None else [keys[p]]), MetricFact.kind) for p in sets.values()]
        statement = counted(func.grouping(*keys), *keys).group_by(func.grouping_sets(*grouped))
    else:
        selects = [counted(literal(mask), *[key if n == position else cast(null(), key.type) for n, key in enumerate(keys)])
                   .group_by(*([] if position is None else [keys[position]]), MetricFact.kind)
                   for mask, position in sets.items()]
        statement = selects[0] if len(selects) == 1 else union_all(*selects)

    def apply(rows: list, group) -> None:
        by_mask: dict[int, list[tuple[str | None, int | None]]] = defaultdict(list)
        for grouping, position in positions.items():
            by_mask[masks[grouping]].append((grouping, position))
        for mask, *key_values, kind, count, on_time, late, running, met, late_3x, reopened in rows:
            for grouping, position in by_mask[mask]:
                target = group(grouping, None if position is None else key_values[position])
                if kind == "ticket":
                    target.tickets_in += count
                    target.reopened += reopened
                    continue
                clock = target.clocks[kind]
                clock.count += count
                clock.on_time += on_time
                clock.late += late
                clock.open += running
                clock.met += met
                clock.late_3x += late_3x
    return _rows(statement, tune=True), apply


def _timed(statement: Select, period: Period, filters: Filters) -> Select:
    """Only the runs that were met (they have a duration), of the clocks that have medians."""
    return _where(statement, period, filters).where(MetricFact.kind.in_(TIMED_KINDS),
                                                    MetricFact.business_seconds.is_not(None))


def _set_percentiles(clock: ClockFigures, values) -> None:
    clock.median_business, clock.p90_business, clock.median_wall, clock.p90_wall = (rounded(v) for v in values)


def _percentiles_in_database(period: Period, grouping: str | None, filters: Filters, wall: bool) -> Step:
    """PostgreSQL: percentile_cont per group and clock, in the database."""
    key = group_column(grouping)
    keys = [key] if key is not None else []
    columns = [percentile_column(p, c) for c in (MetricFact.business_seconds, MetricFact.wall_seconds)
               for p in (MEDIAN, P90)]
    if not wall:
        columns[2:] = [literal_column("NULL"), literal_column("NULL")]
    statement = _timed(select(*keys, MetricFact.kind, *columns), period, filters).group_by(*keys, MetricFact.kind)

    def apply(rows: list, group) -> None:
        for row in rows:
            group_key, kind, *values = row if keys else (None, *row)
            _set_percentiles(group(grouping, group_key).clocks[kind], values)
    return _rows(statement, tune=True), apply


def _percentiles_in_python(period: Period, groupings: list[str | None], filters: Filters) -> Step:
    """SQLite: fetch the durations once and interpolate per group exactly as percentile_cont does."""
    keys, positions = _joint(groupings)
    statement = _timed(select(*keys, MetricFact.kind, MetricFact.business_seconds, MetricFact.wall_seconds),
                       period, filters)

    def apply(rows: list, group) -> None:
        values: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
        for row in rows:
            key_values, (kind, business, wall) = row[:len(keys)], row[len(keys):]
            for grouping, position in positions.items():
                bucket = values[grouping, None if position is None else key_values[position], kind]
                bucket[0].append(business)
                bucket[1].append(wall)
        for (grouping, group_key, kind), (business, wall) in values.items():
            business.sort()
            wall.sort()
            _set_percentiles(group(grouping, group_key).clocks[kind],
                             [percentile_cont(business, MEDIAN), percentile_cont(business, P90),
                              percentile_cont(wall, MEDIAN), percentile_cont(wall, P90)])
    return _rows(statement), apply


def _closed(period: Period, groupings: list[str | None], filters: Filters) -> Step:
    """Tickets out: closed (resolved or cancelled) on a day of the period."""
    keys, positions = _joint(groupings, ended=True)
    statement = (select(*keys, func.count()).where(
        MetricFact.kind == "ticket", MetricFact.end_day.between(period.start, period.end),
        MetricFact.result.in_(("resolved", "cancelled")), *filters.conditions()).group_by(*keys))

    def apply(rows: list, group) -> None:
        for row in rows:
            for grouping, position in positions.items():
                group(grouping, None if position is None else row[position]).tickets_out += row[-1]
    return _rows(statement), apply


def _calendar_keys(period: Period, group_by: str) -> list[date]:
    if group_by == "day":
        return period.day_list()
    first = period.start - timedelta(days=period.start.weekday())
    return [first + timedelta(weeks=n) for n in range((period.end - first).days // 7 + 1)]


def _sort_key(group_by: str | None):
    if group_by in ("day", "week"):
        return lambda g: g.key
    return lambda g: (g.key is None, g.label.lower(), g.key or 0)
