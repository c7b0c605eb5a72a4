"""HTTP for Meta's Graph API (Facebook Pages, Messenger, Instagram): the Page token, usage headers, errors.

Requests carry the Page access token as a bearer token and, when the app secret is known, the
`appsecret_proof` (HMAC-SHA256 of the token with the app secret) that apps with "Require App Secret"
need. Paths are versioned (`/v25.0/...`).

Meta has no 429 semantics: throttling is told by `error.code` (4, 17, 32, 613; Business Use Case
80000-80009) and by usage headers on every answer: `X-App-Usage` and `X-Page-Usage` (percent of the
limit used) and `X-Business-Use-Case-Usage` (per business object, with `estimated_time_to_regain_access`
in minutes). `throttle_until()` reads the last answer's headers so a poll can stop before it is refused.
Code 190 (and 102, 463, 467) is an expired or revoked token; 5xx, timeouts and `is_transient` errors are
worth retrying; sending outside the Messenger window is code 10 / subcode 2018278.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
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
)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v25.0"
THROTTLE_CODES = frozenset({4, 17, 32, 613})
BUC_CODES = frozenset(range(80000, 80010))
REAUTH_CODES = frozenset({102, 190, 463, 467})
OUTSIDE_WINDOW_SUBCODE = 2018278
PLATFORM_WAIT = timedelta(minutes=10)  # platform (app) limits: a rolling hour, no reset time given
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-ad-account-usage")


def N_(message: str) -> str:  # noqa: N802  (marks a text for the Dutch catalog; translated where it is shown)
    return message


WINDOW_CLOSED = N_("The 7-day window to answer this citizen privately has closed: Meta only allows a private "
                   "message within 7 days of the citizen's last message. Reply publicly if there is a public "
                   "post, or wait until the citizen writes again.")
OUTSIDE_WINDOW = N_("Meta refused the private message: it is outside the window in which the page may answer "
                    "this citizen privately (24 hours after their last message, or 7 days with Meta's Human Agent "
                    "permission). Reply publicly if there is a public post, or wait until the citizen writes again.")
UNAVAILABLE = N_("Meta says this person is not available right now (they may have blocked the page or "
                 "deleted their account); the message was not delivered.")


class WindowClosed(PermanentError):
    """Messenger/Instagram: the citizen's last message is too long ago for a private message."""


class GraphClient:
    """One Page (or Instagram account) token: requests, error mapping, and the last answer's usage headers."""

    def __init__(self, base_url: str, credentials: dict[str, Any], timeout: float, version: str = DEFAULT_VERSION):
        if not (credentials or {}).get("access_token"):
            raise NeedsReauth("no Page access token stored for this channel")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.version = version.strip("/")
        self.token = str(credentials["access_token"])
        secret = str(credentials.get("app_secret") or "")
        self.proof = hmac.new(secret.encode(), self.token.encode(), hashlib.sha256).hexdigest() if secret else None
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "Webcare"
        self.last_headers: dict[str, str] = {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, body=body)

    def request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        query = dict(params or {})
        if self.proof:
            query["appsecret_proof"] = self.proof
        url = f"{self.base_url}/{self.version}/{path.lstrip('/')}"
        try:
            response = self.http.request(method, url, params=query, json=body, timeout=self.timeout,
                                         headers={"Authorization": f"Bearer {self.token}"})
        except requests.RequestException as exc:
            raise TransientError(f"could not reach Meta: {exc.__class__.__name__}") from exc
        self.last_headers = {k.lower(): v for k, v in response.headers.items()}
        if not response.ok:
            raise graph_error(response.status_code, _json(response), self.last_headers)
        answer = _json(response)
        if answer is None:
            raise TransientError("Meta sent an answer that is not JSON", status=response.status_code)
        if isinstance(answer, dict) and isinstance(answer.get("error"), dict):  # an error with HTTP 200
            raise graph_error(response.status_code, answer, self.last_headers)
        return answer if isinstance(answer, dict) else {"data": answer}

    def throttle_until(self, percent: float, now: datetime | None = None) -> datetime | None:
        """When the last answer's usage headers say to pause (a limit at `percent` or more), else None."""
        return usage_throttle(self.last_headers, percent, now)


def usage_throttle(headers: Mapping[str, str], percent: float, now: datetime | None = None) -> datetime | None:
    """The end of a pause the usage headers ask for: BUC `estimated_time_to_regain_access` (minutes) when
    given, else `PLATFORM_WAIT` once any counter reached `percent`."""
    now = now or datetime.now(UTC)
    lowered = {str(k).lower(): v for k, v in headers.items()}
    waits: list[datetime] = []
    for entry in _buc_entries(lowered.get("x-business-use-case-usage")):
        minutes = _number(entry.get("estimated_time_to_regain_access"))
        if minutes and minutes > 0:
            waits.append(now + timedelta(minutes=minutes))
        elif _max_percent(entry) >= percent:
            waits.append(now + PLATFORM_WAIT)
    for name in USAGE_HEADERS:
        usage = _loads(lowered.get(name))
        if isinstance(usage, dict) and _max_percent(usage) >= percent:
            waits.append(now + PLATFORM_WAIT)
    return max(waits) if waits else None


def graph_error(status: int, body: Any, headers: Mapping[str, str], now: datetime | None = None) -> PlatformError:
    """A Graph error answer (`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`)
    in our taxonomy, keyed on `error.code` (Meta's HTTP statuses say little)."""
    error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    message = _describe(error, code, subcode)
    if code in THROTTLE_CODES or code in BUC_CODES:
        now = now or datetime.now(UTC)
        reset = usage_throttle(headers, 100.0, now) or now + PLATFORM_WAIT
        return RateLimited(f"Meta rate limit: {message}", reset_at=reset, status=status)
    if code in REAUTH_CODES or (status == 401 and code is None):
        return NeedsReauth(f"Meta refused the Page token ({message}); enter a new Page access token", status=status)
    if code == 10 and subcode == OUTSIDE_WINDOW_SUBCODE:
        return WindowClosed(OUTSIDE_WINDOW)
    if code == 551 or subcode == 1545041:
        return PermanentError(UNAVAILABLE)
    if error.get("is_transient") or code in (1, 2) or status >= 500:
        return TransientError(f"Meta is unavailable: {message}", status=status)
    if code in (10, 200) or (code is not None and 200 <= code < 300):
        return PermanentError(f"Meta says a permission is missing ({message}); check the app's permissions "
                              "in docs/PLATFORMS.md", status=status)
    if not error:
        return error_for_status(status, "", headers)
    return PermanentError(message, status=status)


def _describe(error: dict[str, Any], code: int | None, subcode: int | None) -> str:
    text = str(error.get("error_user_msg") or error.get("message") or "Meta refused the request")
    parts = [f"code {code}" + (f"/{subcode}" if subcode else "")] if code is not None else []
    if error.get("fbtrace_id"):
        parts.append(f"fbtrace_id {error['fbtrace_id']}")
    return f"{text} ({', '.join(parts)})" if parts else text


def _buc_entries(value: str | None) -> list[dict[str, Any]]:
    usage = _loads(value)
    if not isinstance(usage, dict):
        return []
    return [e for entries in usage.values() if isinstance(entries, list) for e in entries if isinstance(e, dict)]


def _max_percent(usage: dict[str, Any]) -> float:
    values = [_number(usage.get(key)) for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct")]
    return max((v for v in values if v is not None), default=0.0)


def _loads(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None
