"""Departments, categories and channels as the API shows them."""

from __future__ import annotations

from marshmallow import Schema, fields


class DepartmentSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    is_front_office = fields.Boolean()
    is_safety_team = fields.Boolean()
    active = fields.Boolean()


class CategorySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)
    department = fields.Function(lambda c: c.department.code if c.department else None, allow_none=True)
    handling_target = fields.Integer(allow_none=True)
    handling_unit = fields.String()
    first_response_business_minutes = fields.Integer(allow_none=True, metadata={
        "description": "the category's own first-response target; null: the SLA policy's (DM or public)"})
    default_priority = fields.String(allow_none=True, metadata={"enum": ["urgent", "high", "normal", "low", None]})
    is_threat = fields.Boolean(metadata={"description": "routed here, a ticket is flagged as a threat"})
    active = fields.Boolean()


class ChannelSchema(Schema):
    id = fields.Integer()
    platform = fields.String()
    name = fields.String()
    handle = fields.String()
    base_url = fields.String(allow_none=True)
    enabled = fields.Boolean()
    poll_interval_seconds = fields.Integer()
    last_polled_at = fields.AwareDateTime(allow_none=True)
    last_success_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_error_kind = fields.String(allow_none=True, metadata={
        "enum": ["transient", "rate_limited", "needs_reauth", "permanent"]})
    rate_limited_until = fields.AwareDateTime(allow_none=True)
    needs_reauth = fields.Boolean()
    messages_24h = fields.Integer(dump_only=True, metadata={"description": "citizens' messages in the last 24 hours"})
    state = fields.String(dump_only=True, metadata={
        "enum": ["ok", "paused", "needs_reauth", "rate_limited", "error", "never_polled"]})
    webhooks = fields.Dict(dump_only=True, allow_none=True, metadata={
        "description": "for a platform that pushes (Meta): last_received_at, failing (deliveries whose processing "
                       "failed and that are not done, last 30 days), last_failed_at, refused_at, refused_status, "
                       "refused_reason, refused_count (the last refused call, kept a week); null otherwise"})
