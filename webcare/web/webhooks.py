"""Webhook endpoints: POST a delivery (verified, stored, enqueued: answered at once), GET the handshake.

Bodies above `MAX_BODY_BYTES` are refused with 413 before they are verified or stored (Meta's
notifications are a few kilobytes; the app-wide request limit is larger).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from webcare.extensions import db
from webcare.security import csrf
from webcare.services import webhooks

MAX_BODY_BYTES = 1024 * 1024

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)


@bp.post("/<platform>/<int:channel_id>")
def receive(platform: str, channel_id: int):
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(f"a webhook body may be at most {MAX_BODY_BYTES} bytes")
    body = request.stream.read(MAX_BODY_BYTES + 1)  # also bounds a body sent without Content-Length
    if len(body) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(f"a webhook body may be at most {MAX_BODY_BYTES} bytes")
    delivery_id = webhooks.receive(db(), platform, channel_id, request.headers, body)
    db().commit()
    return jsonify(status="received" if delivery_id else "duplicate")


@bp.get("/<platform>/<int:channel_id>")
def handshake(platform: str, channel_id: int):
    return Response(webhooks.answer_challenge(db(), platform, channel_id, request.args), mimetype="text/plain")
