"""Webhook endpoints: POST a delivery (verified, stored, enqueued: answered at once), GET the handshake.

Bodies above `MAX_BODY_BYTES` are refused with 413 before they are verified or stored (Meta's
notifications are a few kilobytes; the app-wide request limit is larger). A refused call (bad signature or
handshake, a signed body that is no notification) is noted for the channel's health on the channels page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from webcare.errors import Forbidden, ValidationFailed
from webcare.extensions import db, runtime
from webcare.security import csrf
from webcare.services import webhook_health, webhooks

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
    with _noting_refusal(channel_id):
        delivery_id = webhooks.receive(db(), platform, channel_id, request.headers, body)
    db().commit()
    return jsonify(status="received" if delivery_id else "duplicate")


@bp.get("/<platform>/<int:channel_id>")
def handshake(platform: str, channel_id: int):
    with _noting_refusal(channel_id):
        answer = webhooks.answer_challenge(db(), platform, channel_id, request.args)
    return Response(answer, mimetype="text/plain")


@contextmanager
def _noting_refusal(channel_id: int) -> Iterator[None]:
    """A call the channel refuses (signature, handshake, no notification) is noted for the channels page;
    an unknown channel or platform (404) is not: it names no channel of ours."""
    try:
        yield
    except (Forbidden, ValidationFailed) as exc:
        webhook_health.record_refusal(runtime().redis_or_none(), channel_id, exc.status, str(exc))
        raise
