"""The `webcare` command line. Commands print JSON where they return data, exit 0 on success and
2 on bad input with a message on stderr (see API.md); a database or Redis that cannot be reached, or a
database without the migrations applied, is one line on stderr and exit 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from functools import wraps
from typing import Any

import click
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from webcare import migrate
from webcare.config import ConfigError, Settings, load_settings
from webcare.errors import DomainError
from webcare.runtime import Runtime, build_runtime

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class Context:
    """Lazily built settings and runtime, shared by the commands of one invocation."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._runtime: Runtime | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = build_runtime(self.settings)
        return self._runtime

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.runtime.transaction() as session:
            yield session

    def unreachable_database(self) -> str | None:
        """Why the database cannot be reached (one line), or None when a connection can be made."""
        try:
            with self.runtime.engine.connect():
                return None
        except DBAPIError as exc:
            return " ".join(str(exc.orig or exc).split())

    def database_shown(self) -> str:
        """The database URL without its password."""
        return make_url(self.settings.database_url).render_as_string(hide_password=True)

    def unmigrated_database(self) -> bool:
        """Whether the database lacks migrations (False when that cannot be told)."""
        try:
            return not migrate.is_current(self.runtime.engine)
        except Exception:  # noqa: BLE001 - only a hint for the message; the original error is raised
            return False

    def redis_shown(self) -> str:
        """The Redis URL without its password (the embedded server when none is configured)."""
        url = self.settings.redis_url
        return make_url(url).render_as_string(hide_password=True) if url else "the embedded Redis server"


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_value))


def _json_value(value: Any) -> str:
    """Times as ISO 8601 (`2026-12-07T00:57:34+00:00`, as the HTTP API writes them); anything else as text."""
    return value.isoformat() if isinstance(value, date | datetime | time) else str(value)


def handles_errors(command: Callable) -> Callable:
    """Turn configuration and domain errors into a message on stderr and exit code 2; a database or Redis
    that cannot be reached, or a database without the migrations, into one line on stderr and exit code 1
    (not bad input; no traceback)."""

    @wraps(command)
    def wrapped(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            fail(f"invalid configuration: {exc}")
        except DomainError as exc:
            fail(exc.message)
        except (OperationalError, InterfaceError, ProgrammingError):
            _fail_when_unreachable()
            raise
        except (RedisConnectionError, RedisTimeoutError) as exc:
            ctx = click.get_current_context().find_object(Context)
            where = ctx.redis_shown() if ctx is not None else "Redis"
            fail(f"cannot reach Redis at {where}: {' '.join(str(exc).split())}", code=EXIT_FAILURE)

    return wrapped


def _fail_when_unreachable() -> None:
    """After a database error: when no connection can be made, or the schema lacks migrations, say so and exit
    1 (else the caller re-raises: a lock timeout or a deadlock is no reason to blame the network)."""
    ctx = click.get_current_context().find_object(Context)
    if ctx is None:
        return
    reason = ctx.unreachable_database()
    if reason is not None:
        fail(f"cannot reach the database at {ctx.database_shown()}: {reason}", code=EXIT_FAILURE)
    if ctx.unmigrated_database():
        fail(f"the database at {ctx.database_shown()} does not have the current schema: run `webcare init-db`",
             code=EXIT_FAILURE)


@click.group(help="Webcare: the municipality's social-media backoffice.")
@click.version_option(package_name="webcare")
@click.pass_context
def main(ctx: click.Context) -> None:
    ctx.ensure_object(Context)


def _register() -> None:
    from webcare.cli import (  # noqa: F401  (commands attach to `main`)
        channels,
        core,
        demo_feed,
        history_import,
        keys,
        metrics,
        privacy,
        processes,
        routing,
        sla,
    )


_register()
