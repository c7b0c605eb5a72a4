"""Independent read queries of one page at once, each on its own database connection.

A dashboard page asks PostgreSQL a handful of aggregate queries that do not depend on each other (the
counts, the percentiles per grouping, the previous period, the backlog). One after the other they take
the sum of their times; side by side, on connections of the same engine, the slowest. Each query is a
callable that takes a session and returns plain rows (never ORM objects that need their session later).

On SQLite (one writer, a file, no server CPU to spread over) and for a single query, everything runs in
the caller's session, one after the other. Read-only: the extra sessions are rolled back and closed.
Each query sees its own snapshot, as consecutive statements in a READ COMMITTED transaction already do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

Query = Callable[[Session], Any]

# Extra connections in use at once for all pages of this process together (the engine's pool has 10 + 20
# overflow): concurrent dashboards queue here rather than pile aggregates onto the database.
MAX_PARALLEL = 4
_executor = ThreadPoolExecutor(max_workers=MAX_PARALLEL, thread_name_prefix="webcare-fanout")


def parallel(session: Session) -> bool:
    """True when the queries of a page may run on several connections at once (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql"


def run_all(session: Session, queries: Sequence[Query]) -> list[Any]:
    """Each query's result, in order. The first runs in the caller's session (and thread)."""
    if len(queries) < 2 or not parallel(session):
        return [query(session) for query in queries]
    engine = session.get_bind()
    futures = [_executor.submit(_in_own_session, engine, query) for query in queries[1:]]
    try:
        first = queries[0](session)
    finally:
        results = [future.result() for future in futures]  # wait for all, also when the first failed
    return [first, *results]


def _in_own_session(engine, query: Query) -> Any:
    with Session(bind=engine) as own:
        try:
            return query(own)
        finally:
            own.rollback()
