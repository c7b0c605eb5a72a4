"""Cursor paging for the API's short lists (departments, categories, channels, routing rules).

API.md promises `?limit=` (at most 200) and `?cursor=` on every list. These lists are pages by keyset on
their own order (a unique column last), so a row added or removed between two requests neither repeats
nor hides another. The default page is the largest, so a caller that asks for no limit gets what fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from marshmallow import fields, validate
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session

from webcare.db import MAX_ID
from webcare.schemas.common import ListQuerySchema
from webcare.schemas.ticket_input import load
from webcare.services import cursors
from webcare.storable import is_storable

MAX_CURSOR_TEXT = 1000


class ShortListQuerySchema(ListQuerySchema):
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=200),
                           metadata={"description": "1-200, default 200"})


QUERY = ShortListQuerySchema()


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def page_of(session: Session, statement: Select, order: tuple) -> Page:
    """One page of `statement` (entities) in `order` (columns; the last one unique), from the request's
    `limit` and `cursor`."""
    args = load(QUERY, request.args.to_dict())
    after = _decode(args["cursor"], order)
    if after is not None:
        statement = statement.where(tuple_(*order) > tuple_(*after))
    rows = list(session.scalars(statement.order_by(*order).limit(args["limit"] + 1)))
    if len(rows) <= args["limit"]:
        return Page(rows, None)
    rows = rows[:args["limit"]]
    return Page(rows, cursors.encode([getattr(rows[-1], column.key) for column in order]))


def _decode(cursor: str | None, order: tuple) -> list | None:
    """The values of `order`'s columns a cursor carries; anything `page_of` cannot have written is a 400."""
    if not cursor:
        return None
    values = cursors.decode(cursor)
    if not (isinstance(values, list) and len(values) == len(order) and all(map(_fits, values, order))):
        raise cursors.invalid()
    return values


def _fits(value, column) -> bool:
    """Whether `value` is one the database takes for `column`: an id-sized integer (not true, not 1.0) for
    an integer column, storable text for a text column."""
    if column.type.python_type is int:
        return type(value) is int and 1 <= value <= MAX_ID
    return isinstance(value, str) and len(value) <= MAX_CURSOR_TEXT and is_storable(value)
