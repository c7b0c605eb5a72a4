"""The inbox: filtered, scoped, most-urgent-first lists of tickets with keyset (cursor) paging.

Order (`sort`): "urgent" (default): open tickets with a running clock by `next_due_at`, then `id`; after them
the tickets without a running clock (open ones waiting for nothing, and closed ones), newest first. "newest":
every ticket newest first (the second phase alone), to see what just came in. A cursor is the phase and
the (next_due_at, id) of the last row shown, so every page is an index range scan whatever its depth. Filters combine
(AND); department scoping is applied through `services.access.visible_tickets`, and a department filter outside
the user's departments is refused there (`check_department_filter`, 403).

Saved views (docs/INBOX.md): "mine" (Mijn tickets), "unanswered" (Onbeantwoord), "almost_late"
(Bijna te laat) and "with_departments" (Bij afdelingen), each with a count.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Select, and_, exists, false, func, or_, select, true, tuple_
from sqlalchemy.orm import Session

from webcare.db import MAX_ID, utcnow
from webcare.errors import ValidationFailed
from webcare.models import Category, Channel, Department, Ticket, TicketLabel, User
from webcare.services import cursors, ticket_rows, ticket_search
from webcare.services.access import check_department_filter, visible_tickets
from webcare.services.ticket_rows import TicketRow
from webcare.workflow import CLOSED_STATUSES, OPEN_STATUSES, STATUSES

log = logging.getLogger(__name__)
VIEWS = ("mine", "unanswered", "almost_late", "with_departments")
SLA_FILTERS = ("at_risk", "breached", "late_3x")
ALMOST_LATE_WITHIN = timedelta(hours=1)
MAX_LIMIT = 200
COUNTS_TTL_SECONDS = 5


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; every field is optional."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    view: str | None = None
    platform: str | None = None
    channel_id: int | None = None
    department: str | None = None
    category: str | None = None
    priority: str | None = None
    assignee: str | None = None  # an e-mail address, "me" or "none"
    sla: str | None = None
    label: str | None = None
    q: str | None = None
    sort: str = "urgent"  # or "newest"


@dataclass
class Page:
    items: list[TicketRow] = field(default_factory=list)
    next_cursor: str | None = None


def parse_statuses(value: str | None) -> tuple[str, ...]:
    """Nothing: every status that is not closed; `closed`, `all`, or one status or a comma-separated list of
    them (`open` is the status "In behandeling", as everywhere else)."""
    if not value:
        return OPEN_STATUSES
    if value == "closed":
        return CLOSED_STATUSES
    if value == "all":
        return STATUSES
    wanted = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise ValidationFailed(f"unknown status {unknown[0]!r}", fields={"status": "unknown"})
    return wanted


# -- the list ----------------------------------------------------------------------------------------------

def list_tickets(session: Session, user: User, filters: Filters, *, limit: int = 50, cursor: str | None = None,
                 now: datetime | None = None) -> Page:
    """One page of tickets, most urgent first (or newest first); `next_cursor` is None on the last page.

    Phase 1: open tickets with a running clock, by (next_due_at, id), read from the partial index of
    open tickets. Phase 2: the rest (open without a clock, closed ones), newest first by id. Sorted
    "newest", every ticket is in phase 2.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    base = filtered(session, user, replace(filters, statuses=STATUSES, q=None), now or utcnow())
    matches = ticket_search.conditions(session, filters.q)
    newest = filters.sort == "newest"
    phase, due, last_id = decode_cursor(cursor, newest)
    wanted = view_statuses(filters.view, filters.statuses)
    running = tuple(s for s in OPEN_STATUSES if s in wanted)
    stopped = tuple(s for s in STATUSES if s in wanted and s not in OPEN_STATUSES)
    rows: list[TicketRow] = []
    if phase == 1 and running and not newest:
        part = base.where(Ticket.status.in_(running), Ticket.next_due_at.is_not(None))
        if due is not None:
            part = part.where(tuple_(Ticket.next_due_at, Ticket.id) > (due, last_id))
        rows = _fetch(session, part, ticket_search.BY_DUE, limit + 1, matches, _by_due)
    first_of_phase_2 = len(rows)
    if len(rows) <= limit:
        rest = []
        if running:
            rest.append(Ticket.status.in_(running) if newest else
                        and_(Ticket.status.in_(running), Ticket.next_due_at.is_(None)))
        if stopped:
            rest.append(Ticket.status.in_(stopped))
        part = base.where(or_(*rest) if rest else false())
        if phase == 2:
            part = part.where(Ticket.id < last_id)
        rows += _fetch(session, part, ticket_search.NEWEST_FIRST, limit + 1 - len(rows), matches, _newest_first)
    more = len(rows) > limit
    rows = rows[:limit]
    if not (more and rows):
        return Page(rows, None)
    return Page(rows, encode_cursor(1 if len(rows) <= first_of_phase_2 else 2, rows[-1], newest))


def _fetch(session: Session, statement: Select, order, limit: int, matches: list, key) -> list[TicketRow]:
    """The page's ids in a limited subquery (an index range scan), joined to what a row shows.

    Joining first and limiting after lets PostgreSQL misjudge how soon the limit is reached and join
    every match before sorting; limiting the ids alone keeps the plan on the index. The outer query has
    no order of its own, so the rows are put back in the page's order with `key`.
    """
    page = ticket_search.page_ids(statement, order, limit, matches)
    return sorted(ticket_rows.fetch(session, page), key=key)


def _by_due(ticket: TicketRow):
    return (ticket.next_due_at, ticket.id)


def _newest_first(ticket: TicketRow) -> int:
    return -ticket.id


def filtered(session: Session, user: User, filters: Filters, now: datetime) -> Select:
    """The scoped and filtered select (no order, no paging); free text is not applied here: list_tickets
    searches each side of it on its own (ticket_search)."""
    statement = visible_tickets(user, select(Ticket))
    if filters.statuses and set(filters.statuses) != set(STATUSES):
        statement = statement.where(Ticket.status.in_(filters.statuses))
    if filters.view:
        statement = statement.where(view_condition(filters.view, user, now))
    for condition in _conditions(session, user, filters):
        statement = statement.where(condition)
    return statement


def _conditions(session: Session, user: User, f: Filters) -> list:
    conditions = []
    if f.platform:
        conditions.append(Ticket.channel_id.in_(select(Channel.id).where(Channel.platform == f.platform)))
    if f.channel_id:
        conditions.append(Ticket.channel_id == _channel_id(session, f.channel_id))
    if f.department:
        conditions.append(Ticket.department_id == _department_id(session, user, f.department.upper()))
    if f.category:
        conditions.append(Ticket.category_id.in_(_category_ids(session, f.category)))
    if f.priority:
        conditions.append(Ticket.priority == f.priority)
    if f.assignee:
        conditions.append(_assignee_condition(session, user, f.assignee))
    if f.sla:
        if f.sla not in SLA_FILTERS:
            raise ValidationFailed(f"unknown SLA level {f.sla!r}", fields={"sla": "unknown"})
        conditions.append(Ticket.sla_level.in_(SLA_FILTERS[SLA_FILTERS.index(f.sla):]))
    if f.label:
        conditions.append(exists().where(TicketLabel.ticket_id == Ticket.id, TicketLabel.label == f.label.lower()))
    return conditions


def _id_of(session: Session, model, code: str, name: str) -> int:
    found = session.scalar(select(model.id).where(model.code == code))
    if found is None:
        raise ValidationFailed(f"unknown {name} {code!r}", fields={name: "unknown"})
    return found


def _department_id(session: Session, user: User, code: str) -> int:
    """An unknown department is a 400 naming the field; another department than one's own is a 403 (access)."""
    department_id = _id_of(session, Department, code, "department")
    check_department_filter(user, department_id, code)
    return department_id


def _channel_id(session: Session, channel_id: int) -> int:
    """An unknown channel is a 400 naming the field, as an unknown department or category is."""
    if session.scalar(select(Channel.id).where(Channel.id == channel_id)) is None:
        raise ValidationFailed(f"unknown channel {channel_id}", fields={"channel": "unknown"})
    return channel_id


def _category_ids(session: Session, code: str) -> Select:
    """A main category includes its subcategories."""
    _id_of(session, Category, code, "category")
    return select(Category.id).where(or_(Category.code == code, Category.code.startswith(code + ".")))


def _assignee_condition(session: Session, user: User, who: str):
    if who == "me":
        return Ticket.assignee_id == user.id
    if who == "none":
        return Ticket.assignee_id.is_(None)
    found = session.scalar(select(User.id).where(func.lower(User.email) == who.strip().lower()))
    if found is None:  # a 400 naming the field, as an unknown department, category or channel is
        raise ValidationFailed(f"unknown assignee {who!r}: an e-mail address of a user, 'me' or 'none'",
                               fields={"assignee": "unknown"})
    return Ticket.assignee_id == found


# A saved view is a set of statuses and a condition; its statuses narrow the status filter instead of adding
# a second condition on `status` (two would mislead PostgreSQL's row estimates into a slow plan).
VIEW_STATUSES = {"unanswered": ("new", "open", "with_department"), "with_departments": ("with_department",)}


def view_statuses(view: str | None, statuses: tuple[str, ...]) -> tuple[str, ...]:
    wanted = VIEW_STATUSES.get(view or "")
    return tuple(s for s in statuses if s in wanted) if wanted else statuses


def view_condition(view: str, user: User, now: datetime):
    """The view's own condition (without its statuses, see `view_statuses`)."""
    if view == "mine":
        return Ticket.assignee_id == user.id
    if view == "unanswered":
        return or_(Ticket.last_outbound_at.is_(None), Ticket.last_inbound_at > Ticket.last_outbound_at)
    if view == "almost_late":
        return or_(Ticket.next_due_at <= now + ALMOST_LATE_WITHIN, Ticket.sla_level.in_(SLA_FILTERS))
    if view == "with_departments":
        return true()
    raise ValidationFailed(f"unknown view {view!r}", fields={"view": "unknown"})


# -- counts ------------------------------------------------------------------------------------------------

def view_counts(session: Session, user: User, now: datetime | None = None) -> dict[str, int]:
    """How many open tickets each saved view holds for this user (one query)."""
    now = now or utcnow()
    columns = [func.count(Ticket.id).filter(_view_filter(view, user, now)).label(view) for view in VIEWS]
    statement = visible_tickets(user, select(*columns).select_from(Ticket)).where(Ticket.status.in_(OPEN_STATUSES))
    row = session.execute(statement).one()
    return {view: int(row[i] or 0) for i, view in enumerate(VIEWS)}


def _view_filter(view: str, user: User, now: datetime):
    condition = view_condition(view, user, now)
    if view in VIEW_STATUSES:
        condition = and_(Ticket.status.in_(VIEW_STATUSES[view]), condition)
    return condition


def cached_view_counts(session: Session, redis: Redis, user: User, ttl: int = COUNTS_TTL_SECONDS) -> dict[str, int]:
    """`view_counts`, kept in Redis for a few seconds per user: a count reads every open ticket in scope."""
    key = f"webcare:inbox:counts:{user.id}"
    try:
        cached = redis.get(key)
        if cached:
            return json.loads(cached)
    except RedisError as exc:
        log.warning("inbox counts cache unavailable: %s", exc)
        return view_counts(session, user)
    counts = view_counts(session, user)
    try:
        redis.set(key, json.dumps(counts), ex=ttl)
    except RedisError as exc:
        log.warning("inbox counts not cached: %s", exc)
    return counts


# -- cursors -----------------------------------------------------------------------------------------------

NEWEST = 3  # the phase a cursor of the newest-first order names: it cannot be read as one of the other order


def encode_cursor(phase: int, ticket: TicketRow, newest: bool = False) -> str:
    due = ticket.next_due_at.isoformat() if phase == 1 and ticket.next_due_at else None
    return cursors.encode([NEWEST if newest else phase, due, ticket.id])


def decode_cursor(cursor: str | None, newest: bool = False) -> tuple[int, datetime | None, int]:
    """(phase, next_due_at, id) of the last row shown; the first page is phase 1 from the start.

    A cursor is the client's to change: anything `encode_cursor` cannot have written (a phase other than
    1 or 2, or 3 for the newest-first order; a cursor of the other order; an id that is no id, a due time
    without an offset or beyond the calendar) is a 400, never a value the database refuses (a 500) or a
    page that silently skips tickets."""
    if not cursor:
        return 1, None, 0
    try:
        phase, due, last_id = cursors.decode(cursor)
        if not (_is_int(phase, 1, 3) and _is_int(last_id, 1, MAX_ID) and (due is None or phase == 1)
                and (phase == NEWEST) == newest):
            raise ValueError("phase, id, due time or order")
        return (2 if phase == NEWEST else phase), (None if due is None else _aware_utc(due)), last_id
    except (ValueError, TypeError, OverflowError) as exc:
        raise cursors.invalid() from exc


def _is_int(value, low: int, high: int) -> bool:
    """A JSON integer (not true/false, not 1.0) from `low` to `high`."""
    return type(value) is int and low <= value <= high


def _aware_utc(text: str) -> datetime:
    """An ISO 8601 time with an offset, in UTC; ValueError or OverflowError otherwise."""
    if not isinstance(text, str):
        raise TypeError("not text")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment.astimezone(UTC)


def with_view(filters: Filters, view: str | None) -> Filters:
    return replace(filters, view=view)
