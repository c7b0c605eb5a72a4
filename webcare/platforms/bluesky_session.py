"""The Bluesky session of one channel (atproto `Client`), reused across processes, and atproto's errors
in our taxonomy.

`com.atproto.server.createSession` is tightly limited (30 per 5 minutes, 300 per day per account), so a
session is created once and kept, encrypted, with the channel's credentials (`session`, atproto's
session string). Before the access token expires (20 minutes ahead, before atproto's own 15-minute
refresh) it is renewed with `refreshSession` while holding the channel's renewal lock; the newest
stored session is re-read first (another process may have renewed it). A refresh that fails falls
back to `createSession` with the app password; a refused app password means "needs re-authorisation".
Chat calls go through `with_bsky_chat_proxy()` (header `atproto-proxy: did:web:api.bsky.chat#bsky_chat`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from atproto import Client, Session, SessionEvent
from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from atproto_server.auth.jwt import get_jwt_payload
from atproto_server.exceptions import TokenDecodeError

from webcare.platforms.base import CredentialStore
from webcare.platforms.errors import (
    NeedsReauth,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    error_for_status,
    reset_from_headers,
)

DEFAULT_BASE_URL = "https://bsky.social"
RENEW_MARGIN = 20 * 60  # seconds
_TOKEN_ERRORS = ("ExpiredToken", "InvalidToken")
T = TypeVar("T")


class BlueskySession:
    def __init__(self, base_url: str, credentials: dict[str, Any], timeout: float):
        if not (credentials or {}).get("identifier") or not credentials.get("app_password"):
            raise NeedsReauth("no Bluesky handle and app password stored for this channel")
        self.credentials = dict(credentials)
        self.store: CredentialStore | None = None
        self.last_headers: dict[str, str] = {}
        request = Request(timeout=timeout, event_hooks={"response": [self._remember]})
        self.client = Client(base_url=base_url or DEFAULT_BASE_URL, request=request)
        self.client.on_session_change(self._changed_by_atproto)
        self._chat: Client | None = None
        self._ready = False

    @property
    def did(self) -> str:
        return self._session().did

    @property
    def handle(self) -> str:
        return self._session().handle

    @property
    def chat(self) -> Client:
        """The same session, with every call proxied to the chat service (made after login: same PDS)."""
        self._ensure()
        if self._chat is None:
            self._chat = self.client.with_bsky_chat_proxy()
        return self._chat

    def call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call an atproto method with a live session; renew once if the token was refused."""
        self._ensure()
        try:
            return _translated(method, *args, **kwargs)
        except _SessionRefused:
            self._renew()
            try:
                return _translated(method, *args, **kwargs)
            except _SessionRefused as exc:
                raise NeedsReauth(f"Bluesky refused the session: {exc}") from exc

    # -- the session ------------------------------------------------------------------------------
    def _session(self) -> Session:
        self._ensure()
        return Session.decode(self.credentials["session"])

    def _ensure(self) -> None:
        if self._ready and not _expiring(self.credentials.get("session")):
            return
        if self.credentials.get("session") and not _expiring(self.credentials["session"]):
            self._import(self.credentials["session"])
        else:
            self._renew()

    def _renew(self) -> None:
        """Refresh (or else create) the session under the renewal lock, and store it."""
        if self.store is None:  # nowhere to keep it: a session for this adapter only
            self._store_session(self._new_session(self.credentials), save=False)
            return
        with self.store.renewing() as latest:
            stored = latest.get("session")
            if stored and stored != self.credentials.get("session") and not _expiring(stored):
                self.credentials = dict(latest)  # another process renewed it a moment ago
                self._import(stored)
                return
            self.credentials = {**latest, "session": self._new_session(latest)}
            self.store.save(self.credentials)
        self._ready = True

    def _new_session(self, latest: dict[str, Any]) -> str:
        stored = latest.get("session")
        if stored and not _expired(Session.decode(stored).refresh_jwt):
            try:
                return self._refreshed(stored)
            except _SessionRefused:
                pass  # revoked or used up: log in again below
        try:
            _translated(self.client.login, latest["identifier"], latest["app_password"], fetch_bsky_profile=False)
        except _SessionRefused as exc:
            raise NeedsReauth(f"Bluesky refused the handle or app password: {exc}") from exc
        return self.client.export_session_string()

    def _refreshed(self, stored: str) -> str:
        old = Session.decode(stored)
        self.client.update_base_url(old.pds_endpoint)
        answer = _translated(self.client.com.atproto.server.refresh_session,
                             headers={"Authorization": f"Bearer {old.refresh_jwt}"}, ignore_session_check=True)
        new = Session(answer.handle, answer.did, answer.access_jwt, answer.refresh_jwt, old.pds_endpoint)
        self._import(new.export())
        return new.export()

    def _import(self, session_string: str) -> None:
        self.client.login(session_string=session_string, fetch_bsky_profile=False)
        self.credentials["session"] = session_string
        self._ready, self._chat = True, None

    def _store_session(self, session_string: str, *, save: bool) -> None:
        self.credentials["session"] = session_string
        self._ready = True
        if save and self.store is not None:
            self.store.save(self.credentials)

    def _changed_by_atproto(self, event: SessionEvent, session: Session) -> None:
        """atproto refreshed on its own (a call close to expiry): keep what it got."""
        if event == SessionEvent.REFRESH and session.export() != self.credentials.get("session"):
            self._store_session(session.export(), save=True)

    def _remember(self, response) -> None:
        self.last_headers = {k.lower(): v for k, v in response.headers.items()}


class _SessionRefused(PlatformError):
    """The access or refresh token was refused (expired, revoked) or the login failed."""


def _expiring(session_string: str | None) -> bool:
    if not session_string:
        return True
    return _expired(Session.decode(session_string).access_jwt, margin=RENEW_MARGIN)


def _expired(jwt: str, margin: int = 0) -> bool:
    try:
        exp = get_jwt_payload(jwt).exp
    except TokenDecodeError:
        return True
    return not exp or exp - time.time() < margin


def _translated(method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call atproto and raise only our taxonomy (and `_SessionRefused` for token trouble)."""
    try:
        return method(*args, **kwargs)
    except RateLimitExceededError as exc:
        raise RateLimited(f"rate limited by Bluesky: {exc}", reset_at=reset_from_headers(_headers(exc))) from exc
    except (UnauthorizedError, BadRequestError) as exc:
        raise _refusal(exc) from exc
    except NetworkError as exc:
        raise TransientError(f"could not reach Bluesky: {exc}", status=_status(exc)) from exc
    except RequestErrorBase as exc:
        status = _status(exc) or 500
        raise error_for_status(status, f"Bluesky: {_error_text(exc)}", _headers(exc)) from exc
    except LoginRequiredError as exc:
        raise _SessionRefused(str(exc)) from exc
    except ModelError as exc:
        raise TransientError(f"Bluesky sent an answer that cannot be read: {exc}") from exc


def _refusal(exc: RequestErrorBase) -> PlatformError:
    error = _error_name(exc)
    if isinstance(exc, UnauthorizedError) or error in _TOKEN_ERRORS or error == "AuthenticationRequired":
        return _SessionRefused(_error_text(exc), status=_status(exc))
    return PermanentError(f"Bluesky: {_error_text(exc)}", status=_status(exc))


def _error_name(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    return str(getattr(content, "error", "") or "")


def _error_text(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    if content is not None and getattr(content, "error", None):
        return f"{content.error}: {content.message}" if getattr(content, "message", None) else str(content.error)
    return str(exc)


def _status(exc: RequestErrorBase) -> int | None:
    return exc.response.status_code if exc.response is not None else None


def _headers(exc: RequestErrorBase) -> dict[str, str]:
    return dict(exc.response.headers) if exc.response is not None else {}
