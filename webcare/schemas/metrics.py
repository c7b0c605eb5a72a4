"""The metrics API's shapes: query parameters and answers of /api/v1/metrics/* (docs/METRICS.md)."""

from __future__ import annotations

from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from webcare.calendar import DEFAULT_TIMEZONE, zone_of
from webcare.errors import ValidationFailed
from webcare.schemas.common import ID_RANGE

GROUP_BY = ("department", "channel", "category", "agent", "day", "week")


class MetricsFilterSchema(Schema):
    department = fields.String(load_default=None, metadata={"description": "department code, e.g. OW"})
    channel = fields.Integer(load_default=None, validate=ID_RANGE, metadata={"description": "channel id"})
    category = fields.String(load_default=None, metadata={"description": "category code, e.g. afval.zwerfvuil"})


class LocalDay(fields.Date):
    """A local day (Europe/Amsterdam): `2025-04-01`, or a time in ISO 8601 (`2025-03-31T22:00:00Z`), which
    counts as the local day it falls on (a time without offset is local)."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            if not isinstance(value, str) or "T" not in value.upper():
                raise
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        local = zone_of(DEFAULT_TIMEZONE)
        return (moment.astimezone(local) if moment.tzinfo else moment).date()


class ResponseTimesQuerySchema(MetricsFilterSchema):
    from_ = LocalDay(data_key="from", load_default=None,
                     metadata={"description": "first local day (Europe/Amsterdam), default 29 days before `to`; "
                                              "a time with offset counts as the local day it falls on"})
    to = LocalDay(load_default=None, metadata={"description": "last local day, included; default today"})
    group_by = fields.String(load_default="department", validate=validate.OneOf(GROUP_BY))

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("must not be before 'from'", "to")


class BacklogQuerySchema(MetricsFilterSchema):
    pass


def _seconds(description: str):
    return fields.Float(allow_none=True, metadata={"description": description})


def _share(description: str):
    return fields.Float(allow_none=True, metadata={"description": description + " (0-1; null when none decided)"})


class ResponseTimesGroupSchema(Schema):
    key = fields.String(allow_none=True, metadata={"description": "code, id or ISO date of the group"})
    id = fields.Integer(allow_none=True)
    label = fields.String()
    count = fields.Integer(metadata={"description": "first-response clocks started (tickets created) in the group"})
    first_response_answered = fields.Integer()
    first_response_on_time = fields.Integer()
    first_response_late = fields.Integer()
    first_response_open = fields.Integer()
    first_response_median_business_seconds = _seconds("median business time to the first response")
    first_response_p90_business_seconds = _seconds("90th percentile, business time")
    first_response_median_wall_seconds = _seconds("median wall-clock time to the first response")
    first_response_p90_wall_seconds = _seconds("90th percentile, wall-clock time")
    first_response_within_sla = _share("share of decided first responses given within the target")
    next_response_count = fields.Integer()
    next_response_median_business_seconds = _seconds("median customer wait, business time")
    next_response_p90_business_seconds = _seconds("90th percentile customer wait, business time")
    next_response_median_wall_seconds = _seconds("median customer wait, wall-clock time")
    next_response_p90_wall_seconds = _seconds("90th percentile customer wait, wall-clock time")
    next_response_within_sla = _share("share of decided waits ended within the target")
    department_feedback_count = fields.Integer()
    department_feedback_median_business_seconds = _seconds("median time from hand-off to feedback, business time")
    department_feedback_p90_business_seconds = _seconds("90th percentile, business time")
    department_feedback_within_target = _share("share of decided hand-offs answered within the target")
    handling_count = fields.Integer()
    handling_within_sla = _share("share of decided tickets handled within the afhandeltermijn")
    tickets_in = fields.Integer()
    tickets_out = fields.Integer()
    reopen_rate = _share("share of the tickets created that were reopened")
    late_3x = fields.Integer(metadata={"description": "clock runs that reached three times their target"})


class ResponseTimesSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    group_by = fields.String()
    timezone = fields.String()
    groups = fields.List(fields.Nested(ResponseTimesGroupSchema))


class LevelCountsSchema(Schema):
    on_time = fields.Integer()
    at_risk = fields.Integer()
    breached = fields.Integer()
    late_3x = fields.Integer()
    none = fields.Integer(metadata={"description": "no clock running (answered, nothing due)"})


class AgeCountsSchema(Schema):
    lt_1d = fields.Integer()
    _1_3d = fields.Integer(attribute="1_3d", data_key="1_3d")
    _3_7d = fields.Integer(attribute="3_7d", data_key="3_7d")
    _7_14d = fields.Integer(attribute="7_14d", data_key="7_14d")
    _14_30d = fields.Integer(attribute="14_30d", data_key="14_30d")
    gt_30d = fields.Integer()


class BacklogRowSchema(Schema):
    id = fields.Integer(allow_none=True)
    code = fields.String(allow_none=True)
    label = fields.String()
    total = fields.Integer()
    levels = fields.Nested(LevelCountsSchema)
    ages = fields.Nested(AgeCountsSchema)


class BacklogSchema(Schema):
    at = fields.AwareDateTime()
    total = fields.Nested(BacklogRowSchema)
    departments = fields.List(fields.Nested(BacklogRowSchema))


def load(schema: Schema, data) -> dict:
    """Load query parameters; shape errors become a 400 naming the fields that are wrong."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("the request is not valid", fields=exc.messages_dict) from exc
