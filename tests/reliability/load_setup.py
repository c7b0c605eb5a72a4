"""Setting up the load scenario (test_load.py and bench/inbox_under_ingest.py): stack, users, sessions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from bench.inbox_under_ingest import login
from tests import factories as f
from tests.fakes.mastodon import Fediverse, server_config
from tests.reliability import checks
from tests.reliability.conftest import Harness, make_harness
from tests.reliability.servers import PrivateRedis
from webcare import migrate
from webcare.config import load_settings
from webcare.db import make_engine
from webcare.models import Channel, Message, Ticket
from webcare.services.users import create_api_token

UNTHROTTLED = {"WEBCARE_API_RATE_LIMIT_PER_MINUTE": "0", "WEBCARE_API_RATE_LIMIT_PER_IP_PER_MINUTE": "0"}


@dataclass
class LoadContext:
    harness: Harness
    channel_id: int
    sessions: list[requests.Session]

    @property
    def base_url(self) -> str:
        return self.harness.stack.base_url

    @property
    def runtime(self):
        return self.harness.runtime

    def wait_drained(self, expected: int, timeout: float) -> float:
        """Seconds until every enqueued message is stored and every job is done."""
        began = time.monotonic()
        deadline = began + timeout
        while not checks.drained(self.runtime, expected):
            self.harness.stack.assert_alive()
            if time.monotonic() > deadline:
                raise AssertionError(f"not drained after {timeout} s: {checks.queue_state(self.runtime.redis)}")
            time.sleep(0.5)
        return time.monotonic() - began

    def problems(self, expected: int) -> dict:
        with self.runtime.transaction() as session:
            inbound = session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))
            in_tickets = session.scalar(select(func.count(func.distinct(Message.external_id))).where(
                Message.direction == "in", Message.ticket_id.is_not(None)))
            tickets = session.scalar(select(func.count()).select_from(Ticket))
        state = checks.queue_state(self.runtime.redis)
        found = {"lost": expected - in_tickets, "stored_twice": inbound - in_tickets,
                 "tickets_not_one_per_message": tickets - expected, "dead_letters": state["failed"]}
        return {name: n for name, n in found.items() if n}


def prepare_load(harness: Harness, clients: int) -> LoadContext:
    # 32 clients from one address as one user: the API throttle (tested in tests/web) would answer most of
    # them 429 and the run would measure the throttle, not the inbox under ingest
    stack = harness.prepare(web_workers=2, web_threads=16, extra_env=UNTHROTTLED)
    with harness.runtime.transaction() as session:
        f.user(session, "admin", email="load-admin@voorbeeldstad.nl")
        f.user(session, "agent", email="load-agent@voorbeeldstad.nl")
        _, token = create_api_token(session, "load-agent@voorbeeldstad.nl", "load")
        channel_id = session.scalar(select(func.min(Channel.id)))
    sessions = []
    for n in range(clients):
        if n % 2 == 0:
            sessions.append(login(stack.base_url, "load-admin@voorbeeldstad.nl", f.PASSWORD))
        else:
            api = requests.Session()
            api.headers["Authorization"] = f"Bearer {token}"
            sessions.append(api)
    return LoadContext(harness, channel_id, sessions)


@contextmanager
def load_stack(database_url: str, tmp: Path, clients: int, wipe: bool) -> Iterator[LoadContext]:
    """For the bench script: a wiped, migrated database, a private Redis, the fake Mastodon, the stack."""
    from mastodon_mock.testing import MockServer

    if wipe and database_url.startswith("postgresql"):
        engine = make_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(database_url)
    settings = load_settings(environ={}, config_path=None, overrides={
        "env": "test", "database_url": database_url, "secret_key": "load-secret-key-0123456789",
        "encryption_keys": [Fernet.generate_key().decode()], "instance_path": str(tmp / "instance"),
        "demo_feed": False, "two_factor_required_roles": []})
    redis_server = PrivateRedis(tmp / "redis")
    redis_server.start()
    with MockServer(config=server_config(tmp / "mastodon-media")) as server:
        harness = make_harness(settings, database_url, redis_server, Fediverse(server), tmp / "logs")
        try:
            yield prepare_load(harness, clients)
        finally:
            if harness.stack is not None:
                harness.stack.stop()
            harness.runtime.dispose()
            redis_server.stop()
