"""Routing rules and the route preview as the API shows and accepts them (shape only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webcare.models.channel import PLATFORMS
from webcare.schemas.common import not_blank

CONDITIONS_HELP = ('Condition tree: {"all"|"any"|"none": [...]} or a leaf such as {"words": ["lantaarnpaal", '
                   '"*lamp"]}, {"regex": "..."}, {"platform": ["x"]}, {"kind": ["dm"]}; see docs/ROUTING.md')
ACTIONS_HELP = ('{"category", "department", "priority": "urgent|high|normal|low", "labels": [...], "threat", '
                '"assignee": "email", "auto_ack"}')


class RuleSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    description = fields.String()
    enabled = fields.Boolean()
    continue_matching = fields.Boolean()
    conditions = fields.Dict(metadata={"description": CONDITIONS_HELP})
    actions = fields.Dict(metadata={"description": ACTIONS_HELP})
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class RuleUpdateSchema(Schema):
    """PUT: only the fields sent change."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=2000))
    enabled = fields.Boolean()
    continue_matching = fields.Boolean()
    conditions = fields.Dict(metadata={"description": CONDITIONS_HELP})
    actions = fields.Dict(metadata={"description": ACTIONS_HELP})
    position = fields.Integer(validate=validate.Range(min=1), metadata={"description": "1 = evaluated first"})


class RuleInputSchema(RuleUpdateSchema):
    """POST: a new rule needs a name and actions."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    actions = fields.Dict(required=True, metadata={"description": ACTIONS_HELP})


class RoutePreviewSchema(Schema):
    text = fields.String(required=True, validate=[validate.Length(min=1, max=10000), not_blank])
    platform = fields.String(load_default="x", validate=validate.OneOf(PLATFORMS))
    kind = fields.String(load_default="mention", validate=validate.OneOf(("mention", "comment", "dm")))
    visibility = fields.String(load_default=None, validate=validate.OneOf(("public", "private")))
    author = fields.String(load_default="")
    language = fields.String(load_default=None, validate=validate.Length(max=8))
    at = fields.AwareDateTime(load_default=None)


class RouteDecisionSchema(Schema):
    rule = fields.String(allow_none=True)
    rule_id = fields.Integer(allow_none=True)
    category = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    priority = fields.String()
    labels = fields.List(fields.String())
    threat = fields.Boolean()
    assignee = fields.String(allow_none=True)
    auto_ack = fields.Boolean()
    matched_rules = fields.List(fields.String())
