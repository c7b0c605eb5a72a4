"""What clients send to the ticket endpoints (load schemas): shape only, rules live in the services."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from webcare.errors import ValidationFailed
from webcare.models.channel import PLATFORMS
from webcare.models.ticket import PRIORITIES
from webcare.schemas.common import COUNT_RANGE, ID_RANGE, ListQuerySchema, not_blank
from webcare.workflow import STATUSES

TEXT = validate.Length(min=1, max=10_000)


class TicketListQuerySchema(ListQuerySchema):
    status = fields.String(load_default=None, metadata={
        "description": "a status or a comma-separated list of them, closed (resolved and cancelled) or all; "
                       "default: every status that is not closed"})
    view = fields.String(load_default=None, validate=validate.OneOf(
        ["mine", "unanswered", "almost_late", "with_departments"]))
    department = fields.String(load_default=None, metadata={
        "description": "department code, e.g. OW; department staff: one of their own departments, else 403"})
    channel = fields.Integer(load_default=None, validate=ID_RANGE, metadata={"description": "channel id"})
    platform = fields.String(load_default=None, validate=validate.OneOf(PLATFORMS))
    category = fields.String(load_default=None, metadata={"description": "category code; a main category "
                                                                         "includes its subcategories"})
    priority = fields.String(load_default=None, validate=validate.OneOf(PRIORITIES))
    assignee = fields.String(load_default=None, metadata={"description": "e-mail address, 'me' or 'none'"})
    label = fields.String(load_default=None, validate=validate.Length(max=64))
    sla = fields.String(load_default=None, validate=validate.OneOf(["at_risk", "breached", "late_3x"]))
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "free text: subject, citizen handle or name, or a ticket id"})
    sort = fields.String(load_default="urgent", validate=validate.OneOf(["urgent", "newest"]),
                         metadata={"description": "urgent (default): most urgent first; newest: newest first"})


class ReplyInputSchema(Schema):
    text = fields.String(required=True, validate=TEXT)
    visibility = fields.String(load_default=None, validate=validate.OneOf(["public", "private"]),
                               metadata={"description": "default: the ticket's own visibility"})
    override_pii = fields.Boolean(load_default=False)
    override_reason = fields.String(load_default=None, validate=validate.Length(max=1000), metadata={
        "description": "why the override (logged); without one the log says none was given"})
    seen_seq = fields.Integer(load_default=None, validate=COUNT_RANGE, metadata={"description": "the ticket's activity_seq you saw"})
    seen_message_id = fields.Integer(load_default=None, validate=COUNT_RANGE,
                                     metadata={"description": "the last message id you saw; newer messages by "
                                                              "others hold the reply (409 stale_view)"})


class NoteInputSchema(Schema):
    text = fields.String(required=True, validate=TEXT)
    feedback = fields.Boolean(load_default=False, metadata={"description": "department feedback (department staff)"})


class HandoffInputSchema(Schema):
    department = fields.String(required=True, validate=validate.Length(min=1, max=16))
    question = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class StatusInputSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "the status to move to (DOMAIN.md); with_department only by a hand-off (409)"})
    text = fields.String(load_default=None, validate=validate.Length(max=10_000))


class AssignInputSchema(Schema):
    user = fields.String(required=True, allow_none=True, validate=[validate.Length(max=254), not_blank],
                         metadata={"description": "e-mail address, or null for nobody"})


class NoteOutputSchema(Schema):
    id = fields.Integer()
    ticket_id = fields.Integer()
    text = fields.String()
    is_feedback = fields.Boolean()
    department_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()


def load(schema: Schema, data) -> dict:
    """Load `data` with `schema`; shape errors become a 400 with the fields that are wrong."""
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        raise ValidationFailed("the request is not valid", fields=exc.messages_dict) from exc
