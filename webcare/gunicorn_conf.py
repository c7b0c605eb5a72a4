"""gunicorn settings for the web process: `gunicorn -c python:webcare.gunicorn_conf 'webcare.app:create_app()'`.

Each worker has 16 threads, so that event streams (one per open browser tab) never starve the pages, but
runs at most `web_request_slots` requests at once, first come first served (`webcare.request_gate`). It
freezes its start-up objects once it has loaded the app (`webcare.memory`), so the garbage collector's full
collections no longer stall all of its threads for tens of milliseconds. Options given on the command line
win over these (`--workers`, `--threads`, `--bind`).
"""

from __future__ import annotations

from webcare.config import Settings
from webcare.memory import freeze_startup_objects
from webcare.request_gate import RequestGate

worker_class = "gthread"
threads = 16


def post_worker_init(worker) -> None:
    """Called by gunicorn in each worker after it loaded the app, before it serves a request."""
    freeze_startup_objects()
    worker.wsgi = RequestGate(worker.wsgi, _slots(worker.wsgi))


def _slots(app) -> int:
    """The app's `web_request_slots` (Webcare's app config); any other WSGI app gets the default."""
    return getattr(app, "config", {}).get("WEBCARE_WEB_REQUEST_SLOTS", Settings.web_request_slots)
