"""The process-wide runtime: settings, database engine and sessions, Redis, broker and secret box.

Built once at start-up by `create_app()`, the worker entry point or a CLI command, never at import.
Every session made by `runtime.session_factory` carries the broker, settings and secret box in
`session.info`, so services can defer jobs and events to after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from redis import Redis
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from webcare import write_stamp
from webcare.config import Settings
from webcare.crypto import SecretBox
from webcare.db import make_engine, transaction
from webcare.page_cache import PageCache
from webcare.queue import Broker, redis_from_url


class RedisNotConfigured(RuntimeError):
    pass


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    redis_override: Redis | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        write_stamp.track_writes(self.engine, self.redis_or_none)

    @cached_property
    def secrets(self) -> SecretBox:
        return SecretBox(self.settings.encryption_keys)

    @cached_property
    def redis(self) -> Redis:
        if self.redis_override is not None:
            return self.redis_override
        if not self.settings.redis_url:
            raise RedisNotConfigured(
                "redis_url is empty: start everything with `webcare run` (embedded server) or set WEBCARE_REDIS_URL"
            )
        return redis_from_url(self.settings.redis_url)

    def redis_or_none(self) -> Redis | None:
        try:
            return self.redis
        except RedisNotConfigured:
            return None

    @cached_property
    def list_pages(self) -> PageCache:
        """Ticket list pages kept for a moment (`list_cache_seconds`), per process."""
        return PageCache(self.settings.list_cache_seconds)

    @cached_property
    def broker(self) -> Broker:
        return _LazyBroker(self)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        factory = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        factory.configure(info={"broker": self.broker, "settings": self.settings, "secrets": self.secrets})
        return factory

    def transaction(self):
        """`with runtime.transaction() as session:` one session, one transaction."""
        return transaction(self.session_factory)

    def dispose(self) -> None:
        self.engine.dispose()
        if "redis" in self.__dict__ and self.redis_override is None:
            self.redis.close()


class _LazyBroker(Broker):
    """A broker that connects to Redis on first use, so a process without Redis can still start."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    @property
    def redis(self) -> Redis:  # type: ignore[override]
        return self._runtime.redis


def build_runtime(settings: Settings, redis: Redis | None = None) -> Runtime:
    return Runtime(settings=settings, engine=make_engine(settings.database_url), redis_override=redis)
