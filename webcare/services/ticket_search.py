"""Free-text search of the inbox: a ticket number, or words in the subject or the citizen's name or handle.

A page of search results is the first rows, in list order, of the tickets that match on either side. Each
side is its own limited query and the two are merged (a UNION of two short lists, put in order again): so
PostgreSQL plans each side by what it knows of that side. A rare word is found through the trigram index on
its column (migration search_0001) and its few tickets are sorted; a common word is met soon enough by
walking the list's own index. One condition "subject OR person" can do neither: the OR of a subquery cannot
use an index, so a word that matches nothing walked every open ticket, and with status=all every ticket.
The citizens a word matches are looked up first, once per request, so the trigram search of contacts does
not run again in every side and phase that needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, Subquery, or_, select, union
from sqlalchemy.orm import Session

from webcare.db import as_id
from webcare.models import Contact, Ticket
from webcare.services.ticket_rows import among_ids

MAX_QUERY_LENGTH = 200
MAX_PEOPLE = 500  # matching citizens passed on as a list of ids; more: as a subquery
# list orders: (column, descending) pairs
BY_DUE = ((Ticket.next_due_at, False), (Ticket.id, False))
NEWEST_FIRST = ((Ticket.id, True),)


def conditions(session: Session, q: str | None) -> list[ColumnElement]:
    """The ways a ticket can match `q`, each to be searched on its own: [] for no search.

    The citizens whose handle or name matches are looked up once (both phases of a list use them): as a
    list of ids when there are few, and no citizen side at all when there are none.
    """
    q = (q or "").strip()[:MAX_QUERY_LENGTH]
    if not q:
        return []
    number = as_id(q.lstrip("#"))
    if number is not None:  # other numbers (beyond an id, "²") are searched as text
        return [Ticket.id == number]
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    by_subject = Ticket.subject.ilike(pattern, escape="\\")
    people = select(Contact.id).where(or_(Contact.handle.ilike(pattern, escape="\\"),
                                          Contact.display_name.ilike(pattern, escape="\\")))
    found = list(session.scalars(people.limit(MAX_PEOPLE + 1)))
    if not found:
        return [by_subject]
    if len(found) > MAX_PEOPLE:
        return [by_subject, Ticket.contact_id.in_(people)]
    return [by_subject, among_ids(Ticket.contact_id, session.get_bind().dialect.name, found)]


def page_ids(statement: Select, order: Sequence[tuple], limit: int, matches: list[ColumnElement]) -> Subquery:
    """The ids of the first `limit` tickets of `statement` in `order` that meet one of `matches` (all of
    them when `matches` is empty), as a subquery with an `id` column."""
    if len(matches) < 2:
        return _ordered(statement.where(*matches), order).with_only_columns(Ticket.id).limit(limit).subquery("page")
    columns = list(dict.fromkeys(column for column, _ in order))
    sides = [select(*side.c).select_from(side) for side in (
        _ordered(statement.where(match), order).with_only_columns(*columns).limit(limit).subquery()
        for match in matches)]
    merged = union(*sides).subquery("matches")
    ranked = [merged.c[column.key].desc() if descending else merged.c[column.key] for column, descending in order]
    return select(merged.c.id).order_by(*ranked).limit(limit).subquery("page")


def _ordered(statement: Select, order: Sequence[tuple]) -> Select:
    return statement.order_by(*[column.desc() if descending else column for column, descending in order])
