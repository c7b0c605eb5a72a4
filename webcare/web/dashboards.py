"""Dashboards for managers and administrators: overview, per department, per channel, per agent, "now", CSV
exports.

Every view is a URL (period and filters in the query string), so a view can be shared. Handlers parse,
check the role, make one service call and render; the figures come from `services.metrics_pages`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l

from webcare.auth import current, roles_required
from webcare.db import utcnow
from webcare.errors import NotFound, ValidationFailed
from webcare.extensions import db
from webcare.models import Channel, Department
from webcare.platforms import DISPLAY_NAMES
from webcare.services import metric_facts, metrics_export, metrics_labels, metrics_pages
from webcare.services.metrics import VIEWER_ROLES
from webcare.web import dashboard_charts
from webcare.web import dashboard_format as fmt
from webcare.web.nav import add_nav
from webcare.web.request_origin import origin

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")
add_nav("dashboards.overview", _l("Dashboards"), *VIEWER_ROLES)
add_nav("dashboards.now", _l("Right now"), *VIEWER_ROLES)
bp.add_app_template_filter(fmt.duration, "duration")
bp.add_app_template_filter(fmt.share, "share")


def _today():
    return datetime.now(metric_facts.zone_for(db())).date()


def _view():
    """The period and filters asked for, and why not if they are refused (the page then still shows, with the
    default view and the reason)."""
    try:
        period, filters = fmt.parse_view(request.args, _today())
        fmt.check_known(db(), filters)
        return period, filters, None
    except ValidationFailed as exc:
        return *fmt.parse_view({}, _today()), exc.message


def _page(scope: str, title: str, **forced):
    period, filters, refusal = _view()
    filters = replace(filters, **forced)
    data = metrics_pages.dashboard(db(), scope, period, filters, utcnow())
    return render_template("dashboards/dashboard.html", d=data, scope=scope, title=title, filters=filters,
                           charts=dashboard_charts.for_dashboard(data), refusal=refusal,
                           options=metrics_labels.options(db()), presets=fmt.presets(_today()), fmt=fmt,
                           params=fmt.view_params(period, filters)), 400 if refusal else 200


@bp.get("/")
@roles_required(*VIEWER_ROLES)
def overview():
    return _page("overview", str(_l("Dashboard")))


@bp.get("/departments/<int:department_id>")
@roles_required(*VIEWER_ROLES)
def department(department_id: int):
    found = db().get(Department, department_id)
    if found is None:
        raise NotFound(f"department {department_id} not found")
    return _page("department", f"{found.code} · {found.name}", department_id=department_id)


@bp.get("/channels/<int:channel_id>")
@roles_required(*VIEWER_ROLES)
def channel(channel_id: int):
    found = db().get(Channel, channel_id)
    if found is None:
        raise NotFound(f"channel {channel_id} not found")
    return _page("channel", f"{found.name} ({DISPLAY_NAMES.get(found.platform, found.platform)})",
                 channel_id=channel_id)


@bp.get("/agents")
@roles_required(*VIEWER_ROLES)
def agents():
    period, filters, refusal = _view()
    groups = metrics_pages.agent_figures(db(), period, filters)
    return render_template("dashboards/agents.html", groups=groups, period=period, scope="agents", filters=filters,
                           refusal=refusal, options=metrics_labels.options(db()), presets=fmt.presets(_today()),
                           fmt=fmt, params=fmt.view_params(period, filters)), 400 if refusal else 200


@bp.get("/now")
@roles_required(*VIEWER_ROLES)
def now():
    period, filters = fmt.parse_view(request.args, _today())
    fmt.check_known(db(), filters)  # an unknown id would filter nothing: every figure, every ticket
    board = metrics_pages.now_board(db(), utcnow(), filters)
    return render_template("dashboards/now.html", board=board, filters=filters, options=metrics_labels.options(db()),
                           charts=dashboard_charts.for_now(board), params=fmt.view_params(period, filters))


@bp.get("/export/figures.csv")
@roles_required(*VIEWER_ROLES)
def export_figures():
    period, filters = fmt.parse_view(request.args, _today())
    fmt.check_known(db(), filters)  # an unknown id would filter nothing: every figure, every ticket
    export = metrics_export.figures_export(db(), current(), origin(), period, filters, fmt.grouping(request.args))
    db().commit()  # the audit entry is stored before anything leaves
    return _csv(export.filename, export.header, export.rows)


@bp.get("/export/tickets.csv")
@roles_required(*VIEWER_ROLES)
def export_tickets():
    period, filters = fmt.parse_view(request.args, _today())
    fmt.check_known(db(), filters)  # an unknown id would filter nothing: every figure, every ticket
    export = metrics_export.tickets_export(db(), current(), origin(), period, filters, request.args.get("figure", ""),
                                            level=request.args.get("level") or None, age=request.args.get("age") or None,
                                            now=utcnow())
    db().commit()
    return _csv(export.filename, export.header, export.rows)


def _csv(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    session = db()  # the rows are read lazily from this session while the response streams
    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        try:
            for n, row in enumerate(rows):
                writer.writerow(row)
                if n % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()
        finally:
            session.close()  # end the read transaction as soon as the rows are out

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
