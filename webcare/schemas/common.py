"""Shared schema pieces: aware ISO 8601 datetimes, the error body and paged lists."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from webcare.db import MAX_ID

# Ids and counters in input: beyond the database's INTEGER they are refused here (400), not there (500).
ID_RANGE = validate.Range(min=1, max=MAX_ID)
COUNT_RANGE = validate.Range(min=0, max=MAX_ID)


def not_blank(value: str) -> None:
    """A text field's validator: something besides white space (as the CLI's and the forms' checks)."""
    if not value.strip():
        raise ValidationError("Must not be blank.")


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(required=True,
                         metadata={"description": "per field, a list of messages; {} when no field is to blame"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """A `{"items": [...], "next_cursor": ...}` schema for a list endpoint."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )


class ListQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "1-200, default 50"})
    cursor = fields.String(load_default=None)
