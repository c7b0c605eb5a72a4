"""Sending a failed reply again (the retry button on a ticket): POST /deliveries/<message_id>/retry."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from webcare.auth import current, roles_required
from webcare.errors import NotFound
from webcare.extensions import db
from webcare.models import Message
from webcare.services import access, replies, ticket_actions
from webcare.web.request_origin import origin

bp = Blueprint("deliveries", __name__, url_prefix="/deliveries")


@bp.post("/<int:message_id>/retry")
@roles_required("agent", "department", "manager", "admin")
def retry(message_id: int):
    message = db().get(Message, message_id)
    if message is None or message.ticket_id is None:
        raise NotFound(f"reply {message_id} not found")
    ticket = access.get_ticket_for(db(), current(), message.ticket_id)  # outside the user's scope: 404
    ticket_actions.require_worker(current(), ticket)  # sending again is replying: the same people may (403)
    replies.retry_delivery(db(), message_id, current(), origin())
    db().commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(message_id=message_id, delivery={"state": "queued"}), 202
    flash(_("The reply is being sent again."), "success")
    return redirect(url_for("main.ticket", ticket_id=message.ticket_id))
