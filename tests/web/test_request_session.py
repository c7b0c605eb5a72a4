"""How a request's database session ends (webcare.extensions.close_db).

A read-only request ends its transaction by COMMIT on PostgreSQL so that the pooled connection keeps its
prepared statements (psycopg drops them on ROLLBACK); anything a handler wrote and did not commit is
still rolled back, however it was written.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from tests import factories as f
from webcare.extensions import db
from webcare.models import Department


@pytest.fixture
def handlers(app):
    """Routes that read, or write without committing, in the request's session."""

    @app.get("/_test/read")
    def read():
        return str(db().scalar(select(func.count()).select_from(Department)))

    @app.get("/_test/core-write")
    def core_write():
        db().execute(insert(Department).values(code="TMP", name="Tijdelijk"))
        return "written, not committed"

    @app.get("/_test/orm-pending")
    def orm_pending():
        db().add(Department(code="PEN", name="Nog niet geschreven"))
        return "pending, not committed"

    @app.get("/_test/raw-write")
    def raw_write():
        statement = insert(Department).values(code="RAW", name="Rauw")
        db().connection().execute(statement)  # past the session: no ORM event sees it
        return "raw, not committed"

    @app.get("/_test/fails-after-flush")
    def fails_after_flush():
        db().add(Department(code="ERR", name="Fout"))
        db().flush()
        raise RuntimeError("handler failed after a flush")

    return app


def _codes(session) -> set[str]:
    session.rollback()
    return set(session.scalars(select(Department.code)))


@pytest.mark.parametrize("path", ["/_test/core-write", "/_test/orm-pending", "/_test/raw-write"])
def test_what_a_handler_did_not_commit_is_rolled_back(handlers, client, session, path):
    f.seeded(session)
    session.commit()
    before = _codes(session)

    assert client.get(path).status_code == 200

    assert _codes(session) == before


def test_a_failing_handler_leaves_nothing(handlers, session):
    f.seeded(session)
    session.commit()
    before = _codes(session)
    handlers.config["PROPAGATE_EXCEPTIONS"] = False

    assert handlers.test_client().get("/_test/fails-after-flush").status_code == 500

    assert _codes(session) == before


def test_a_read_only_request_keeps_the_connections_prepared_statements(handlers, client, runtime, is_postgres):
    if not is_postgres:
        pytest.skip("prepared statements are psycopg's (PostgreSQL)")
    # psycopg prepares a statement on its sixth run on a connection; the pool hands its idle connections
    # out in turn, so every one of them serves six requests or more
    for _ in range(6 * (runtime.engine.pool.checkedin() + 2)):
        assert client.get("/_test/read").status_code == 200

    assert max(_prepared_counts(runtime.engine)) > 0, "the request's transaction ended by ROLLBACK"


def _prepared_counts(engine) -> list[int]:
    """For each connection idle in the pool: its prepared statements that count departments."""
    held = [engine.raw_connection() for _ in range(engine.pool.checkedin())]
    try:
        counts = []
        for connection in held:
            cursor = connection.cursor()
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                           ("%count(*)%departments%",))
            counts.append(cursor.fetchone()[0])
            cursor.close()
        return counts
    finally:
        for connection in held:
            connection.close()
