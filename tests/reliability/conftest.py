"""Fixtures of the fault harness: a private Redis, the platform fake, a channel, and the process stack."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from tests import factories as f
from tests.fakes.mastodon import CITIZENS, Fediverse, mastodon  # noqa: F401  (fixture)
from tests.reliability.servers import PrivateRedis
from tests.reliability.stack import Stack
from webcare.models import Channel
from webcare.runtime import Runtime, build_runtime
from webcare.services import polling


@dataclass
class Harness:
    runtime: Runtime  # the test's own view: the stack's database and the private Redis
    redis_server: PrivateRedis
    fediverse: Fediverse
    log_dir: Path
    texts: list[str] = field(default_factory=list)
    stack: Stack | None = None
    _n: itertools.count = field(default_factory=itertools.count)

    @property
    def is_postgres(self) -> bool:
        return self.runtime.engine.dialect.name == "postgresql"

    def prepare(self, **stack_options) -> Stack:
        """Seed the defaults, add the Mastodon channel (polled every second), start the processes."""
        with self.runtime.transaction() as session:
            f.seeded(session)
        with self.runtime.transaction() as session:
            channel = self.fediverse.channel(session)
            channel = session.get(Channel, channel.id)
            channel.poll_interval_seconds = 1
            channel.settings = {"adapter": {"timeout": 2.0}}
        self.stack = Stack(self.runtime.settings, self.redis_server.url, self.log_dir, **stack_options).start()
        return self.stack

    def pause_workers_between_polls(self, timeout: float = 30.0) -> None:
        """Stop the workers at a moment when no poll is in flight (no channel's poll lock held).

        A poll stopped after its platform call would, once resumed, enqueue only what it fetched before and
        then hold its channel's lock while it waits for the database, so no later post would be fetched."""
        deadline = time.monotonic() + timeout
        while True:
            self.stack.pause_workers()
            if not list(self.runtime.redis.scan_iter(polling.LOCK_KEY_PREFIX + "*")):
                return
            self.stack.resume_workers()
            if time.monotonic() > deadline:
                raise AssertionError(f"a poll was in flight for {timeout} s; logs: {self.log_dir}")
            time.sleep(0.05)

    def post(self, count: int, label: str = "") -> list[str]:
        """Citizens post `count` public mentions, each with a unique text; returns the texts."""
        texts = []
        for _ in range(count):
            n = next(self._n)
            name = CITIZENS[n % len(CITIZENS)]
            text = f"Melding {label}{n}: de lantaarnpaal bij huisnummer {n} is kapot."
            self.fediverse.post(name, text)
            texts.append(text)
        self.texts += texts
        return texts

    @contextmanager
    def writes_held(self, postgres_sql: str = "LOCK TABLE tickets IN EXCLUSIVE MODE") -> Iterator[None]:
        """Keep the workers' writes waiting: a PostgreSQL lock, or SQLite's single write lock."""
        if self.is_postgres:
            with self.runtime.engine.connect() as connection:
                transaction = connection.begin()
                connection.execute(text(postgres_sql))
                yield
                transaction.rollback()
        else:
            raw = self.runtime.engine.raw_connection()
            try:
                raw.driver_connection.execute("BEGIN IMMEDIATE")
                yield
                raw.driver_connection.execute("ROLLBACK")
            finally:
                raw.close()


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def make_harness(settings, database_url: str, redis_server: PrivateRedis, fediverse, log_dir: Path) -> Harness:
    runtime = build_runtime(settings.replace(database_url=database_url, redis_url=redis_server.url))
    return Harness(runtime, redis_server, fediverse, log_dir)


@pytest.fixture
def harness(runtime, settings, private_redis, mastodon, tmp_path) -> Iterator[Harness]:  # noqa: F811
    """The stack on the test database (emptied by `runtime`) and a private Redis; stopped afterwards."""
    made = make_harness(settings, settings.database_url, private_redis, mastodon, tmp_path / "logs")
    yield made
    if made.stack is not None:
        made.stack.stop()
    made.runtime.dispose()
