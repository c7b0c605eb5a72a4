"""Tickets as list rows: plain read-only objects built from one Core query, without ORM instances.

A list page shows 50 tickets with their channel, citizen, department, category, assignee and labels.
Loading them as ORM objects with six eager joins costs about five times the CPU of reading the same
columns as rows, and the inbox is the page people keep open all day. A `TicketRow` has every column of
`Ticket` (so `sla_state.clocks_of` and the API dump work on it) and the related rows as small
namespaces with only what a list shows. Rows are snapshots: change tickets through the services.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import Subquery, select
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


def fetch(session: Session, page: Subquery) -> list[TicketRow]:
    """The tickets whose ids `page` selects, with what a row shows (two queries: rows, then labels)."""
    statement = select(*TICKET_COLUMNS).join(page, Ticket.id == page.c.id)
    for model, key, columns in RELATED.values():
        statement = statement.add_columns(*columns).outerjoin(model, model.id == key)
    rows = [_row(values) for values in session.execute(statement)]
    labels = _labels(session, [r.id for r in rows])
    for row in rows:
        row.label_names = labels.get(row.id, [])
    return rows


_TICKET_KEYS = tuple(c.key for c in TICKET_COLUMNS)
_RELATED_KEYS = tuple((name, tuple(c.key for c in columns)) for name, (_m, _k, columns) in RELATED.items())


def _row(values) -> TicketRow:
    """Columns by position: the ticket's first, then each related row's (its id first; None: no such row)."""
    n = len(_TICKET_KEYS)
    fields = dict(zip(_TICKET_KEYS, values[:n], strict=True))
    for name, keys in _RELATED_KEYS:
        part = values[n:n + len(keys)]
        fields[name] = SimpleNamespace(**dict(zip(keys, part, strict=True))) if part[0] is not None else None
        n += len(keys)
    return TicketRow(**fields)


def _labels(session: Session, ticket_ids: list[int]) -> dict[int, list[str]]:
    if not ticket_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(select(TicketLabel.ticket_id, TicketLabel.label)
                           .where(TicketLabel.ticket_id.in_(ticket_ids)).order_by(TicketLabel.label))
    for ticket_id, label in rows:
        found.setdefault(ticket_id, []).append(label)
    return found
