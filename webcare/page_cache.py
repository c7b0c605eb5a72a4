"""Answers kept for a moment in this process, valid while the database has not changed since.

The inbox list is what agents keep asking for all day, many of them the same view: under 32 clients it
costs about twice the CPU of a bare endpoint (docs/PERFORMANCE.md, Inbox). A page is kept with the write
stamp (`webcare.write_stamp`) read before it was made, and served again only while the stamp is the same
and it is younger than `seconds`: any committed write through Webcare makes every kept page stale at
once, and the time limit bounds what only time changes (an SLA level turning "at risk") and writes made
outside Webcare. Keys must hold everything the answer depends on besides those two, the user first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

MAX_ENTRIES = 512  # a page of 50 tickets is about 50 kB: at most ~25 MB per web process


class PageCache:
    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES, clock=time.monotonic):
        self.seconds = seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[bytes, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def get(self, key: Hashable, stamp: bytes) -> bytes | None:
        """The kept answer for `key`, if it was made under `stamp` and is still young enough."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            kept_stamp, made_at, body = entry
            if kept_stamp != stamp or self._clock() - made_at >= self.seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, stamp: bytes, body: bytes, made_at: float) -> None:
        """Keep `body`, made from a query started at `made_at` (this cache's clock) under `stamp`."""
        with self._lock:
            self._entries[key] = (stamp, made_at, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def now(self) -> float:
        return self._clock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
