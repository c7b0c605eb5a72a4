"""Tickets as list rows: plain read-only objects built from one Core query, without ORM instances.

A list page shows 50 tickets with their channel, citizen, department, category, assignee and labels.
Loading them as ORM objects with six eager joins costs about five times the CPU of reading the same
columns as rows, and the inbox is the page people keep open all day. A `TicketRow` has every column of
`Ticket` (so `sla_state.clocks_of` and the API dump work on it) and the related rows as small
namespaces with only what a list shows. Rows are snapshots: change tickets through the services.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import Integer, Select, Subquery, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session, aliased

from webcare.models import Category, Channel, Contact, Department, Ticket, TicketLabel, User

TICKET_COLUMNS = tuple(Ticket.__table__.columns)
_Assignee = aliased(User)
RELATED = {
    "channel": (Channel, Ticket.channel_id, (Channel.id, Channel.platform, Channel.name)),
    "contact": (Contact, Ticket.contact_id, (Contact.id, Contact.handle, Contact.display_name)),
    "department": (Department, Ticket.department_id, (Department.id, Department.code, Department.name)),
    "category": (Category, Ticket.category_id, (Category.id, Category.code, Category.name)),
    "assignee": (_Assignee, Ticket.assignee_id, (_Assignee.id, _Assignee.email, _Assignee.name, _Assignee.role)),
}


class TicketRow(SimpleNamespace):
    """One ticket as a list shows it: `Ticket`'s columns, related rows as namespaces, `label_names`."""

    def __eq__(self, other) -> bool:
        return getattr(other, "id", None) == self.id and isinstance(other, (TicketRow, Ticket))

    __hash__ = None  # type: ignore[assignment]


def among_ids(column, dialect: str, ids: list[int] | None = None):
    """`column` among a list of ids (bound as `ids` when no list is given): one array parameter on
    PostgreSQL (the same statement text for every page, so psycopg neither rewrites 50 parameters nor
    prepares a statement per page size), an expanded IN elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids" if ids is None else None, ids, type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True) if ids is None else ids)


LABEL_SEPARATOR = "\x1f"  # SQLite's group_concat joins a row's labels with it; a label is never typed with it


def _labels_column(dialect: str):
    """The ticket's labels in one column of its row, in alphabetical order (a correlated subquery)."""
    if dialect == "postgresql":
        return (select(func.array_agg(aggregate_order_by(TicketLabel.label, TicketLabel.label)))
                .where(TicketLabel.ticket_id == Ticket.id).scalar_subquery())
    ordered = (select(TicketLabel.label).where(TicketLabel.ticket_id == Ticket.id).correlate(Ticket)
               .order_by(TicketLabel.label).subquery())  # SQLite keeps a subquery's order in group_concat
    return select(func.group_concat(ordered.c.label, LABEL_SEPARATOR)).scalar_subquery()


def _rows_statement(dialect: str) -> Select:
    rows = select(*TICKET_COLUMNS).where(among_ids(Ticket.id, dialect))
    for model, key, columns in RELATED.values():
        rows = rows.add_columns(*columns).outerjoin(model, model.id == key)
    return rows.add_columns(_labels_column(dialect))  # last


# Built once per dialect: the same statement for every page (building it per request cost more than
# running it).
STATEMENTS = {dialect: _rows_statement(dialect) for dialect in ("postgresql", "sqlite")}
_TICKET_KEYS = tuple(c.key for c in TICKET_COLUMNS)


def _related_parts() -> tuple[tuple[str, tuple[str, ...], int, int], ...]:
    """Per related row: its name, its column keys, and where its columns start and end in a result row."""
    parts, start = [], len(_TICKET_KEYS)
    for name, (_model, _key, columns) in RELATED.items():
        parts.append((name, tuple(c.key for c in columns), start, start + len(columns)))
        start += len(columns)
    return tuple(parts)


_RELATED_PARTS = _related_parts()


def fetch(session: Session, page: Subquery) -> list[TicketRow]:
    """The tickets whose ids `page` selects, with what a row shows (two queries: ids, then rows).

    The ids come first, on their own: joined into one statement with the related rows, PostgreSQL spent
    more time planning the seven-table join for each filter (1.2 ms) than running it; the rows of a list
    of ids are one statement whatever the filter, which a pooled connection keeps prepared with one plan.
    """
    ids = list(session.scalars(select(page.c.id)))
    if not ids:
        return []
    return _rows(session.execute(STATEMENTS[session.get_bind().dialect.name], {"ids": ids}))


def _rows(result) -> list[TicketRow]:
    """Columns by position: the ticket's first, then each related row's (its id first; None: no such row).
    A channel, department, category or assignee seen before on the page is the same namespace."""
    related: dict[tuple[str, int], SimpleNamespace] = {}
    rows = []
    for values in result:
        row = TicketRow()
        fields = row.__dict__
        fields.update(zip(_TICKET_KEYS, values, strict=False))  # the related columns follow
        for name, keys, start, end in _RELATED_PARTS:
            if values[start] is None:
                fields[name] = None
                continue
            part = related.get((name, values[start]))
            if part is None:
                part = related[(name, values[start])] = SimpleNamespace(**dict(zip(keys, values[start:end], strict=True)))
            fields[name] = part
        labels = values[-1] or []
        fields["label_names"] = labels.split(LABEL_SEPARATOR) if isinstance(labels, str) else labels
        rows.append(row)
    return rows
