"""The web process's gunicorn worker: gthread, whose app runs behind a `RequestGate`, and which takes a new
connection only while the gate has room.

gunicorn's gthread worker accepts every connection it can and queues the requests for its threads. With
one request running per worker (`webcare.request_gate`) each worker then kept a queue of its own, and the
two queues differed from moment to moment: a request could wait behind several others in one worker while
the other worker was idle. Sync workers do not have that: a worker accepts only when it is free, so the
waiting happens in the one queue of the listening socket, shared by all workers. This worker does the same:
while it has as many requests in hand as the gate has slots (event streams, which pass by the gate, not
counted), it stops listening for new connections, unless those requests have run so long that the gate
lets others pass (`RequestGate.stuck`; the loop looks again at least once a second). Otherwise it is
gunicorn's gthread worker. `webcare.gunicorn_conf` turns keep-alive off: a request on a kept-alive
connection never passes the shared queue, and under load such clients starved new connections.

It relies on gunicorn 27's gthread loop, which compares `nr_conns` with `worker_connections` on every turn
to decide whether to listen, hands every request to its threads through `enqueue_req` and hears of its end
in `finish_request`, both on the loop's own thread (pyproject pins gunicorn 27).
"""

from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker

from webcare.config import Settings
from webcare.request_gate import RequestGate


class GatedThreadWorker(ThreadWorker):
    """gthread with the app behind a `RequestGate`; no new connection while its requests fill the gate."""

    gate: RequestGate | None = None
    in_hand = 0  # requests handed to the threads and not finished (streams included)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.gate = RequestGate(self.wsgi, request_slots(self.wsgi), on_stream=self._wake)
        self.wsgi = self.gate

    def _wake(self) -> None:
        """A stream started: the loop, which may have stopped listening for it, counts again."""
        self.method_queue.defer(_nothing)

    def enqueue_req(self, conn) -> None:
        self.in_hand += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:
        self.in_hand -= 1
        super().finish_request(conn, fs)

    @property
    def worker_connections(self) -> int:
        gate = self.gate
        if gate is not None and gate.slots and self.in_hand - gate.streams >= gate.slots and not gate.stuck():
            return min(self._most_connections, self.nr_conns)  # the loop stops listening until one finishes
        return self._most_connections

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._most_connections = value


def request_slots(app) -> int:
    """The app's `web_request_slots` (Webcare's app config); any other WSGI app gets the default."""
    return getattr(app, "config", {}).get("WEBCARE_WEB_REQUEST_SLOTS", Settings.web_request_slots)


def _nothing() -> None:
    """What the loop runs when it is only woken."""
