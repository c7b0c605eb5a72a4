"""The unified inbox: saved views with counts, filters, most urgent first, cursor paging, live refresh.

`?fragment=rows` answers only the list (rows and pager), which the page fetches again when the
realtime stream says something changed.
"""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
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
from webcare.page_cache import keep, look_up, look_up_shared
from webcare.schemas.ticket_input import TicketListQuerySchema, load
from webcare.services import calendars, inbox, sla_left
from webcare.services.access import may_filter_on_department
from webcare.services.inbox import Filters, Page
from webcare.web.errors_text import explain
from webcare.web.nav import add_nav

bp = Blueprint("inbox", __name__)
add_nav("inbox.index", _l("Inbox"), "agent", "manager", "admin")
PAGE_SIZE = 50
FILTER_LABELS = {"view": _l("Saved view"), "status": _l("Status"), "platform": _l("Platform"),
                 "channel": _l("Channel"), "department": _l("Department"), "category": _l("Category"),
                 "priority": _l("Priority"), "assignee": _l("Assignee"), "sla": _l("SLA level"), "label": _l("Label"),
                 "q": _l("Search"), "sort": _l("Order")}
FILTER_KEYS = tuple(FILTER_LABELS)


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
        page = _page(session, args)
    except ValidationFailed as exc:
        return _refused(session, args, active, query, exc)
    rows = _render(session, page, active, query)
    keep(slot, rows)
    return rows, None


def _page(session, args: dict) -> Page:
    parsed = load(TicketListQuerySchema(unknown=EXCLUDE), {k: v for k, v in args.items() if v != ""})
    return inbox.list_tickets(session, current(), _filters(parsed), limit=PAGE_SIZE, cursor=parsed["cursor"])


def _refused(session, args: dict, active: dict, query: dict, exc: ValidationFailed) -> tuple[Markup, str]:
    """A filter with a value that does not exist is named, and the list is shown without it (as the dashboards
    do); any other refusal shows an empty list with its reason."""
    page, bad = Page(), [name for name in exc.fields if name in FILTER_LABELS]
    if bad:
        message = _("Unknown value for the filter %(filter)s: %(value)s", filter=FILTER_LABELS[bad[0]],
                    value=args.get(bad[0], "")[:100])
        with suppress(ValidationFailed):  # another refusal besides: the list stays empty
            page = _page(session, {k: v for k, v in args.items() if k not in bad})
    else:
        message = explain(exc)
    return _render(session, page, active, query), message


def _render(session, page: Page, active: dict, query: dict) -> Markup:
    """The rows, each with its clock's time left as the ticket page counts it (`services.sla_left`)."""
    left = sla_left.rows_left(session, page.items, calendar=_calendars(session))
    return Markup(render_template("inbox/_rows.html", page=page, left=left, active=active, query=query))


def _calendars(session):
    """The calendars by id (`calendars.lookup`), kept in this process while nothing was written (page_cache)."""
    lookup, slot = look_up_shared(("calendars",))
    if lookup is None:
        lookup = calendars.lookup(session)
        keep(slot, lookup)
    return lookup


def _filters(args: dict) -> Filters:
    return Filters(statuses=inbox.parse_statuses(args["status"]), view=args["view"], platform=args["platform"],
                   channel_id=args["channel"], department=args["department"], category=args["category"],
                   priority=args["priority"], assignee=args["assignee"], sla=args["sla"], label=args["label"],
                   q=args["q"], sort=args["sort"])


def _choices(session) -> dict:
    """Channels, departments and categories for the filter bar, kept (per user) while nothing was written."""
    choices, slot = look_up(("inbox.choices",))
    if choices is None:
        choices = _load_choices(session)
        keep(slot, choices)
    return choices


def _load_choices(session) -> dict:
    return {
        "platforms": [p for p in PLATFORMS],
        "channels": list(session.execute(select(Channel.id, Channel.name).order_by(Channel.name))),
        "departments": _departments(session),
        "categories": list(session.execute(select(Category.code, Category.name).order_by(Category.code))),
    }


def _departments(session) -> list:
    """The departments the user may filter on (department staff: their own; access.may_filter_on_department)."""
    rows = session.execute(select(Department.id, Department.code, Department.name).order_by(Department.name))
    return [(code, name) for department_id, code, name in rows if may_filter_on_department(current(), department_id)]
