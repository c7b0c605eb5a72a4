"""The lines of `webcare import` (docs/API.md "Import format"): one JSON object a line, checked before anything
is stored. Shape only; whether a channel, agent, department or thread exists is checked by the importer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webcare.workflow import STATUSES

TEXT = validate.Length(min=1, max=20_000)
NAME = validate.Length(min=1, max=255)


class _Line(Schema):
    type = fields.String(required=True)
    thread = fields.String(required=True, validate=NAME)
    at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})


class MessageLine(_Line):
    """An inbound message from a citizen."""

    channel = fields.String(required=True, validate=NAME)
    external_id = fields.String(required=True, validate=NAME)
    kind = fields.String(load_default="mention", validate=validate.OneOf(("mention", "comment", "dm")))
    visibility = fields.String(load_default="public", validate=validate.OneOf(("public", "private")))
    author = fields.String(required=True, validate=NAME)
    author_name = fields.String(load_default="", validate=validate.Length(max=255))
    text = fields.String(required=True, validate=TEXT)
    language = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=8))


class ReplyLine(_Line):
    """A reply that was sent to the citizen (and accepted by the platform) at `at`."""

    text = fields.String(required=True, validate=TEXT)
    visibility = fields.String(load_default="public", validate=validate.OneOf(("public", "private")))
    agent = fields.Email(required=True)


class HandoffLine(_Line):
    department = fields.String(required=True, validate=NAME)
    agent = fields.Email(required=True)
    question = fields.String(load_default="", validate=validate.Length(max=20_000))


class FeedbackLine(_Line):
    department = fields.String(required=True, validate=NAME)
    text = fields.String(required=True, validate=TEXT)
    agent = fields.Email(load_default=None, allow_none=True,
                         metadata={"description": "the department member; default: the department's first active member"})


class StatusLine(_Line):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    text = fields.String(load_default="", validate=validate.Length(max=20_000))
    agent = fields.Email(required=True)


LINE_SCHEMAS: dict[str, type[Schema]] = {"message": MessageLine, "reply": ReplyLine, "handoff": HandoffLine,
                                         "feedback": FeedbackLine, "status": StatusLine}
