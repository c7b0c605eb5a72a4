"""A web worker runs a few requests at a time, first come first served; event streams pass by.

A gunicorn gthread worker has 16 threads so that open event streams (`/events/stream`, one per browser
tab, idle most of the time) do not starve the pages. But when the pages themselves arrive faster than one
process can run them, 16 threads running Python at once only share one interpreter lock: each request
takes longer, the lock goes to whichever thread grabs it (not the one waiting longest), and the slowest
requests wait for many others. Measured on 2 vCPUs under 32 clients, a bare Flask + SQLAlchemy endpoint
served 380 requests a second with a p99 of 190-220 ms this way, against 480-540 with a p99 of 120-140 ms
with one request running per worker process (docs/PERFORMANCE.md, "Inbox").

`RequestGate` wraps the WSGI app of a worker (`webcare.gunicorn_worker`): at most `slots` requests run the
app at once, the others wait in arrival order (a waiting thread sleeps on a lock: it takes no CPU and no
interpreter lock). Reading a request and writing its response happen outside the gate, in the worker's
threads, so a slow client holds no slot. Paths in `PASS_BY` (the event stream) do not take a slot.

A request that holds its slot for long (waiting on a row lock that a stuck transaction holds, say) must not
stop the worker: after `PATIENCE_SECONDS` of waiting a request runs beside it, as it would without a gate;
from then on the gate counts as `stuck` (the worker takes new connections again, and they run at once)
until the slow request ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from werkzeug.wsgi import ClosingIterator

log = logging.getLogger(__name__)

PASS_BY = frozenset({"/events/stream"})
PATIENCE_SECONDS = 10.0


class FairGate:
    """At most `slots` holders at a time; a freed slot goes to the thread that has waited longest."""

    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self._free = slots
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting at most `timeout` seconds (None: as long as it takes); False: none came."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=-1 if timeout is None else timeout):  # released by the holder handing over
            return True
        with self._lock:
            if turn in self._waiting:
                self._waiting.remove(turn)  # gives up its place
                return False
        turn.acquire()  # handed over just as the wait ended: the slot is this thread's
        return True

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # the slot passes on: never free for a newcomer to take
            else:
                self._free += 1

    def __enter__(self) -> FairGate:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


class RequestGate:
    """WSGI middleware: the wrapped app runs for at most `slots` requests at a time (0: no limit).

    `streams` counts the requests that passed by and are still being answered (until the server closes
    their response), so the worker can tell its gated requests from its open streams; `on_stream` is called
    when one starts.
    """

    def __init__(self, app: Callable, slots: int, pass_by: frozenset[str] = PASS_BY,
                 on_stream: Callable[[], None] | None = None, patience: float = PATIENCE_SECONDS):
        self.app = app
        self.pass_by = pass_by
        self.slots = slots
        self.gate = FairGate(slots) if slots else None
        self.streams = 0
        self.on_stream = on_stream
        self.patience = patience
        self._holders: dict[int, float] = {}  # thread id -> when it took its slot
        self._count_lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.gate is None:
            return self.app(environ, start_response)
        if environ.get("PATH_INFO") in self.pass_by:
            return self._pass_by(environ, start_response)
        if not self.gate.acquire(timeout=0 if self.stuck() else self.patience):
            log.warning("request gate: every slot is held by a request older than %.0f s; %s %s runs beside them",
                        self.patience, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            return self.app(environ, start_response)
        me = threading.get_ident()
        self._holders[me] = time.monotonic()
        try:
            return self.app(environ, start_response)
        finally:
            del self._holders[me]
            self.gate.release()

    def stuck(self, now: float | None = None) -> bool:
        """Every slot is held by a request that has run longer than the patience of those waiting."""
        started = list(self._holders.values())
        if not started or len(started) < self.slots:
            return False
        return max(started) < (now or time.monotonic()) - self.patience

    def _pass_by(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self._count_stream(1)
        if self.on_stream is not None:
            self.on_stream()
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self._count_stream(-1)
            raise
        return ClosingIterator(response, lambda: self._count_stream(-1))

    def _count_stream(self, change: int) -> None:
        with self._count_lock:
            self.streams += change
