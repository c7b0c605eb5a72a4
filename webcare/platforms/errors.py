"""One error taxonomy for every platform: what went wrong decides what the caller does next.

| error | meaning | what polling / delivery does |
| --- | --- | --- |
| `TransientError` | 5xx, timeout, connection trouble, garbled answer | rq `Retry` with back-off |
| `RateLimited(reset_at)` | 429 or an exhausted quota | the channel waits until `reset_at` (visible) |
| `NeedsReauth` | 401/403: token revoked, expired or missing a scope | channel marked "needs re-authorisation" |
| `PermanentError` | any other refusal (404, 422, ...) | recorded with the platform's message; no retry |

A payload that does not have the shape a parser expects (a missing key, a number where an object should
be, an unreadable date) is a garbled answer: `garbled_answer()` turns the parser's KeyError, TypeError,
ValueError, ... into a `TransientError`, so no parser raises anything outside the taxonomy.

`parse_reset()` reads a reset time in every shape platforms use: ISO 8601 (Mastodon), epoch seconds
(X, mastodon-mock, GoToSocial), a number of seconds from now, or an HTTP date.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ContextDecorator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=5)
# Numbers below this are "seconds from now" (Retry-After, IETF RateLimit-Reset); above it, epoch seconds.
_EPOCH_THRESHOLD = 10**8


class PlatformError(Exception):
    """A platform call failed; `message` is the platform's own words where it gave any; `kind` names the
    class for what is stored and shown (`Channel.last_error_kind`)."""

    kind = "permanent"

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class TransientError(PlatformError):
    """Worth trying again soon: server trouble, timeouts, dropped connections."""

    kind = "transient"


class RateLimited(PlatformError):
    """The platform asks us to wait until `reset_at` (aware, UTC)."""

    kind = "rate_limited"

    def __init__(self, message: str, *, reset_at: datetime, status: int | None = 429):
        super().__init__(message, status=status)
        self.reset_at = reset_at


class NeedsReauth(PlatformError):
    """The credentials no longer work; an administrator must enter a new token."""

    kind = "needs_reauth"


class PermanentError(PlatformError):
    """The platform refused the request; trying the same again will not help."""


# What reading a payload of the wrong shape raises (UnicodeError and JSONDecodeError are ValueErrors).
GARBLED = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError)


class garbled_answer(ContextDecorator):  # noqa: N801  (used as a decorator and a `with` block)
    """Turn an error of reading a payload of the wrong shape into a `TransientError` naming `what`."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self) -> garbled_answer:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and issubclass(exc_type, GARBLED) and not issubclass(exc_type, PlatformError):
            raise TransientError(f"garbled {self.what}: {exc_type.__name__}: {str(exc)[:200]}") from exc
        return False


def parse_reset(value: str | None, now: datetime | None = None) -> datetime | None:
    """A rate-limit reset header as an aware UTC datetime, or None when absent or unreadable."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    now = now or datetime.now(UTC)
    try:
        number = float(text)
    except ValueError:
        return _parse_date(text)
    if number >= _EPOCH_THRESHOLD:
        return datetime.fromtimestamp(number, UTC)
    return now + timedelta(seconds=max(number, 0))


def _parse_date(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def reset_from_headers(headers: Mapping[str, str], now: datetime | None = None) -> datetime:
    """When a 429 ends: X-RateLimit-Reset, else RateLimit-Reset, else Retry-After, else five minutes."""
    now = now or datetime.now(UTC)
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in ("x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset", "retry-after"):
        reset = parse_reset(lowered.get(name), now)
        if reset is not None:
            return max(reset, now)
    return now + DEFAULT_RATE_LIMIT_WAIT


def error_for_status(status: int, message: str, headers: Mapping[str, str] | None = None,
                     now: datetime | None = None) -> PlatformError:
    """Map an HTTP error answer to the taxonomy."""
    headers = headers or {}
    if status == 429:
        return RateLimited(message or "rate limited", reset_at=reset_from_headers(headers, now), status=status)
    if status in (401, 403):
        return NeedsReauth(message or "the platform refused the credentials", status=status)
    if status >= 500 or status in (408, 425):
        return TransientError(message or "the platform is unavailable", status=status)
    return PermanentError(message or "the platform refused the request", status=status)
