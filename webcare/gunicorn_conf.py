"""gunicorn settings for the web process: `gunicorn -c python:webcare.gunicorn_conf 'webcare.app:create_app()'`.

Each worker freezes its start-up objects once it has loaded the app (`webcare.memory`), so the garbage
collector's full collections no longer stall all of its threads for tens of milliseconds. Options given on
the command line win over these (`--workers`, `--threads`, `--bind`).
"""

from __future__ import annotations

from webcare.memory import freeze_startup_objects

worker_class = "gthread"
threads = 16


def post_worker_init(worker) -> None:  # noqa: ARG001  (gunicorn's hook signature)
    """Called by gunicorn in each worker after it loaded the app, before it serves a request."""
    freeze_startup_objects()
