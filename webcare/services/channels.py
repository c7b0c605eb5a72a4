"""Channels: add, edit, pause and test platform accounts; their credentials and health.

Tokens are encrypted with the runtime's secret box (`session.info["secrets"]`) and never returned.
A platform call never happens inside a transaction: `connection_for()` takes a snapshot (decrypted
credentials included) in one transaction, the caller talks to the platform, and records the outcome
in the next (`run_connection_test()` does exactly that for the "test" button and CLI).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from webcare import platforms
from webcare.db import transaction, utcnow
from webcare.errors import Conflict, NotFound, ValidationFailed
from webcare.models import Channel, Message, User
from webcare.platforms.base import PlatformAdapter
from webcare.platforms.errors import NeedsReauth, PlatformError, RateLimited
from webcare.runtime import RedisNotConfigured
from webcare.services import channel_credentials, notifications

MIN_POLL_SECONDS, MAX_POLL_SECONDS = 5, 86_400
# @name, @name@server (Mastodon), a domain name (Bluesky) or a DID (did:plc:...)
HANDLE_PATTERN = re.compile(r"@?[\w.-]{1,64}(@[A-Za-z0-9.-]{1,190})?|did:[a-z]+:[A-Za-z0-9._:%-]{1,200}", re.ASCII)
Transaction = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class ChannelConnection:
    """What a platform call needs, taken out of the database so no transaction stays open."""

    id: int
    platform: str
    name: str
    base_url: str | None
    credentials: dict[str, Any] = field(repr=False)
    options: dict[str, Any]
    cursor: dict[str, Any]
    store: ChannelCredentialStore | None = field(default=None, repr=False, compare=False)

    def adapter(self) -> PlatformAdapter:
        adapter = platforms.build_adapter(self.platform, base_url=self.base_url, credentials=self.credentials,
                                          options=self.options)
        adapter.credential_store = self.store
        return adapter


class ChannelCredentialStore:
    """Renewed tokens of one channel (X refresh, Bluesky session), kept encrypted (`base.CredentialStore`).

    Its own short transactions, never the caller's: adapters renew during a platform call, when no
    transaction is open. A Redis lock makes renewals of one channel take turns across processes (X
    refresh tokens work once: two processes renewing with the same one would lose the grant).
    """

    LOCK_SECONDS = 60

    def __init__(self, factory: sessionmaker[Session], channel_id: int, broker=None):
        self.factory, self.channel_id, self.broker = factory, channel_id, broker

    @contextmanager
    def renewing(self) -> Iterator[dict[str, Any]]:
        with self._lock():
            with transaction(self.factory) as session:
                channel = get_channel(session, self.channel_id)
                current = session.info["secrets"].decrypt_json(channel.credentials_encrypted)
            yield current

    def save(self, credentials: dict[str, Any]) -> None:
        with transaction(self.factory) as session:
            channel = get_channel(session, self.channel_id, lock=True)
            channel.credentials_encrypted = session.info["secrets"].encrypt_json(credentials)

    def _lock(self) -> AbstractContextManager:
        try:
            redis = self.broker.redis if self.broker is not None else None
        except RedisNotConfigured:
            redis = None
        if redis is None:  # a process without Redis (e.g. `webcare channels test`): renew without a lock
            return nullcontext()
        return redis.lock(f"webcare:credentials-lock:{self.channel_id}", timeout=self.LOCK_SECONDS,
                          blocking_timeout=self.LOCK_SECONDS)


@dataclass(frozen=True)
class ChannelHealth:
    channel: Channel
    messages_24h: int
    state: str  # ok | paused | needs_reauth | rate_limited | error | never_polled


def get_channel(session: Session, channel_id: int, *, lock: bool = False) -> Channel:
    statement = select(Channel).where(Channel.id == channel_id)
    channel = session.scalar(statement.with_for_update() if lock else statement)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    return channel


def create_channel(session: Session, *, platform: str, name: str, token: str, base_url: str | None = None,
                   handle: str = "", poll_interval_seconds: int = 60, extra: dict[str, str] | None = None) -> Channel:
    if platform not in platforms.supported_platforms():
        raise ValidationFailed(f"platform {platform!r} is not supported; use one of: "
                               f"{', '.join(platforms.supported_platforms())}", fields={"platform": platform})
    channel = Channel(platform=platform, name=_valid_name(session, name), handle=_valid_handle(handle),
                      base_url=_valid_base_url(platform, base_url),
                      poll_interval_seconds=_valid_interval(poll_interval_seconds), cursor={}, settings={})
    _store_token(session, channel, token, extra)
    session.add(channel)
    session.flush()
    return channel


def update_channel(session: Session, channel: Channel, *, name: str | None = None, base_url: str | None = None,
                   handle: str | None = None, poll_interval_seconds: int | None = None,
                   token: str | None = None, extra: dict[str, str] | None = None) -> Channel:
    """Change what was given; a new token clears "needs re-authorisation" and the last error."""
    if name is not None and name.strip() != channel.name:
        channel.name = _valid_name(session, name)
    if base_url is not None:
        new_url = _valid_base_url(channel.platform, base_url)
        if new_url != channel.base_url:
            channel.base_url, channel.cursor = new_url, {}  # another server: its ids mean nothing here
    if handle is not None:
        channel.handle = _valid_handle(handle)
    if poll_interval_seconds is not None:
        channel.poll_interval_seconds = _valid_interval(poll_interval_seconds)
    if token:
        _store_token(session, channel, token, extra)
        channel.needs_reauth, channel.last_error, channel.last_error_kind, channel.last_error_at = False, None, None, None
    channel.updated_at = utcnow()
    session.flush()
    return channel


def set_enabled(session: Session, channel: Channel, enabled: bool) -> Channel:
    channel.enabled = enabled
    channel.updated_at = utcnow()
    return channel


DEFAULT_REPLY_LIMIT = 2000  # characters, for a platform without an adapter


def reply_limit(channel: Channel) -> int:
    """The longest reply the channel's platform takes (its adapter's `max_reply_length`); the channel's
    `settings.max_chars` overrides it (e.g. a Mastodon server with its own limit)."""
    override = (channel.settings or {}).get("max_chars")
    if override:
        return int(override)
    try:
        return platforms.capabilities(channel.platform).max_reply_length
    except LookupError:
        return DEFAULT_REPLY_LIMIT


def ensure_pollable(channel: Channel) -> Channel:
    if channel.platform not in platforms.supported_platforms():
        raise ValidationFailed(f"channel {channel.name}: Webcare cannot talk to {channel.platform} yet")
    return channel


def connection_for(session: Session, channel: Channel) -> ChannelConnection:
    ensure_pollable(channel)
    if not channel.credentials_encrypted:
        raise ValidationFailed(f"channel {channel.name} has no stored credentials")
    secrets = session.info["secrets"]
    settings = session.info["settings"]
    return ChannelConnection(id=channel.id, platform=channel.platform, name=channel.name, base_url=channel.base_url,
                             credentials=secrets.decrypt_json(channel.credentials_encrypted),
                             options=adapter_options(settings, channel), cursor=dict(channel.cursor or {}),
                             store=_credential_store(session, channel.id))


def _credential_store(session: Session, channel_id: int) -> ChannelCredentialStore:
    info = {key: session.info[key] for key in ("broker", "settings", "secrets") if key in session.info}
    factory = sessionmaker(bind=session.get_bind(), expire_on_commit=False, autoflush=True, info=info)
    return ChannelCredentialStore(factory, channel_id, info.get("broker"))


def adapter_options(settings, channel: Channel) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if channel.platform == "mastodon":
        options["dm_requests"] = settings.mastodon_dm_requests
    options.update((channel.settings or {}).get("adapter", {}))
    return options


def run_connection_test(transaction: Transaction, channel_id: int) -> dict[str, Any]:
    """Check the credentials on the platform and record the answer; returns what happened."""
    with transaction() as session:
        connection = connection_for(session, get_channel(session, channel_id))
    try:
        account = connection.adapter().verify()
    except PlatformError as exc:
        with transaction() as session:
            record_platform_error(session, get_channel(session, channel_id, lock=True), exc)
        return {"ok": False, "channel_id": channel_id, "error": str(exc), "kind": type(exc).__name__}
    with transaction() as session:
        channel = get_channel(session, channel_id, lock=True)
        channel.handle = channel.handle or account.handle
        channel.needs_reauth, channel.last_error, channel.last_error_kind, channel.last_error_at = False, None, None, None
    return {"ok": True, "channel_id": channel_id, "account": {"id": account.id, "handle": account.handle,
                                                               "display_name": account.display_name}}


def record_platform_error(session: Session, channel: Channel, error: PlatformError,
                          now: datetime | None = None) -> None:
    """Put a platform's refusal on the channel; a lost authorisation is announced to administrators."""
    now = now or utcnow()
    channel.last_error, channel.last_error_kind, channel.last_error_at = str(error)[:2000], error.kind, now
    if isinstance(error, RateLimited):
        channel.rate_limited_until = max(error.reset_at, channel.rate_limited_until or error.reset_at)
    if isinstance(error, NeedsReauth) and not channel.needs_reauth:
        channel.needs_reauth = True
        admins = session.scalars(select(User).where(User.role == "admin", User.active.is_(True)))
        notifications.notify(session, admins, "channel_reauth",
                             f"Kanaal {channel.name} moet opnieuw worden gekoppeld: {error}")


def health(session: Session, now: datetime | None = None) -> list[ChannelHealth]:
    """Every channel with its state and the citizens' messages of the last 24 hours."""
    return health_of(session, list(session.scalars(select(Channel).order_by(Channel.name))), now)


def health_of(session: Session, channels: list[Channel], now: datetime | None = None) -> list[ChannelHealth]:
    """These channels, in this order, with their state and the citizens' messages of the last 24 hours
    (one query)."""
    now = now or utcnow()
    counts = dict(session.execute(
        select(Message.channel_id, func.count()).where(Message.direction == "in",
                                                       Message.received_at >= now - timedelta(hours=24),
                                                       Message.channel_id.in_([c.id for c in channels]))
        .group_by(Message.channel_id)).all()) if channels else {}
    return [ChannelHealth(c, counts.get(c.id, 0), _state(c, now)) for c in channels]


def _state(channel: Channel, now: datetime) -> str:
    if not channel.enabled:
        return "paused"
    if channel.needs_reauth:
        return "needs_reauth"
    if channel.rate_limited_until and channel.rate_limited_until > now:
        return "rate_limited"
    if channel.last_error_at and (not channel.last_success_at or channel.last_error_at > channel.last_success_at):
        return "error"
    return "ok" if channel.last_polled_at else "never_polled"


def _store_token(session: Session, channel: Channel, token: str, extra: dict[str, str] | None = None) -> None:
    secrets = session.info["secrets"]
    previous = secrets.decrypt_json(channel.credentials_encrypted) if channel.credentials_encrypted else {}
    credentials = channel_credentials.build(channel.platform, token, extra, handle=channel.handle, previous=previous)
    channel.credentials_encrypted = secrets.encrypt_json(credentials)


def _valid_name(session: Session, name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed("a channel needs a name of at most 120 characters", fields={"name": name})
    if session.scalar(select(Channel.id).where(Channel.name == name)) is not None:
        raise Conflict(f"a channel named {name!r} already exists", code="duplicate_name")
    return name


def _valid_handle(handle: str | None) -> str:
    """An account name as the platforms write it: @name, @name@server (Mastodon), a domain (Bluesky) or a DID."""
    handle = (handle or "").strip()
    if handle and (len(handle) > 255 or not HANDLE_PATTERN.fullmatch(handle)):
        raise ValidationFailed("the account handle is a name such as @gemeente or @gemeente@social.example.nl "
                               "(letters, digits, _ . -)", fields={"handle": handle[:255]}, code="channel_handle")
    return handle


def _valid_base_url(platform: str, base_url: str | None) -> str | None:
    url = (base_url or "").strip().rstrip("/")
    if not url:
        if platform == "mastodon":
            raise ValidationFailed("a Mastodon channel needs the server's address, e.g. https://social.example.nl",
                                   fields={"base_url": "required"}, code="channel_url_required")
        return None
    try:
        parts = urlparse(url)
        valid = (parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 1024
                 and (parts.port is None or parts.port > 0) and url.isprintable() and " " not in url)
    except ValueError:  # an unclosed IPv6 address ("http://[::1"), a port beyond 65535
        valid = False
    if not valid:
        raise ValidationFailed("the server address must be an http(s) URL", fields={"base_url": url},
                               code="channel_url")
    if parts.username is not None or parts.password is not None:  # it would be shown on pages and in the CLI
        raise ValidationFailed("the server address must not hold a user name or password; the token is the "
                               "credential", fields={"base_url": "credentials"}, code="channel_url_credentials")
    return url


def _valid_interval(seconds: int) -> int:
    if not MIN_POLL_SECONDS <= int(seconds) <= MAX_POLL_SECONDS:
        raise ValidationFailed(f"the poll interval must be between {MIN_POLL_SECONDS} and {MAX_POLL_SECONDS} seconds",
                               fields={"poll_interval_seconds": seconds})
    return int(seconds)
