"""Server-sent events: the realtime stream of ticket changes a user may see.

A stream holds one gunicorn thread, so it ends after `STREAM_SECONDS`; the browser's EventSource
reconnects by itself (the `retry:` field) and the page refreshes what it shows on reconnect.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from flask_login import login_required

from webcare.auth import current
from webcare.extensions import close_db, runtime
from webcare.services import realtime

bp = Blueprint("live", __name__)
STREAM_SECONDS = 55


@bp.get("/events/stream")
@login_required
def stream():
    scope = realtime.Scope.of(current())
    close_db()  # hold no database connection for the life of the stream
    lifetime = current_app.config.get("WEBCARE_STREAM_SECONDS", STREAM_SECONDS)
    frames = realtime.stream(runtime().redis, scope, lifetime=lifetime)
    response = Response(frames, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response
