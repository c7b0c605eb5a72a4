"""Tickets, messages, notes and events as the API shows them (see API.md for the promised shape)."""

from __future__ import annotations

from marshmallow import Schema, fields, missing

from webcare.schemas.ticket_input import NoteOutputSchema
from webcare.services.sla_state import clocks_of


class ChannelRefSchema(Schema):
    id = fields.Integer()
    platform = fields.String()
    name = fields.String()


class ContactRefSchema(Schema):
    handle = fields.String()
    display_name = fields.String()


class Computed(fields.Nested):
    """A nested object computed from the whole object by `compute`, described in OpenAPI by its schema."""

    def __init__(self, nested, compute, **kwargs):
        super().__init__(nested, **kwargs)
        self.compute = compute

    def get_value(self, obj, attr, accessor=None, default=missing):
        return self.compute(obj)


class TargetSchema(Schema):
    value = fields.Raw(metadata={"type": "number"})
    unit = fields.String(metadata={"enum": ["business_minutes", "working_days", "calendar_days"]})
    department_id = fields.Integer(metadata={"description": "department feedback: the department asked"})


class ClockSchema(Schema):
    target = fields.Nested(TargetSchema, allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    met_at = fields.AwareDateTime(allow_none=True)
    breached_at = fields.AwareDateTime(allow_none=True)
    paused = fields.Boolean()
    level = fields.String(metadata={"enum": ["on_time", "at_risk", "breached", "late_3x", "met", "none"]})


class SlaSchema(Schema):
    first_response = fields.Nested(ClockSchema)
    next_response = fields.Nested(ClockSchema)
    department_feedback = fields.Nested(ClockSchema)
    handling = fields.Nested(ClockSchema)


class TicketSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    channel = fields.Nested(ChannelRefSchema)
    contact = fields.Nested(ContactRefSchema, allow_none=True)
    department = fields.Function(lambda t: t.department.code if t.department else None, allow_none=True,
                                 metadata={"type": "string", "description": "department code"})
    category = fields.Function(lambda t: t.category.code if t.category else None, allow_none=True,
                               metadata={"type": "string", "description": "category code"})
    priority = fields.String()
    labels = fields.Function(lambda t: t.label_names, metadata={"type": "array", "items": {"type": "string"}})
    threat = fields.Boolean()
    assignee = fields.Function(lambda t: t.assignee.email if t.assignee else None, allow_none=True,
                               metadata={"type": "string", "description": "the assignee's e-mail address"})
    subject = fields.String()
    awaiting = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    reopen_count = fields.Integer()
    sla = Computed(SlaSchema, clocks_of)


class DeliverySchema(Schema):
    state = fields.String(allow_none=True, metadata={"enum": ["queued", "sent", "failed"]})
    error = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)


# API.md promises three delivery states; a reply whose job is posting it (or retrying after a transient
# failure, `error` then says why) is still on its way: "queued"; an acknowledgement that was no longer needed
# (a person answered first, or the ticket closed) did not reach the citizen and will not: "failed", with
# `error` "not sent: ...". The UI shows both as they are.
_API_DELIVERY_STATE = {"sending": "queued", "skipped": "failed"}


def _delivery(message) -> dict | None:
    if message.direction != "out":
        return None
    state = _API_DELIVERY_STATE.get(message.delivery_state, message.delivery_state)
    return {"state": state, "error": message.delivery_error, "sent_at": message.sent_at}


class MessageSchema(Schema):
    id = fields.Integer()
    direction = fields.String()
    kind = fields.String()
    visibility = fields.String()
    text = fields.String()
    author = fields.String(attribute="author_handle", metadata={"description": "handle on the platform"})
    external_id = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    platform_created_at = fields.AwareDateTime(allow_none=True)
    received_at = fields.AwareDateTime()
    delivery = Computed(DeliverySchema, _delivery, allow_none=True, metadata={"description": "replies only"})


class EventSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    actor_id = fields.Integer(allow_none=True)
    data = fields.Dict()
    at = fields.AwareDateTime()


class TicketDetailSchema(TicketSchema):
    messages = fields.List(fields.Nested(MessageSchema))
    notes = fields.List(fields.Nested(NoteOutputSchema), metadata={
        "description": "internal notes, oldest first: hand-off questions, department feedback (is_feedback)"})
    events = fields.List(fields.Nested(EventSchema))
