"""HTTP for the X API v2: the user-context bearer token, its renewal, and X's errors as our taxonomy.

Tokens: an OAuth 2.0 user-context access token (Authorization Code with PKCE) lives two hours. With a
refresh token (scope `offline.access`) and the app's client id the token is renewed shortly before it
expires, or once after a 401, through `POST /2/oauth2/token`. X refresh tokens work once, so a renewal
holds the channel's renewal lock, first re-reads what another process may have stored, and stores the
new pair at once (`CredentialStore`). Without a refresh token (or without a store to keep it) an expired
token means "needs re-authorisation".

Errors: X answers v2 errors as RFC 7807 problems (`{"title", "detail", "type", "status"}`); a 403 is not
always an authorisation problem on X (a refused reply or DM is one too), so 403s are read by content.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import requests

from webcare.platforms.errors import (
    NeedsReauth,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    error_for_status,
    reset_from_headers,
)
from webcare.platforms.token_renewal import TokenRenewal, expires_at

DEFAULT_BASE_URL = "https://api.x.com"
USAGE_CAPPED = "usage-capped"
# The 15-minute window and the 24-hour caps X adds on some endpoints (posts, DM sends) [PLATFORMS.md §3.6]
QUOTAS = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
_AUTH_PROBLEMS = ("unsupported-authentication", "oauth1-permissions", "client-forbidden", "not-authorized-for")


def N_(message: str) -> str:  # noqa: N802  (marks a text for the Dutch catalog; translated where it is shown)
    return message


NOT_SUMMONED = N_("X refused this public reply: since February 2026 X only lets the municipality reply through "
                  "the API to a post whose author mentioned the municipality's account or quoted one of its "
                  "posts, and this post did not. Send a direct message instead, or reply in the X app.")
DM_REFUSED = N_("X refused the direct message: this citizen does not accept direct messages from the "
                "municipality's account. Reply publicly instead.")


class ReplyNotSummoned(PermanentError):
    """X's 2026 rule: the citizen did not mention (summon) us, so X refuses our API reply."""


class DirectMessageRefused(PermanentError):
    """The citizen does not accept DMs from us."""


class XClient:
    """One X user context: requests with the bearer token, renewal, error mapping, last rate-limit headers."""

    def __init__(self, base_url: str, credentials: dict[str, Any], timeout: float):
        if not (credentials or {}).get("access_token"):
            raise NeedsReauth("no X access token stored for this channel")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.tokens = TokenRenewal(credentials, self._refresh, "X")
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "Webcare"
        self.last_headers: dict[str, str] = {}

    @property
    def credentials(self) -> dict[str, Any]:
        return self.tokens.credentials

    # -- requests ---------------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, body=body)

    def request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        response = self.tokens.send(lambda: self._send(method, path, params, body))
        if not response.ok:
            raise x_error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise TransientError("X sent an answer that is not JSON", status=response.status_code) from exc

    def _send(self, method: str, path: str, params: dict | None, body: dict | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens.access_token}"}
        try:
            response = self.http.request(method, self.base_url + path, params=params, json=body, headers=headers,
                                         timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"could not reach X: {exc.__class__.__name__}") from exc
        self.last_headers = {k.lower(): v for k, v in response.headers.items()}
        return response

    # -- token renewal ----------------------------------------------------------------------------
    def _refresh(self, latest: dict[str, Any]) -> dict[str, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": latest.get("refresh_token"),
                "client_id": latest.get("client_id")}
        auth = (latest["client_id"], latest["client_secret"]) if latest.get("client_secret") else None
        try:
            response = self.http.post(self.base_url + "/2/oauth2/token", data=form, auth=auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"could not reach X to renew the token: {exc.__class__.__name__}") from exc
        if response.status_code in (400, 401, 403):
            raise NeedsReauth(f"X refused to renew the access token ({_message(response)}); "
                              "connect the account again", status=response.status_code)
        if not response.ok:
            raise x_error(response)
        try:
            token = response.json()
        except ValueError as exc:
            raise TransientError("X sent a token answer that is not JSON", status=response.status_code) from exc
        return {"access_token": token["access_token"],
                "refresh_token": token.get("refresh_token") or latest.get("refresh_token"),
                "expires_at": expires_at(token.get("expires_in") or 7200)}


def quota_reset(headers: Mapping[str, str], below: int = 0) -> datetime | None:
    """When X lets us call again if a quota has `below` or fewer calls left: the latest reset among the
    15-minute window and the 24-hour caps that are (nearly) used up; None when none is."""
    lowered = {key.lower(): value for key, value in headers.items()}
    resets = [reset_from_headers({"x-rate-limit-reset": lowered.get(f"{quota}-reset") or ""})
              for quota in QUOTAS if str(lowered.get(f"{quota}-remaining", "")).isdigit()
              and int(lowered[f"{quota}-remaining"]) <= below]
    return max(resets) if resets else None


def x_error(response: requests.Response) -> PlatformError:
    """An X error answer in our taxonomy, with X's own words."""
    status, message, problem = response.status_code, _message(response), _problem_type(response)
    if status == 429 or USAGE_CAPPED in problem:
        if USAGE_CAPPED in problem:
            message = f"X usage cap reached: {message} (top up the credit or raise the spending limit)"
        reset = max(reset_from_headers(response.headers), quota_reset(response.headers) or datetime.now(UTC))
        return RateLimited(message or "rate limited by X", reset_at=reset, status=status)
    if status == 403:
        return _forbidden(message, problem)
    return error_for_status(status, message, response.headers)


def _forbidden(message: str, problem: str) -> PlatformError:
    lowered = message.lower()
    if "not been mentioned" in lowered or "reply to this conversation is not allowed" in lowered:
        return ReplyNotSummoned(NOT_SUMMONED)
    if "direct message" in lowered and ("not allowed" in lowered or "cannot" in lowered or "not permitted" in lowered):
        return DirectMessageRefused(DM_REFUSED)
    if any(kind in problem for kind in _AUTH_PROBLEMS) or "scope" in lowered or "authoriz" in lowered:
        return NeedsReauth(message or "X refused the token", status=403)
    return PermanentError(message or "X refused the request", status=403)


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _problem_type(response: requests.Response) -> str:
    body = _body(response)
    kinds = [str(body.get("type") or "")] + [str(e.get("type") or "") for e in body.get("errors") or []
                                               if isinstance(e, dict)]
    return " ".join(kinds)


def _message(response: requests.Response) -> str:
    """RFC 7807 `detail`, v1.1-style `errors[0].message`, OAuth `error_description`, else the reason."""
    body = _body(response)
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    for value in (body.get("detail"), errors[0].get("message") if errors else None,
                  body.get("error_description"), body.get("title"), body.get("error")):
        if value:
            return str(value)
    return response.reason or ""
