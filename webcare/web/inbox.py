"""The unified inbox: saved views with counts, filters, most urgent first, cursor paging, live refresh.

`?fragment=rows` answers only the list (rows and pager), which the page fetches again when the
realtime stream says something changed.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from markupsafe import Markup
from marshmallow import EXCLUDE
from sqlalchemy import select

from webcare.auth import current, roles_required
from webcare.errors import ValidationFailed
from webcare.extensions import db, runtime
from webcare.models import Category, Channel, Department
from webcare.models.channel import PLATFORMS
from webcare.page_cache import keep, look_up
from webcare.schemas.ticket_input import TicketListQuerySchema, load
from webcare.services import inbox
from webcare.services.inbox import Filters, Page
from webcare.web.errors_text import explain
from webcare.web.nav import add_nav

bp = Blueprint("inbox", __name__)
add_nav("inbox.index", _l("Inbox"), "agent", "manager", "admin")
PAGE_SIZE = 50
FILTER_KEYS = ("view", "status", "platform", "channel", "department", "category", "priority", "assignee", "sla",
               "label", "q", "sort")


@bp.get("/inbox")
@login_required
@roles_required("agent", "manager", "admin", "department")
def index():
    session = db()
    args = request.args.to_dict()
    args.pop("limit", None)  # the page has its own size
    fragment = args.pop("fragment", None)
    active = {k: args.get(k, "") for k in FILTER_KEYS}
    query = {k: v for k, v in active.items() if v}
    rows, error = _rows(session, args, active, query)
    if fragment == "rows":
        return rows
    return render_template("inbox/index.html", rows=rows, active=active, query=query, error=error,
                           counts=inbox.cached_view_counts(session, runtime().redis, current()),
                           choices=_choices(session))


def _rows(session, args: dict, active: dict, query: dict) -> tuple[Markup, str | None]:
    """The list (rows and pager) as HTML, kept for a moment per user, language and query (page_cache)."""
    rows, slot = look_up(("inbox.rows", str(get_locale()), tuple(sorted(args.items()))))
    if rows is not None:
        return rows, None
    try:
        parsed = load(TicketListQuerySchema(unknown=EXCLUDE), {k: v for k, v in args.items() if v != ""})
        page = inbox.list_tickets(session, current(), _filters(parsed), limit=PAGE_SIZE, cursor=parsed["cursor"])
    except ValidationFailed as exc:
        return Markup(render_template("inbox/_rows.html", page=Page(), active=active, query=query)), explain(exc)
    rows = Markup(render_template("inbox/_rows.html", page=page, active=active, query=query))
    keep(slot, rows)
    return rows, None


def _filters(args: dict) -> Filters:
    return Filters(statuses=inbox.parse_statuses(args["status"]), view=args["view"], platform=args["platform"],
                   channel_id=args["channel"], department=args["department"], category=args["category"],
                   priority=args["priority"], assignee=args["assignee"], sla=args["sla"], label=args["label"],
                   q=args["q"], sort=args["sort"])


def _choices(session) -> dict:
    """Channels, departments and categories for the filter bar, kept while nothing was written."""
    choices, slot = look_up(("inbox.choices",))
    if choices is None:
        choices = _load_choices(session)
        keep(slot, choices)
    return choices


def _load_choices(session) -> dict:
    return {
        "platforms": [p for p in PLATFORMS],
        "channels": list(session.execute(select(Channel.id, Channel.name).order_by(Channel.name))),
        "departments": list(session.execute(select(Department.code, Department.name).order_by(Department.name))),
        "categories": list(session.execute(select(Category.code, Category.name).order_by(Category.code))),
    }
