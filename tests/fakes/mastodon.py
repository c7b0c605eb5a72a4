"""A real Mastodon-compatible HTTP server for tests (mastodon-mock, in-process on a free port).

The municipality account `gemeente` filters private mentions from accounts it does not follow, as
real Mastodon >= 4.3 does by default (the mock accepts everything unless told otherwise). Citizens
post through Mastodon.py clients; faults (429, 503, timeouts) are injected through the mock's
control plane over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, RateLimitConfig, SeedAccount, SeedConfig
from mastodon_mock.testing import MockServer
from sqlalchemy.orm import Session

from webcare.models import Channel
from webcare.services import channels

MUNICIPALITY_TOKEN = "gemeente-token"
CITIZENS = ("jan", "fatima", "piet")


@dataclass
class Fediverse:
    server: MockServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def municipality(self):
        return self.server.client("gemeente")

    def citizen(self, name: str = "jan"):
        return self.server.client(name)

    def post(self, name: str, text: str, *, visibility: str = "public", in_reply_to=None, **options):
        """A citizen's status mentioning us; `options` go to Mastodon.py's `status_post` (e.g. `spoiler_text`)."""
        return self.citizen(name).status_post(f"@gemeente {text}", visibility=visibility, in_reply_to_id=in_reply_to,
                                              **options)

    def fault(self, path: str, effect: dict[str, Any], *, count: int = 1, methods: list[str] | None = None) -> str:
        rule = {"match": {"path": path, "methods": methods}, "effect": effect, "count": count}
        response = requests.post(f"{self.base_url}/api/v1/_mock/faults", json=rule, timeout=5)
        response.raise_for_status()
        return response.json()["id"]

    def clear_faults(self) -> None:
        requests.delete(f"{self.base_url}/api/v1/_mock/faults", timeout=5)

    def statuses_by_municipality(self) -> list:
        own = self.municipality.account_verify_credentials()
        return list(self.municipality.account_statuses(own["id"], limit=40))

    def channel(self, session: Session, **kwargs) -> Channel:
        record = channels.create_channel(session, platform="mastodon", name=kwargs.pop("name", "Mastodon"),
                                         base_url=self.base_url, token=kwargs.pop("token", MUNICIPALITY_TOKEN),
                                         handle="@gemeente", **kwargs)
        session.commit()
        return record


def seed() -> SeedConfig:
    accounts = [SeedAccount(username="gemeente", display_name="Gemeente Voorbeeldstad", access_token=MUNICIPALITY_TOKEN)]
    accounts += [SeedAccount(username=name, display_name=name.capitalize() + " de Burger", access_token=f"{name}-token")
                 for name in CITIZENS]
    return SeedConfig(accounts=accounts)


def server_config(media: Path, **settings) -> MastodonMockConfig:
    """An in-memory server with our accounts; media files (and the empty folder the server would otherwise make
    under /tmp for every test) in `media`, a test's own temporary directory."""
    return MastodonMockConfig(database=DatabaseConfig(path=":memory:"), seed=seed(), media_storage_path=str(media),
                              **settings)


@pytest.fixture
def mastodon(tmp_path: Path) -> Iterator[Fediverse]:
    with MockServer(config=server_config(tmp_path / "mastodon-media")) as server:
        fediverse = Fediverse(server)
        fediverse.municipality.update_notifications_policy(for_private_mentions="filter")
        yield fediverse


RATE_LIMIT = 300  # calls per token and window, as a real server's default


@pytest.fixture
def rate_limited_mastodon(tmp_path: Path) -> Iterator[Fediverse]:
    """The same server with its rate limit on (`X-RateLimit-*` on every answer, 429 beyond the limit), counted
    per token over a window longer than any test."""
    config = server_config(tmp_path / "mastodon-media",
                           ratelimit=RateLimitConfig(enabled=True, limit=RATE_LIMIT, window_seconds=3600))
    with MockServer(config=config) as server:
        yield Fediverse(server)
