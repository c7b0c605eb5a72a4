"""Database wiring: declarative base, engine and session factory, and after-commit callbacks.

Services receive a `Session` and never commit; the edge (a request, a job, a CLI command) owns the
transaction. Side effects that must not happen for a rolled-back transaction (enqueueing jobs,
publishing realtime events, sending mail) are registered with `on_commit(session, fn)` and run only
after the transaction committed; a rollback drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import orjson
from sqlalchemy import JSON, DateTime, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored in UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Webcare stores aware datetimes only")
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        if dialect.name == "postgresql":
            return None  # make_engine's sessions run in UTC: psycopg's datetimes are aware and in UTC already
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Ids are INTEGER columns (32 bits on PostgreSQL): a larger number in a URL or a filter is no id, and must give
# a 404 or 400 before it reaches the database (which would refuse it: a 500).
MAX_ID = 2**31 - 1


def as_id(text: str) -> int | None:
    """The number `text` spells in ASCII digits if it can be an id (at most `MAX_ID`), else None.

    `str.isdigit` alone is not enough: "²" and "١٢" are digits to it, and int() refuses the first."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict: JSONType, list: JSONType}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_text(moment: datetime) -> str:
    """`moment.isoformat()` in a third of its time (orjson writes the same RFC 3339 text), for hot paths that
    write many times into JSON (the SLA marks of every new ticket, a reply's context)."""
    return orjson.dumps(moment)[1:-1].decode()


def effective_at(at: datetime | None, now: datetime) -> datetime:
    """A time given from outside (a platform's, an imported line's), or `now` (the ingest time) when it is
    missing or lies in the future (DOMAIN.md, first response)."""
    return now if at is None or at > now else at


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings Webcare needs on each backend."""
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _postgres_session_settings)
    return engine


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def lock_for_writing(session: Session) -> None:
    """SQLite: take the write lock as the transaction's first act (a write that changes nothing), so what the
    transaction reads next is what the last committed writer left and no other writer comes in between, as
    `SELECT ... FOR UPDATE` gives on PostgreSQL (SQLite ignores FOR UPDATE, and pysqlite reads outside a
    transaction until the first write: two requests would both read a ticket's old status and both move it)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM imported_lines WHERE key = ''"))


def _postgres_session_settings(dbapi_connection, _record) -> None:
    """A commit is durable before it returns, whatever the server's default: `synchronous_commit` off (a
    common speed tuning) acknowledges commits that a crash or an immediate shutdown then loses, while the
    job that made them is already deleted (ingest: `result_ttl=0`) and the platform cursor has moved on;
    citizens' messages would be lost for good (docs/RELIABILITY.md, PostgreSQL restart).

    The session's time zone is UTC, whatever the server's: psycopg then returns every timestamptz as an
    aware datetime in UTC, which is what `UTCDateTime` promises, with no conversion per value (a list page
    reads some 1,300 datetimes). No query of ours depends on the session's zone (local days are computed
    in Python, `webcare.calendar`)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
        cursor.execute("SET TimeZone TO 'UTC'")
    dbapi_connection.commit()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


# --- after-commit callbacks -------------------------------------------------------------------

_CALLBACKS_KEY = "webcare_on_commit"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` after the session's current transaction commits; drop it on rollback."""
    session.info.setdefault(_CALLBACKS_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_CALLBACKS_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CALLBACKS_KEY, None)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session, one transaction: commit on success, roll back on error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
