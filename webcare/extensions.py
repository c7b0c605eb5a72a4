"""Access to the runtime and the request-scoped database session from Flask code."""

from __future__ import annotations

import logging

from flask import current_app, g
from psycopg import pq
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from webcare import write_stamp
from webcare.runtime import Runtime

log = logging.getLogger(__name__)


def runtime() -> Runtime:
    return current_app.extensions["webcare"]


def db() -> Session:
    """The request's session; the handler commits, teardown closes (rolling back what was not committed)."""
    session = g.get("db_session")
    if session is None:
        session = g.db_session = runtime().session_factory()
    return session


def close_db(exc: BaseException | None = None) -> None:
    """End the request's session; never raises (an error here would replace the answer with an HTML 500).

    `exc` is None also when an error handler answered an exception, so the transaction may have failed
    (on PostgreSQL: aborted, refusing every further statement): a database error while ending it is
    logged and the session closed, which rolls back and returns the connection to the pool."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is None and _wrote_nothing(session):
            session.commit()
    except SQLAlchemyError as error:
        log.warning("request transaction ended by rollback: %s", type(error).__name__)
    finally:
        _close(session)


def _close(session: Session) -> None:
    try:
        session.close()
    except SQLAlchemyError:
        log.exception("closing the request's database session failed")


def _wrote_nothing(session: Session) -> bool:
    """Whether the request's transaction wrote nothing on PostgreSQL, so COMMIT ends it as ROLLBACK would.

    psycopg forgets a connection's prepared statements on every ROLLBACK, so a read-only request ended by
    closing the session had PostgreSQL parse and plan each of its queries anew (the inbox list: 1.3 ms of
    planning of 3.4 ms of PostgreSQL CPU per request); ended by COMMIT, a pooled connection keeps them.
    Whatever the handler wrote and did not commit is still rolled back: pending ORM changes are seen
    here, and any other statement that was not a read (Core, raw SQL) was noted on the connection by
    `write_stamp` (asking PostgreSQL instead cost a round trip per request). A read that locked rows
    (`FOR UPDATE`) is ended by COMMIT, which releases the locks as ROLLBACK would.
    """
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    if session.get_bind().dialect.name != "postgresql" or _aborted(session):
        return False
    return not write_stamp.wrote(session.connection())


def _aborted(session: Session) -> bool:
    """Whether a statement of the transaction failed, so PostgreSQL refuses all others until ROLLBACK."""
    connection = session.connection().connection.dbapi_connection
    return connection is not None and connection.info.transaction_status == pq.TransactionStatus.INERROR
