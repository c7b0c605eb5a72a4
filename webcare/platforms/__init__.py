"""Platform adapters: one module per platform API, behind one interface (`base.PlatformAdapter`).

Adapters do HTTP only: no database, no Flask. `build_adapter()` makes one for a channel from its
platform, base URL, decrypted credentials and options; platforms without an adapter yet are refused.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from webcare.platforms.base import PlatformAdapter

ADAPTERS: dict[str, str] = {
    "mastodon": "webcare.platforms.mastodon:MastodonAdapter",
    "x": "webcare.platforms.x:XAdapter",
    "bluesky": "webcare.platforms.bluesky:BlueskyAdapter",
    "linkedin": "webcare.platforms.linkedin:LinkedInAdapter",
    "tiktok": "webcare.platforms.tiktok:TikTokAdapter",
    "facebook": "webcare.platforms.facebook:FacebookAdapter",
    "instagram": "webcare.platforms.instagram:InstagramAdapter",
}

# How people write the platforms' names (pages, notifications, reports).
DISPLAY_NAMES = {"mastodon": "Mastodon", "x": "X", "facebook": "Facebook", "instagram": "Instagram",
                 "bluesky": "Bluesky", "linkedin": "LinkedIn", "tiktok": "TikTok"}


def supported_platforms() -> tuple[str, ...]:
    return tuple(sorted(ADAPTERS))


@dataclass(frozen=True)
class Capabilities:
    platform: str
    max_reply_length: int
    public_replies: bool
    private_replies: bool
    private_reply_note: str


def adapter_class(platform: str) -> type[PlatformAdapter]:
    target = ADAPTERS.get(platform)
    if target is None:
        raise LookupError(f"no adapter for platform {platform!r}")
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


def capabilities(platform: str) -> Capabilities:
    """What the reply composer needs to know about a platform (length limit, public/private)."""
    cls = adapter_class(platform)
    return Capabilities(platform, cls.max_reply_length, cls.public_replies, cls.private_replies,
                        cls.private_reply_note)


def build_adapter(platform: str, *, base_url: str | None, credentials: dict[str, Any],
                  options: dict[str, Any] | None = None) -> PlatformAdapter:
    return adapter_class(platform)(base_url or "", credentials, options)
