"""Webhook endpoints: POST a delivery (verified, stored, enqueued: answered at once), GET the handshake."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from webcare.extensions import db
from webcare.security import csrf
from webcare.services import webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)


@bp.post("/<platform>/<int:channel_id>")
def receive(platform: str, channel_id: int):
    delivery_id = webhooks.receive(db(), platform, channel_id, request.headers, request.get_data(cache=False))
    db().commit()
    return jsonify(status="received" if delivery_id else "duplicate")


@bp.get("/<platform>/<int:channel_id>")
def handshake(platform: str, channel_id: int):
    return Response(webhooks.answer_challenge(db(), platform, channel_id, request.args), mimetype="text/plain")
