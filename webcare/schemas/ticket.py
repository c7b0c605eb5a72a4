"""Tickets, messages and events as the API shows them (see API.md for the promised shape)."""

from __future__ import annotations

from marshmallow import Schema, fields

from webcare.services.sla_state import clocks_of


class ChannelRefSchema(Schema):
    id = fields.Integer()
    platform = fields.String()
    name = fields.String()


class ContactRefSchema(Schema):
    handle = fields.String()
    display_name = fields.String()


class ClockSchema(Schema):
    target = fields.Dict(allow_none=True)
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


_SLA = SlaSchema()  # one instance: building a schema per ticket costs more than dumping it


class TicketSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    channel = fields.Nested(ChannelRefSchema)
    contact = fields.Nested(ContactRefSchema, allow_none=True)
    department = fields.Function(lambda t: t.department.code if t.department else None, allow_none=True)
    category = fields.Function(lambda t: t.category.code if t.category else None, allow_none=True)
    priority = fields.String()
    labels = fields.Function(lambda t: t.label_names)
    threat = fields.Boolean()
    assignee = fields.Function(lambda t: t.assignee.email if t.assignee else None, allow_none=True)
    subject = fields.String()
    awaiting = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    reopen_count = fields.Integer()
    sla = fields.Method("dump_sla")

    def dump_sla(self, ticket) -> dict:
        return _SLA.dump(clocks_of(ticket))


class DeliverySchema(Schema):
    state = fields.String(allow_none=True, metadata={"enum": ["queued", "sent", "failed"]})
    error = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)


_DELIVERY = DeliverySchema()
# API.md promises three delivery states; a reply whose job is posting it (or retrying after a transient
# failure, `error` then says why) is still on its way: "queued". The UI shows "sending" as it is.
_API_DELIVERY_STATE = {"sending": "queued"}


def _delivery(message) -> dict | None:
    if message.direction != "out":
        return None
    state = _API_DELIVERY_STATE.get(message.delivery_state, message.delivery_state)
    return _DELIVERY.dump({"state": state, "error": message.delivery_error, "sent_at": message.sent_at})


class MessageSchema(Schema):
    id = fields.Integer()
    direction = fields.String()
    kind = fields.String()
    visibility = fields.String()
    text = fields.String()
    author = fields.Function(lambda m: m.author_handle)
    external_id = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    platform_created_at = fields.AwareDateTime(allow_none=True)
    received_at = fields.AwareDateTime()
    delivery = fields.Function(_delivery, allow_none=True)


class EventSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    actor_id = fields.Integer(allow_none=True)
    data = fields.Dict()
    at = fields.AwareDateTime()


class TicketDetailSchema(TicketSchema):
    messages = fields.List(fields.Nested(MessageSchema))
    events = fields.List(fields.Nested(EventSchema))
