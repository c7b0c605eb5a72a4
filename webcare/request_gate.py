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
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable

from werkzeug.wsgi import ClosingIterator

PASS_BY = frozenset({"/events/stream"})


class FairGate:
    """At most `slots` holders at a time; a freed slot goes to the thread that has waited longest."""

    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self._free = slots
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by `release` of the holder that hands its slot to this thread

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
                 on_stream: Callable[[], None] | None = None):
        self.app = app
        self.pass_by = pass_by
        self.slots = slots
        self.gate = FairGate(slots) if slots else None
        self.streams = 0
        self.on_stream = on_stream
        self._streams_lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.gate is None:
            return self.app(environ, start_response)
        if environ.get("PATH_INFO") in self.pass_by:
            return self._pass_by(environ, start_response)
        with self.gate:
            return self.app(environ, start_response)

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
        with self._streams_lock:
            self.streams += change
