"""Meta webhooks (Facebook Page, Messenger, Instagram): the handshake, the signature and the parser.

`services.webhooks` registers these for the platforms `facebook` and `instagram`; the endpoint is
`/webhooks/<platform>/<channel_id>` (the callback URL an administrator enters in the Meta app dashboard,
with the channel's verify token).

- Handshake: `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...` is answered with the raw
  challenge when the token equals the channel's `verify_token` (constant-time), else refused (403).
- Signature (checked in `services.webhooks`): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
  body with the app secret>`; the raw bytes as received are hashed (Meta escapes non-ASCII as
  `\\u00e4` before signing, so a re-serialised body would not match). A missing app secret never verifies.
- A signed body that is not a JSON object with an `entry` list is refused at once (400, not stored).
- Parsing: `meta_format.parse_delivery`, with the channel's account (Page id, Instagram account id): Meta
  calls one callback URL per app, so a batch can hold entries of other Pages the app is installed on;
  `services.webhooks` parses a delivery for each channel of the app and each keeps its own entries.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Any

from webcare.platforms import meta_format
from webcare.platforms.base import InboundMessage

PLATFORMS = ("facebook", "instagram")
# The webhook fields to subscribe to in the Meta app dashboard (and `POST /{page-id}/subscribed_apps`).
FIELDS = {"facebook": ("feed", "mention", "messages"), "instagram": ("comments", "mentions", "messages")}
SIGNATURE_HEADER = "x-hub-signature-256"  # checked by services.webhooks.hmac_sha256_valid


def challenge(query: Mapping[str, str], credentials: dict[str, Any]) -> str | None:
    """The `hub.challenge` to echo, or None when the handshake is not for this channel."""
    expected = str(credentials.get("verify_token") or "")
    given = str(query.get("hub.verify_token") or "")
    if query.get("hub.mode") != "subscribe" or not expected or not query.get("hub.challenge"):
        return None
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return None
    return str(query["hub.challenge"])


def check(body: bytes) -> None:
    """Raises `meta_format.BadDelivery` (a ValueError) when the body is not a JSON object with an entry list."""
    meta_format.load(body)


def parser(platform: str) -> Callable[[bytes, Mapping[str, str], dict[str, Any]], list[InboundMessage]]:
    def parse(body: bytes, headers: Mapping[str, str], credentials: dict[str, Any]) -> list[InboundMessage]:
        account = credentials.get("ig_user_id" if platform == "instagram" else "page_id")
        return meta_format.parse_delivery(body, platform, account=str(account) if account else None)

    parse.__name__ = f"parse_{platform}"
    return parse
