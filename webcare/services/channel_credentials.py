"""What an administrator enters to connect a channel, shaped into the credentials its adapter reads.

Every platform gets one function `(token, extra, handle, previous) -> credentials`; `build()` picks it.
The result is stored encrypted (`services.channels`) and never shown again.

- Mastodon and platforms without their own function: `{"access_token": token}`.
- X: an OAuth 2.0 user-context access token (Authorization Code with PKCE, scopes `tweet.read users.read
  tweet.write dm.read dm.write offline.access`), optionally with the refresh token and the app's client id
  (and client secret for a confidential client) so Webcare renews the two-hour token itself. The token
  may also be given as the JSON answer of X's token endpoint (`{"access_token": ..., "refresh_token": ...,
  "expires_in": 7200}`, plus `client_id`), which is what `webcare channels add --token-stdin` accepts.
- Facebook / Instagram: the Page access token (long-lived, of the municipality's Page), the Page id,
  the Meta app's secret (checks webhook signatures and signs calls with `appsecret_proof`) and the
  webhook verify token (made up by Webcare when not given); Instagram also the Instagram professional
  account id (`ig_user_id`). Values not given again stay as they were.
- Bluesky: the account's handle (or DID) and an app password (with access to direct messages);
  Webcare logs in once and keeps the session (`session`) with the credentials.
- LinkedIn: a Page administrator's access token and the organisation (`account_id`: `urn:li:organization:<id>`
  or the number), optionally the refresh token with the app's client id and secret (renewal).
- TikTok: a Business Account access token and the business account id (`account_id`; TikTok's token answer
  calls it `open_id`), optionally the refresh token with the app's id and secret (renewal).
LinkedIn and TikTok tokens may also be given as the JSON answer of the token endpoint, as for X.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from webcare.errors import ValidationFailed

Builder = Callable[[str, dict[str, str], str, dict[str, Any]], dict[str, Any]]
X_FIELDS = ("refresh_token", "client_id", "client_secret")


def build(platform: str, token: str, extra: dict[str, str] | None = None, *, handle: str = "",
          previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The credentials to store for `platform`; raises ValidationFailed with a clear message."""
    token = (token or "").strip()
    if not token:
        raise ValidationFailed("an access token is needed", fields={"token": "required"}, code="channel_token_required")
    if not (token.isascii() and token.isprintable()):  # e.g. a zero-width space copied along: no HTTP header takes it
        raise ValidationFailed("the token contains a character that is not in any platform's tokens (an invisible "
                               "or non-ASCII character copied along?)", fields={"token": "characters"},
                               code="channel_token_characters")
    extra = {key: str(value).strip() for key, value in (extra or {}).items() if value and str(value).strip()}
    return BUILDERS.get(platform, _access_token)(token, extra, handle, previous or {})


def _access_token(token: str, extra: dict[str, str], handle: str, previous: dict[str, Any]) -> dict[str, Any]:
    return {"access_token": token}


# -- X ------------------------------------------------------------------------------------------
def _x(token: str, extra: dict[str, str], handle: str, previous: dict[str, Any]) -> dict[str, Any]:
    given = _x_token_json(token) if token.startswith("{") else {"access_token": token}
    given.update({key: value for key, value in extra.items() if key in X_FIELDS})
    credentials = {"access_token": given.get("access_token", "").strip()}
    if not credentials["access_token"]:
        raise ValidationFailed("the X token answer has no access_token", fields={"token": "access_token"},
                               code="channel_token_json")
    for key in X_FIELDS:  # the app's client id and secret stay when only a new token is entered
        value = given.get(key) or (previous.get(key) if key != "refresh_token" else None)
        if value:
            credentials[key] = str(value)
    if credentials.get("refresh_token") and not credentials.get("client_id"):
        raise ValidationFailed("renewing an X token needs the app's OAuth 2.0 client ID",
                               fields={"client_id": "required"}, code="channel_x_client")
    expires_in = given.get("expires_in")
    credentials["expires_at"] = int(time.time()) + int(expires_in) if str(expires_in or "").isdigit() else None
    return credentials


def _x_token_json(token: str, label: str = "X") -> dict[str, Any]:
    try:
        data = json.loads(token)
    except ValueError as exc:
        raise ValidationFailed(f"the {label} token looks like JSON but cannot be read", fields={"token": "json"},
                               code="channel_token_json") from exc
    if not isinstance(data, dict):
        raise ValidationFailed(f"the {label} token JSON must be an object", fields={"token": "json"},
                               code="channel_token_json")
    return dict(data)


# -- Bluesky ------------------------------------------------------------------------------------
def _bluesky(token: str, extra: dict[str, str], handle: str, previous: dict[str, Any]) -> dict[str, Any]:
    identifier = (extra.get("identifier") or handle or previous.get("identifier") or "").strip().lstrip("@")
    if not identifier:
        raise ValidationFailed("a Bluesky channel needs the account's handle, e.g. voorbeeldstad.nl",
                               fields={"handle": "required"}, code="channel_handle_required")
    return {"identifier": identifier, "app_password": token}


# -- LinkedIn and TikTok -------------------------------------------------------------------------
def _oauth(label: str, token: str, extra: dict[str, str],
           previous: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(credentials, what was given): an access token (or the token endpoint's JSON answer) with the
    optional renewal fields."""
    given = _x_token_json(token, label) if token.startswith("{") else {"access_token": token}
    given.update({key: value for key, value in extra.items() if key in X_FIELDS})
    credentials: dict[str, Any] = {"access_token": str(given.get("access_token") or "").strip()}
    if not credentials["access_token"]:
        raise ValidationFailed(f"the {label} token answer has no access_token", fields={"token": "access_token"},
                               code="channel_token_json")
    for key in X_FIELDS:  # the app's client id and secret stay when only a new token is entered
        value = given.get(key) or (previous.get(key) if key != "refresh_token" else None)
        if value:
            credentials[key] = str(value)
    if credentials.get("refresh_token") and not (credentials.get("client_id") and credentials.get("client_secret")):
        raise ValidationFailed(f"renewing a {label} token needs the app's client id and client secret",
                               fields={"client_id": "required"}, code="channel_oauth_client")
    expires_in = given.get("expires_in")
    credentials["expires_at"] = int(time.time()) + int(expires_in) if str(expires_in or "").isdigit() else None
    return credentials, given


def _linkedin(token: str, extra: dict[str, str], handle: str, previous: dict[str, Any]) -> dict[str, Any]:
    credentials, given = _oauth("LinkedIn", token, extra, previous)
    org = str(extra.get("account_id") or given.get("organization") or previous.get("organization") or "").strip()
    if org.isdigit():
        org = f"urn:li:organization:{org}"
    if not org.startswith("urn:li:organization:") or not org.rsplit(":", 1)[-1].isdigit():
        raise ValidationFailed("a LinkedIn channel needs the organisation, e.g. urn:li:organization:2414183 "
                               "(the number in the Page's admin URL)", fields={"account_id": "required"},
                               code="channel_account_required")
    return {**credentials, "organization": org}


def _tiktok(token: str, extra: dict[str, str], handle: str, previous: dict[str, Any]) -> dict[str, Any]:
    credentials, given = _oauth("TikTok", token, extra, previous)
    business = str(extra.get("account_id") or given.get("business_id") or given.get("open_id")
                   or previous.get("business_id") or "").strip()
    if not business:
        raise ValidationFailed("a TikTok channel needs the business account id (open_id of the authorisation)",
                               fields={"account_id": "required"}, code="channel_account_required")
    return {**credentials, "business_id": business}
# -- Meta (Facebook Page + Messenger, Instagram) ---------------------------------------------------
META_FIELDS = ("page_id", "app_secret", "verify_token", "ig_user_id")


def _meta(platform: str) -> Builder:
    def build_meta(token: str, extra: dict[str, str], handle: str, previous: dict[str, Any]) -> dict[str, Any]:
        credentials: dict[str, Any] = {"access_token": token}
        for key in META_FIELDS:
            value = extra.get(key) or previous.get(key)
            if value:
                credentials[key] = str(value)
        required = ("page_id", "app_secret") + (("ig_user_id",) if platform == "instagram" else ())
        missing = [key for key in required if not credentials.get(key)]
        if missing:
            raise ValidationFailed(f"a {platform.capitalize()} channel needs: {', '.join(missing)}",
                                   fields={key: "required" for key in missing}, code="channel_meta_required")
        credentials.setdefault("verify_token", secrets.token_urlsafe(24))
        return credentials

    return build_meta


BUILDERS: dict[str, Builder] = {
    "x": _x,
    "bluesky": _bluesky,
    "linkedin": _linkedin,
    "tiktok": _tiktok,
    "facebook": _meta("facebook"),
    "instagram": _meta("instagram"),
}
