"""The bell: unread count in the top bar on every page, the notifications page, mark read, and a
small JSON endpoint that the bell's script polls (the SSE stream, when present, only makes it faster)."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from webcare.auth import current
from webcare.extensions import db
from webcare.services import notifications
from webcare.web.forms import EmptyForm, safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
log = logging.getLogger(__name__)
KIND_LABELS = {"sla_at_risk": _l("At risk"), "sla_breached": _l("Overdue"), "sla_late_3x": _l("3x late"),
               "message_in": _l("New message"), "handoff": _l("Handed off"), "feedback": _l("Department feedback"),
               "reply_requested": _l("Reply proposed"), "taken_over": _l("Taken over"), "sent_back": _l("Sent back"),
               "delivery_failed": _l("Reply not delivered"), "channel_reauth": _l("Channel needs reconnecting"),
               "threat": _l("Threat")}


@bp.app_context_processor
def _unread_in_top_bar() -> dict:
    if not current_user.is_authenticated:
        return {}
    try:
        return {"unread_notifications": notifications.unread_count(db(), current())}
    except SQLAlchemyError as exc:  # an error page after a failed transaction still renders, without a count
        log.warning("unread count not available: %s", exc)
        return {"unread_notifications": None}


@bp.app_template_filter("notification_kind")
def _kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.get("/")
@login_required
def index():
    items = notifications.latest(db(), current())
    return render_template("notifications/index.html", items=items, form=EmptyForm(),
                           in_sight=notifications.tickets_in_sight(db(), current(), items))


@bp.get("/unread.json")
@login_required
def unread():
    response = jsonify({"unread": notifications.unread_count(db(), current())})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    return _mark(notification_id)


@bp.post("/read")
@login_required
def read_all():
    return _mark(None)


def _mark(notification_id: int | None):
    if EmptyForm().validate_on_submit():
        notifications.mark_read(db(), current(), notification_id)
        db().commit()
    return redirect(safe_next("notifications.index") if notification_id is None else url_for("notifications.index"))
