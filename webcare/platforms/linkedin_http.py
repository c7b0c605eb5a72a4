"""HTTP for LinkedIn's versioned REST API (Community Management): headers, URNs, token renewal, errors.

Every call carries `LinkedIn-Version: YYYYMM` (option `api_version`; LinkedIn sunsets a version about a
year after it appears) and `X-Restli-Protocol-Version: 2.0.0`. Rest.li 2.0 wants URNs URL-encoded in
paths and query values (`urn%3Ali%3Ashare%3A1`) but the structural characters of `List(...)` and
`(start:...,end:...)` left as they are, so query strings are built here, not by `requests`.

Tokens: a member's 3-legged OAuth token of a Page administrator, valid 60 days. Approved partners also
get a refresh token (365 days from the first grant, never extended); with it and the app's client id
and secret the token is renewed through `POST https://www.linkedin.com/oauth/v2/accessToken`.

Errors: `{"status", "serviceErrorCode", "code", "message"}`. 401: the member revoked the app; 403: the
member is no longer a Page administrator or a scope is missing (both: needs re-authorisation). 429
comes without reset headers: the daily app and member quotas reset at midnight UTC; the short-term
"creation rate limit" (comments per minute) is waited out for a minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

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

DEFAULT_BASE_URL = "https://api.linkedin.com"
OAUTH_URL = "https://www.linkedin.com/oauth/v2/accessToken"
DEFAULT_VERSION = "202611"
SHORT_TERM_WAIT = timedelta(minutes=1)


def urn(value: str) -> str:
    """A URN as Rest.li 2.0 wants it in a path or query value."""
    return quote(str(value), safe="")


class LinkedInClient:
    def __init__(self, base_url: str, credentials: dict[str, Any], timeout: float, version: str):
        if not (credentials or {}).get("access_token"):
            raise NeedsReauth("no LinkedIn access token stored for this channel")
        if not str(credentials.get("organization") or "").startswith("urn:li:organization:"):
            raise NeedsReauth("no LinkedIn organisation (urn:li:organization:<id>) stored for this channel")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.oauth_url = f"{self.base_url}/oauth/v2/accessToken" if base_url else OAUTH_URL
        self.version = str(version)
        self.timeout = timeout
        self.tokens = TokenRenewal(credentials, self._refresh, "LinkedIn")
        self.http = requests.Session()
        self.http.headers.update({"User-Agent": "Webcare", "X-Restli-Protocol-Version": "2.0.0",
                                  "LinkedIn-Version": self.version})

    @property
    def organization(self) -> str:
        return str(self.tokens.credentials["organization"])

    # -- requests ---------------------------------------------------------------------------------
    def get(self, path: str, query: str = "") -> dict[str, Any]:
        return _json(self.request("GET", path, query))

    def post(self, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        response = self.request("POST", path, body=body)
        return (_json(response) if response.content else {}), {k.lower(): v for k, v in response.headers.items()}

    def request(self, method: str, path: str, query: str = "", body: dict | None = None) -> requests.Response:
        response = self.tokens.send(lambda: self._send(method, path, query, body))
        if not response.ok:
            raise linkedin_error(response)
        return response

    def _send(self, method: str, path: str, query: str, body: dict | None) -> requests.Response:
        url = self.base_url + path + (f"?{query}" if query else "")
        headers = {"Authorization": f"Bearer {self.tokens.access_token}"}
        try:
            return self.http.request(method, url, json=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"could not reach LinkedIn: {exc.__class__.__name__}") from exc

    # -- token renewal ----------------------------------------------------------------------------
    def _refresh(self, latest: dict[str, Any]) -> dict[str, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": latest.get("refresh_token"),
                "client_id": latest.get("client_id"), "client_secret": latest.get("client_secret")}
        try:
            response = self.http.post(self.oauth_url, data=form, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"could not reach LinkedIn to renew the token: {exc.__class__.__name__}") from exc
        if response.status_code in (400, 401, 403):
            raise NeedsReauth(f"LinkedIn refused to renew the access token ({_message(response)}); "
                              "connect the Page again", status=response.status_code)
        if not response.ok:
            raise linkedin_error(response)
        token = _json(response)
        return {"access_token": token["access_token"],
                "refresh_token": token.get("refresh_token") or latest.get("refresh_token"),
                "expires_at": expires_at(token.get("expires_in"))}


def linkedin_error(response: requests.Response, now: datetime | None = None) -> PlatformError:
    """A LinkedIn error answer in our taxonomy, with LinkedIn's own words."""
    status, message = response.status_code, _message(response)
    code = str(_body(response).get("code") or "")
    if status == 429:
        now = now or datetime.now(UTC)
        return RateLimited(f"LinkedIn: {message or 'too many requests'}", reset_at=_reset(response, message, now),
                           status=429)
    if status == 426 or code == "NONEXISTENT_VERSION":
        return PermanentError(f"LinkedIn no longer serves API version {response.request.headers.get('LinkedIn-Version')}"
                              f" ({message}); set a newer channel option api_version", status=status)
    return error_for_status(status, f"LinkedIn: {message}" if message else "", response.headers)


def _reset(response: requests.Response, message: str, now: datetime) -> datetime:
    retry_after = parse_reset(response.headers.get("Retry-After"), now)
    if retry_after:
        return max(retry_after, now)
    if "throttled" in message.lower() and "day" not in message.lower():
        return now + SHORT_TERM_WAIT
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)  # quotas reset at midnight UTC


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise TransientError("LinkedIn sent an answer that is not JSON", status=response.status_code) from exc
    if not isinstance(body, dict):
        raise TransientError("LinkedIn sent an unexpected answer", status=response.status_code)
    return body


def _message(response: requests.Response) -> str:
    body = _body(response)
    for value in (body.get("message"), body.get("error_description"), body.get("error")):
        if value:
            return str(value)
    return response.reason or ""
