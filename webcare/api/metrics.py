"""The metrics API: response times against the SLA per group, and the open backlog (managers, admins)."""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request

from webcare.api import bp
from webcare.api.spec import endpoint
from webcare.auth import current
from webcare.db import utcnow
from webcare.extensions import db
from webcare.schemas.metrics import (
    BacklogQuerySchema,
    BacklogSchema,
    ResponseTimesQuerySchema,
    ResponseTimesSchema,
    load,
)
from webcare.services import metric_facts, metrics, metrics_export, metrics_now


@endpoint(bp, "/metrics/response-times", "GET", summary="First response, customer wait, feedback and handling "
          "against the SLA, per group, for a period of local days", query=ResponseTimesQuerySchema(),
          response=ResponseTimesSchema(), errors=(400, 403), tag="metrics")
def response_times():
    metrics.require_viewer(current())
    args = load(ResponseTimesQuerySchema(), request.args)
    session, zone = db(), metric_facts.zone_for(db())
    period = metrics.Period.asked(args["from_"], args["to"], datetime.now(zone).date())
    filters = metrics_export.resolve_filters(session, args["department"], args["channel"], args["category"])
    groups = metrics.figures(session, period, args["group_by"], filters)
    return jsonify(ResponseTimesSchema().dump({
        "from_": period.start, "to": period.end, "group_by": args["group_by"], "timezone": zone.key,
        "groups": [metrics_export.flat(group, args["group_by"]) for group in groups]}))


@endpoint(bp, "/metrics/backlog", "GET", summary="Open tickets per department by SLA level and by age",
          query=BacklogQuerySchema(), response=BacklogSchema(), errors=(400, 403), tag="metrics")
def backlog():
    metrics.require_viewer(current())
    args = load(BacklogQuerySchema(), request.args)
    session, now = db(), utcnow()
    filters = metrics_export.resolve_filters(session, args["department"], args["channel"], args["category"])
    rows = metrics_now.backlog(session, now, filters)
    return jsonify(BacklogSchema().dump({"at": now, "total": metrics_now.backlog_dict(metrics_now.backlog_total(rows)),
                                         "departments": [metrics_now.backlog_dict(row) for row in rows]}))
