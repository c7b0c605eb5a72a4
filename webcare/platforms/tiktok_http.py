"""HTTP for TikTok's API for Business (Business Account API, v1.3): the token, its renewal, the error envelope.

Every answer is an envelope `{"code": 0, "message": "OK", "request_id": "...", "data": {...}}`, mostly
with HTTP 200 even when `code` says it failed, so the code decides (docs/PLATFORMS.md):

| code | meaning | our error |
| --- | --- | --- |
| 40100 | requests made too frequently (QPS / daily limit) | `RateLimited` (one minute, or `Retry-After`) |
| 40001, 40102, 40104, 40105, 40106 | no permission / token expired, empty, invalid or revoked | `NeedsReauth` |
| 50000 and up | TikTok's internal errors | `TransientError` |
| anything else (40002 bad parameter, 40010 comment not found, ...) | a refusal | `PermanentError` |

Tokens: `Access-Token: <token>` (no "Bearer"). A Business Account token lives 24 hours; with the
refresh token (a year) and the app's id and secret it is renewed through
`POST /tt_user/oauth2/refresh_token/`, shortly before it expires or once after TikTok called it
invalid (TikTok may return a new refresh token: it is stored at once).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from webcare.platforms.errors import (
    NeedsReauth,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    error_for_status,
    parse_reset,
)
from webcare.platforms.token_renewal import TokenRenewal, expires_at

DEFAULT_BASE_URL = "https://business-api.tiktok.com/open_api/v1.3"
RATE_LIMITED = frozenset({40100})
AUTH_CODES = frozenset({40001, 40102, 40104, 40105, 40106})
TOKEN_INVALID = frozenset({40102, 40105})  # worth one renewal
RATE_LIMIT_WAIT = timedelta(minutes=1)


class TikTokClient:
    def __init__(self, base_url: str, credentials: dict[str, Any], timeout: float):
        if not (credentials or {}).get("access_token"):
            raise NeedsReauth("no TikTok access token stored for this channel")
        if not credentials.get("business_id"):
            raise NeedsReauth("no TikTok business account id stored for this channel")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.tokens = TokenRenewal(credentials, self._refresh, "TikTok")
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "Webcare"

    @property
    def business_id(self) -> str:
        return str(self.tokens.credentials["business_id"])

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, body=body)

    def request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        """The envelope's `data` of a successful call; raises our taxonomy otherwise."""
        self.tokens.renew_if_due()
        try:
            return self._call(method, path, params, body)
        except NeedsReauth as exc:
            if getattr(exc, "code", None) not in TOKEN_INVALID or not self.tokens.may_retry_after_refusal():
                raise
        self.tokens.renew()
        return self._call(method, path, params, body)

    def _call(self, method: str, path: str, params: dict | None, body: dict | None) -> dict[str, Any]:
        headers = {"Access-Token": self.tokens.access_token}
        try:
            response = self.http.request(method, self.base_url + path, params=params, json=body, headers=headers,
                                         timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"could not reach TikTok: {exc.__class__.__name__}") from exc
        return unwrap(response)

    def _refresh(self, latest: dict[str, Any]) -> dict[str, Any]:
        body = {"client_id": latest.get("client_id"), "client_secret": latest.get("client_secret"),
                "grant_type": "refresh_token", "refresh_token": latest.get("refresh_token")}
        try:
            response = self.http.post(self.base_url + "/tt_user/oauth2/refresh_token/", json=body, timeout=self.timeout)
            data = unwrap(response)
        except (NeedsReauth, PermanentError) as exc:
            raise NeedsReauth(f"TikTok refused to renew the access token ({exc.message}); connect the account "
                              "again", status=exc.status) from exc
        except requests.RequestException as exc:
            raise TransientError(f"could not reach TikTok to renew the token: {exc.__class__.__name__}") from exc
        return {"access_token": data["access_token"],
                "refresh_token": data.get("refresh_token") or latest.get("refresh_token"),
                "expires_at": expires_at(data.get("expires_in"))}


def unwrap(response: requests.Response) -> dict[str, Any]:
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        if not response.ok:
            raise error_for_status(response.status_code, f"TikTok: {response.reason}", response.headers)
        raise TransientError("TikTok sent an answer that is not JSON", status=response.status_code)
    code = envelope.get("code")
    if code in (0, "0") and response.ok:
        return envelope.get("data") or {}
    raise tiktok_error(response, envelope)


def tiktok_error(response: requests.Response, envelope: dict[str, Any], now: datetime | None = None) -> PlatformError:
    """TikTok's error envelope in our taxonomy, with TikTok's words, code and request id."""
    now = now or datetime.now(UTC)
    code = int(envelope.get("code") or 0) if str(envelope.get("code") or "").lstrip("-").isdigit() else 0
    status = None if response.ok else response.status_code  # TikTok's refusals mostly come with HTTP 200
    words = f"TikTok: {envelope.get('message') or response.reason} (code {code}, request {envelope.get('request_id')})"
    if code in RATE_LIMITED or response.status_code == 429:
        reset = parse_reset(response.headers.get("Retry-After"), now) or now + RATE_LIMIT_WAIT
        error: PlatformError = RateLimited(words, reset_at=max(reset, now), status=status)
    elif code in AUTH_CODES or response.status_code in (401, 403):
        error = NeedsReauth(words, status=status)
    elif code >= 50000 or response.status_code >= 500:
        error = TransientError(words, status=status)
    elif not response.ok:
        error = error_for_status(response.status_code, words, response.headers)
    else:
        error = PermanentError(words, status=status)
    error.code = code  # type: ignore[attr-defined]
    return error
