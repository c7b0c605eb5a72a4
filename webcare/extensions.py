"""Access to the runtime and the request-scoped database session from Flask code."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from webcare.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["webcare"]


def db() -> Session:
    """The request's session; the handler commits, teardown closes (rolling back what was not committed)."""
    session = g.get("db_session")
    if session is None:
        session = g.db_session = runtime().session_factory()
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
