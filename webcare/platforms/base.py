"""The interface every platform adapter implements, and the normalised shapes it speaks.

Adapters know HTTP and the platform's wire format; they know nothing of the database or Flask. Polling
calls `fetch(cursor)` with no transaction open, enqueues the messages, stores `FetchResult.cursor` and
then calls `after_enqueue()`. Delivery calls `send_reply()` with the message's idempotency key; when an
earlier attempt may have reached the platform longer ago than the platform remembers idempotency keys
(`idempotency_window`), it first asks `find_sent_reply()`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Protocol

from webcare.storable import is_storable, storable

KINDS = ("mention", "comment", "dm")
VISIBILITIES = ("public", "private")
# Column sizes of what ingest stores (models.message, models.contact): a longer id cannot be stored.
_ID_LIMITS = {"external_id": 255, "thread_key": 255, "author_id": 128, "author_handle": 255}
_OPTIONAL_LIMITS = {"in_reply_to": 255, "url": 1024, "author_url": 1024, "language": 8}


@dataclass(frozen=True)
class InboundMessage:
    """A citizen's message as every platform looks after normalisation."""

    external_id: str
    thread_key: str
    kind: str  # mention | comment | dm
    visibility: str  # public | private
    text: str
    author_id: str  # stable and unique per platform (e.g. a fediverse address)
    author_handle: str
    author_name: str = ""
    author_url: str | None = None
    in_reply_to: str | None = None
    url: str | None = None
    language: str | None = None
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the ingest queue."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat() if self.created_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundMessage:
        values = dict(data)
        created = values.get("created_at")
        values["created_at"] = datetime.fromisoformat(created) if isinstance(created, str) else created
        return cls(**values)


def checked(message: InboundMessage) -> InboundMessage:
    """The message if ingest can store it: NUL and lone surrogates become U+FFFD, optional fields that cannot
    be stored are dropped, and an unusable id, kind or time raises ValueError (parsers turn that into a
    garbled-answer `TransientError`)."""
    message = storable_message(message)
    for name, limit in _ID_LIMITS.items():
        value = getattr(message, name)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise ValueError(f"{name} must be text of 1 to {limit} characters, not {str(value)[:80]!r}")
    if message.kind not in KINDS or message.visibility not in VISIBILITIES:
        raise ValueError(f"unknown kind or visibility {message.kind!r}/{message.visibility!r}")
    if not isinstance(message.text, str) or not isinstance(message.raw, dict):
        raise ValueError("text must be text and raw an object")
    if message.created_at is not None and (not isinstance(message.created_at, datetime)
                                           or message.created_at.utcoffset() is None):
        raise ValueError(f"created_at must be an aware time, not {message.created_at!r}")
    fixes: dict[str, Any] = {}
    for name, limit in _OPTIONAL_LIMITS.items():
        value = getattr(message, name)
        if value is not None and (not isinstance(value, str) or not value or len(value) > limit):
            fixes[name] = None
    if not isinstance(message.author_name, str):
        fixes["author_name"] = ""
    elif len(message.author_name) > 255:
        fixes["author_name"] = message.author_name[:255]
    return replace(message, **fixes) if fixes else message


def storable_message(message: InboundMessage) -> InboundMessage:
    """The message with NUL and lone surrogates replaced by U+FFFD in every text (see `storable`); the message
    itself when every text can be stored as it is (the usual case: no copy)."""
    if is_storable(_text_fields(message)):
        return message
    fixes = {name: storable(value) for name in _TEXT_FIELDS if not is_storable(value := getattr(message, name))}
    return replace(message, **fixes)


_TEXT_FIELDS = tuple(f.name for f in fields(InboundMessage) if f.name != "created_at")
_text_fields = attrgetter(*_TEXT_FIELDS)


@dataclass
class FetchResult:
    messages: list[InboundMessage]
    cursor: dict[str, Any]
    more: bool = False  # the platform has more right now: poll again soon
    throttle_until: datetime | None = None  # the quota is nearly used up: wait until then
    fetched: int = 0  # items read from the platform, including ones that were not citizens' messages


@dataclass(frozen=True)
class ReplyRequest:
    text: str
    visibility: str  # public | private
    in_reply_to: str | None
    recipient: str | None  # the ticket's citizen as the platform knows them (Mastodon: acct), who may not be
    # the author of the message answered (`context`): someone else may have written the latest in their thread
    idempotency_key: str
    language: str | None = "nl"  # ISO 639-1, the reply text's (services.reply_addressing.reply_language)
    thread_key: str | None = None  # our thread key of the ticket (platform conversation or root post)
    context: dict[str, Any] = field(default_factory=dict)  # raw payload of the message we answer
    written_at: datetime | None = None  # when the agent wrote the reply (stable across attempts)


@dataclass(frozen=True)
class SentReply:
    external_id: str
    url: str | None = None
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountInfo:
    id: str
    handle: str
    display_name: str = ""
    url: str | None = None


class CredentialStore(Protocol):
    """Where an adapter that renews its tokens (X OAuth 2.0 refresh, a Bluesky session) keeps them.

    `renewing()` holds the channel's renewal lock (one renewal per channel at a time, across processes)
    and yields the newest stored credentials, which another process may have renewed meanwhile;
    `save()` stores renewed credentials (encrypted) at once. Implemented in `services.channels`.
    """

    def renewing(self) -> AbstractContextManager[dict[str, Any]]: ...

    def save(self, credentials: dict[str, Any]) -> None: ...


class PlatformAdapter(ABC):
    """One platform account, reachable over HTTP. Raise `webcare.platforms.errors` only.

    Class attributes describe what the platform allows, for the reply composer (`capabilities()`):
    `max_reply_length` in characters, and whether public and private replies are possible at all.
    """

    platform: str = ""
    idempotency_window: timedelta | None = None
    max_reply_length: int = 500
    public_replies: bool = True
    private_replies: bool = True
    private_reply_note: str = ""  # when private replies are limited (e.g. a 24-hour window), in English
    credential_store: CredentialStore | None = None  # set by the channel service; None: renewals are not kept

    @classmethod
    def can_reply_privately(cls, kind: str, context: dict[str, Any]) -> bool:
        """Whether a private reply is possible in this thread (kind: mention | comment | dm).

        `context` (built by `services.reply_addressing.context_for`) is the raw payload of the citizen's latest
        message in the thread (`InboundMessage.raw`, e.g. X's `receives_your_dm`) plus:
        `kind` (the ticket's kind), `visibility` (public | private), `last_inbound_at` (ISO 8601 time,
        UTC, of the citizen's latest message, or None: for windows such as Messenger's 24 hours),
        `author_handle` (that message's author), `message_visibility` (that message's own visibility) and
        `recipient` (the ticket's citizen, as `ReplyRequest.recipient` will be).
        A class method: the composer asks without building an adapter (no credentials, no HTTP)."""
        return cls.private_replies

    @classmethod
    def reply_overhead(cls, context: dict[str, Any]) -> int:
        """Characters `send_reply` adds to the author's text in this thread, which the platform counts
        against `max_reply_length` (Mastodon: the @mentions and the copied content warning), the most of a
        public and a private reply; `context` as for `can_reply_privately`. The composer leaves room for them."""
        return 0

    @abstractmethod
    def verify(self) -> AccountInfo:
        """Check the credentials and return the account they belong to."""

    @abstractmethod
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        """What is new since `cursor` (mentions, comments, DMs), oldest first, and the next cursor."""

    def after_enqueue(self, result: FetchResult) -> None:  # noqa: B027  (optional hook)
        """Housekeeping once `result` is safely enqueued (e.g. accept Mastodon's message requests)."""

    @abstractmethod
    def send_reply(self, request: ReplyRequest) -> SentReply:
        """Post a public or private reply; the idempotency key makes a repeat harmless."""

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        """Our earlier reply to `request.in_reply_to` with this text, if the platform has it."""
        return None

    def replies_wait_until(self) -> datetime | None:
        """Right after `send_reply`: when the platform's answer says that little of the quota is left (less
        than it takes to go on reading, where reading and posting share one), the moment it is renewed; the
        channel's replies wait until then. None: go on."""
        return None
