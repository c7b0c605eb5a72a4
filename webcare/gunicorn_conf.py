"""gunicorn settings for the web process: `gunicorn -c python:webcare.gunicorn_conf 'webcare.app:create_app()'`.

Each worker (`webcare.gunicorn_worker`, gunicorn's gthread) has 16 threads, so that event streams (one per
open browser tab) never starve the pages, but runs at most `web_request_slots` requests at once, first come
first served (`webcare.request_gate`), and takes no new connection while those slots are full, so requests
wait in the listening socket's one queue, shared by all workers. Connections are therefore not kept alive:
a kept-alive connection is served by its worker without passing through that queue, and under load the
clients holding one kept both workers busy while new connections waited in the queue (30 s for an API
client in bench/inbox_under_ingest.py). Behind a reverse proxy this costs nothing (nginx talks HTTP/1.0 to
its upstream by default); a browser talking to gunicorn directly opens a new connection per request. It freezes its
start-up objects once it has loaded the app (`webcare.memory`), so the garbage collector's full collections
no longer stall all of its threads for tens of milliseconds. Options given on the command line win over
these (`--workers`, `--threads`, `--bind`).
"""

from __future__ import annotations

from webcare.memory import freeze_startup_objects

worker_class = "webcare.gunicorn_worker.GatedThreadWorker"
threads = 16
keepalive = 0  # see above: every request comes through the shared queue of the listening socket


def post_worker_init(worker) -> None:  # noqa: ARG001  (gunicorn's hook signature)
    """Called by gunicorn in each worker after it loaded the app, before it serves a request."""
    freeze_startup_objects()
