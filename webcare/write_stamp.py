"""The write stamp: a value in Redis that changes after every committed write to the database.

A cache of query results (the ticket list's pages, `webcare.page_cache`) keeps the stamp it read
before it queried and serves an entry only while the stamp is unchanged, so no change that was committed
before a request began can be missing from what the request gets.

Every engine Webcare makes (web, workers, CLI; `Runtime.__post_init__`) notes on each pooled connection
whether its transaction ran a statement other than a read, and after such a transaction commits (when the
connection goes back to the pool or begins its next transaction, whichever comes first) sets the stamp to
a new random value. A new value rather than a counter: after Redis lost its data, an old cached entry can
never match. A write made outside Webcare's engines (psql, another program) does not change the stamp:
the cache's time limit bounds how long it can go unseen. A session renews the stamp before it runs its
after-commit work (`webcare.db.on_commit`: realtime events, jobs), so whoever reacts to those sees it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

STAMP_KEY = "webcare:write-stamp"
READS = ("SELECT", "SAVEPOI", "RELEASE", "ROLLBAC", "SET ", "SHOW", "PRAGMA", "EXPLAIN", "BEGIN")
_WROTE = "webcare_wrote"  # keys in the pooled connection's `info`
_COMMITTED = "webcare_committed_write"
_tracked: weakref.WeakSet[Engine] = weakref.WeakSet()
REST_SECONDS = 5
_resting_until = 0.0
_thread = threading.local()


def is_read(statement: str) -> bool:
    """Whether a statement only reads (a conservative test: anything unknown counts as a write)."""
    return statement.lstrip()[:7].upper().startswith(READS)


def wrote(connection) -> bool:
    """Whether the connection's open transaction ran a statement other than a read (tracked engines)."""
    return bool(connection.info.get(_WROTE))


def track_writes(engine: Engine, redis: Callable[[], Redis | None]) -> None:
    """Change the stamp in `redis()` after each transaction of `engine` that wrote and committed.

    Once per engine: the first caller (the runtime that made it) owns it; a second runtime on the same
    engine (tests do this) adds nothing."""
    if engine in _tracked:
        return
    _tracked.add(engine)

    def noted(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if not is_read(statement):
            conn.info[_WROTE] = True

    def committing(conn) -> None:
        if conn.info.pop(_WROTE, False):
            conn.info[_COMMITTED] = True
            _owed().append((conn.info, redis))

    def returned(_dbapi_connection, record) -> None:
        if record is not None:
            record.info.pop(_WROTE, None)  # not committed: the pool rolls it back
            _settle(record.info, redis)

    event.listen(engine, "before_cursor_execute", noted)
    event.listen(engine, "commit", committing)
    event.listen(engine, "rollback", lambda conn: conn.info.pop(_WROTE, None))
    event.listen(engine, "begin", lambda conn: _settle(conn.info, redis))
    event.listen(engine.pool, "checkin", returned)


def _settle(info: dict, redis: Callable[[], Redis | None]) -> None:
    if info.pop(_COMMITTED, False):
        renew(redis())


def _owed() -> list:
    """This thread's commits whose stamp is not renewed yet (those settled another way are dropped)."""
    owed = getattr(_thread, "owed", None)
    if owed is None:
        owed = _thread.owed = []
    owed[:] = [entry for entry in owed if entry[0].get(_COMMITTED)]
    return owed


@event.listens_for(Session, "after_commit", insert=True)
def _renew_before_after_commit_work(_session: Session) -> None:
    """A session's commit renews the stamp before its after-commit work (realtime events, jobs): a page
    that refreshes on such an event must not be served from before the write."""
    owed, _thread.owed = getattr(_thread, "owed", None) or [], []
    for info, redis in owed:
        _settle(info, redis)


def renew(redis: Redis | None) -> None:
    """A new stamp. On a Redis error (logged; the committed work stands) renewing rests for `REST_SECONDS`,
    so that an unreachable Redis does not hold up every commit for its connect timeout. While Redis cannot
    be read no page is served from a cache; a page kept from before lags at most its time limit."""
    global _resting_until
    if redis is None or time.monotonic() < _resting_until:
        return
    try:
        redis.set(STAMP_KEY, secrets.token_hex(8))
    except RedisError as exc:
        _resting_until = time.monotonic() + REST_SECONDS
        log.warning("write stamp not renewed (resting %d s), kept lists may lag until they expire: %s",
                    REST_SECONDS, exc)


def current(redis: Redis) -> bytes:
    """The stamp now (made when there is none yet). Raises RedisError."""
    stamp = redis.get(STAMP_KEY)
    if stamp is None:
        redis.set(STAMP_KEY, secrets.token_hex(8), nx=True)
        stamp = redis.get(STAMP_KEY)
    return stamp or b""
