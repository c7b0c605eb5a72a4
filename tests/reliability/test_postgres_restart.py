"""PostgreSQL restarted (an immediate shutdown: no checkpoint, WAL replay at start) in the middle of ingest.

Runs the whole stack on a private cluster (servers.PrivatePostgres), never on the machine's shared server.
Skipped, with the reason, where no private cluster can be made (no PostgreSQL binaries; root without a
postgres user).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from tests.reliability.conftest import make_harness
from tests.reliability.servers import PrivatePostgres, postgres_unavailable
from tests.reliability.stack import wait_for
from tests.reliability.test_faults import assert_invariants, settle
from webcare import migrate
from webcare.models import Message


@pytest.fixture
def private_postgres():
    reason = postgres_unavailable()
    if reason:
        pytest.skip(f"PostgreSQL restart scenario skipped: {reason}")
    server = PrivatePostgres().init()
    server.start()
    migrate.upgrade(server.url)
    yield server
    server.destroy()


def test_postgres_restarted_during_ingest(settings, private_redis, mastodon, private_postgres, tmp_path):  # noqa: F811
    harness = make_harness(settings, private_postgres.url, private_redis, mastodon, tmp_path / "logs")
    try:
        harness.prepare()
        with harness.runtime.engine.connect() as connection:  # the server acknowledges commits early ...
            setting = connection.execute(text(
                "SELECT setting, reset_val FROM pg_settings WHERE name = 'synchronous_commit'")).one()
        assert tuple(setting) == ("on", "off")  # ... but not Webcare's (webcare.db._postgres_session_settings)
        harness.post(10)
        feeder = threading.Thread(target=harness.post, args=(40, "pg-"), daemon=True)
        feeder.start()  # citizens keep posting through the outage

        def stored() -> int:
            with harness.runtime.transaction() as session:
                return session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))
        wait_for(lambda: stored() >= 5, 60, "ingest under way", stack=harness.stack)
        private_postgres.stop("immediate")
        time.sleep(3.0)
        private_postgres.start()
        restarted = time.monotonic()
        harness.runtime.engine.dispose()  # the test's own pool holds connections to the old server
        feeder.join(timeout=60)
        settle(harness, restarted, "PostgreSQL restarted (immediate shutdown, 3 s down) during ingest")
        harness.stack.assert_alive()
        assert_invariants(harness)
    finally:
        if harness.stack is not None:
            harness.stack.stop()
        harness.runtime.dispose()
