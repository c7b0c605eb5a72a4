"""Answers kept for a moment in this process, valid while the database has not changed since.

The inbox list is what agents keep asking for all day, many of them the same view: under 32 clients it
costs about twice the CPU of a bare endpoint (docs/PERFORMANCE.md, Inbox). A page is kept with the write
stamp (`webcare.write_stamp`) read before it was made, and served again only while the stamp is the same
and it is younger than `seconds`: any committed write through Webcare makes every kept page stale at
once, and the time limit bounds what only time changes (an SLA level turning "at risk") and writes made
outside Webcare. The key holds everything else the answer depends on: `look_up` adds the user.

In a request:

    kept_value, slot = look_up(("inbox.rows", locale, args))
    if kept_value is None:
        kept_value = make()
        keep(slot, kept_value)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, NamedTuple

from flask import g
from redis.exceptions import RedisError

from webcare import write_stamp

log = logging.getLogger(__name__)

MAX_ENTRIES = 512  # a page of 50 tickets is about 50 kB: at most ~25 MB per web process


class PageCache:
    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES, clock=time.monotonic):
        self.seconds = seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[bytes, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def get(self, key: Hashable, stamp: bytes) -> Any:
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

    def put(self, key: Hashable, stamp: bytes, body: Any, made_at: float) -> None:
        """Keep `body` (never None), made from a query started at `made_at` (this cache's clock) under `stamp`."""
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


class Slot(NamedTuple):
    """Where a value made in this request is kept: its key, the stamp read before, when it was begun."""

    cache: PageCache
    key: Hashable
    stamp: bytes
    made_at: float


def look_up(parts: tuple) -> tuple[Any, Slot | None]:
    """(the kept value or None, the slot to keep a new one in; None when caching is off or Redis is down).
    The stamp is read once per request, at its first look-up (before the queries of whatever is kept)."""
    from webcare.auth import current

    return _look_up((current().id, *parts))


def look_up_shared(parts: tuple) -> tuple[Any, Slot | None]:
    """As `look_up`, for a value that is the same for every user (configuration a page reads, such as the
    calendars): kept once per process, under the same stamp and time limit."""
    return _look_up(("shared", *parts))


def _look_up(key: tuple) -> tuple[Any, Slot | None]:
    from webcare.extensions import runtime

    cache = runtime().list_pages
    read = g.get("write_stamp") if cache.enabled else None
    if read is None and cache.enabled:
        read = g.write_stamp = _read_stamp(runtime().redis_or_none(), cache)
    if not read:
        return None, None
    stamp, made_at = read
    return cache.get(key, stamp), Slot(cache, key, stamp, made_at)


def _read_stamp(redis, cache: PageCache) -> tuple[bytes, float] | tuple[()]:
    if redis is None:
        return ()
    try:
        return write_stamp.current(redis), cache.now()
    except RedisError as exc:
        log.warning("not cached, Redis unavailable: %s", exc)
        return ()


def keep(slot: Slot | None, value: Any) -> None:
    if slot is not None and value is not None:
        slot.cache.put(slot.key, slot.stamp, value, slot.made_at)
