"""OAuth 2.0 refresh-token renewal for adapters whose access tokens expire (X, LinkedIn, TikTok).

The platform-specific part is one function `refresh(latest credentials) -> new fields` (the token call);
everything else is the same for every platform: renew a few minutes before `expires_at`, or once after
the platform called the token invalid; hold the channel's renewal lock (`CredentialStore.renewing()`) so one process at a time renews; take what another process
renewed a moment ago instead of spending the refresh token twice; store the new pair at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from webcare.platforms.base import CredentialStore
from webcare.platforms.errors import NeedsReauth

RENEW_MARGIN = 300  # seconds before expiry


class TokenRenewal:
    """The credentials of one channel and how to renew them; `credentials` always holds the newest."""

    def __init__(self, credentials: dict[str, Any], refresh: Callable[[dict[str, Any]], dict[str, Any]],
                 platform_name: str):
        self.credentials = dict(credentials)
        self.store: CredentialStore | None = None
        self._refresh = refresh
        self.platform_name = platform_name
        self.renewed = False  # renewed during this adapter's life: a second "invalid token" is final

    @property
    def access_token(self) -> str:
        return str(self.credentials.get("access_token") or "")

    def can_renew(self) -> bool:
        return bool(self.credentials.get("refresh_token") and self.credentials.get("client_id"))

    def due(self, credentials: dict[str, Any] | None = None) -> bool:
        expires_at = (credentials if credentials is not None else self.credentials).get("expires_at")
        return bool(expires_at) and float(expires_at) - time.time() < RENEW_MARGIN

    def renew_if_due(self) -> None:
        if self.due() and self.can_renew():
            self.renew()

    def send(self, request: Callable[[], Any]) -> Any:
        """`request()` (an HTTP call answering with a `status_code`) with a fresh token: renewed first when it
        is due, and once more, with the request repeated, when the platform answers 401."""
        self.renew_if_due()
        response = request()
        if response.status_code == 401 and self.may_retry_after_refusal():
            self.renew()
            response = request()
        return response

    def may_retry_after_refusal(self) -> bool:
        """After the platform called the token invalid: renew once and try again?"""
        return self.can_renew() and not self.renewed

    def renew(self) -> None:
        if self.store is None:
            raise NeedsReauth(f"the {self.platform_name} access token has expired and its renewal cannot be stored "
                              "here; connect the account again")
        with self.store.renewing() as latest:
            if latest.get("access_token") != self.access_token and not self.due(latest):
                self.credentials = dict(latest)  # another process renewed it a moment ago
            else:
                self.credentials = {**latest, **self._refresh(latest)}
                self.store.save(self.credentials)
        self.renewed = True


class RenewsThroughClient:
    """Mixin for an adapter whose `client.tokens` (a `TokenRenewal`) renews the access token: the credential
    store the channel service hands the adapter goes to that renewal."""

    @property
    def credential_store(self) -> CredentialStore | None:
        return self.client.tokens.store  # type: ignore[attr-defined]

    @credential_store.setter
    def credential_store(self, store: CredentialStore | None) -> None:
        self.client.tokens.store = store  # type: ignore[attr-defined]


def expires_at(expires_in: Any) -> int | None:
    """`expires_in` seconds from now as epoch seconds (None when the platform did not say)."""
    return int(time.time()) + int(expires_in) if str(expires_in or "").isdigit() else None
