"""The demo feed: a local Mastodon-compatible server full of citizens writing to the municipality.

`webcare demo-feed` (started by `webcare run`) runs mastodon-mock in this process with the account
`@gemeente` and the citizens of the Dutch demo corpus (`webcare/data/demo_corpus.jsonl`: public
mentions, DMs, threads, some personal data, a few threats). It makes sure the channel "Mastodon (demo)"
points at this server, sets the account to filter DMs from strangers (as real Mastodon >= 4.3 does),
then posts the corpus: a few messages at once so the inbox fills within a minute, then one every
`demo_feed_interval_seconds`. The corpus is grouped by category; the feed takes its themes in turn
(`feed_order`), so the first minutes bring work for every department, a DM and a threat, not only waste.
Replies from Webcare land on this server; its own UI is at `/_ui/`.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mastodon import Mastodon, MastodonError
from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import Channel
from webcare.runtime import Runtime
from webcare.services import channels

log = logging.getLogger(__name__)

CORPUS_PATH = Path(__file__).parent / "data" / "demo_corpus.jsonl"
CHANNEL_NAME = "Mastodon (demo)"
MUNICIPALITY = "gemeente"
MUNICIPALITY_TOKEN = "demo-gemeente-token"
DOMAIN = "social.voorbeeldstad.test"
FIRST_BURST = 6
STATE_FILE = "demo-feed.json"


def load_corpus(path: Path = CORPUS_PATH) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def feed_order(corpus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus as the feed posts it: one message of each theme (the category's first part: afval, wegen,
    groen, ...) in turn, each theme in corpus order, so a follow-up still comes after the message it answers."""
    themes: dict[str, deque] = {}
    for row in corpus:
        themes.setdefault(row["category"].split(".")[0], deque()).append(row)
    ordered: list[dict[str, Any]] = []
    while len(ordered) < len(corpus):
        ordered += [theme.popleft() for theme in themes.values() if theme]
    return ordered


def citizen_token(username: str) -> str:
    return f"demo-{username}-token"


def mock_config(corpus: list[dict[str, Any]], media: str):
    """The simulated server: the municipality and the corpus's citizens; media files in `media` (a folder
    that lives as long as the run)."""
    from mastodon_mock.config import DatabaseConfig, MastodonMockConfig, SeedAccount, SeedConfig

    citizens = {row["author"]: row["name"] for row in corpus}
    accounts = [SeedAccount(username=MUNICIPALITY, display_name="Gemeente Voorbeeldstad", access_token=MUNICIPALITY_TOKEN)]
    accounts += [SeedAccount(username=user, display_name=name, access_token=citizen_token(user))
                 for user, name in sorted(citizens.items())]
    return MastodonMockConfig(domain=DOMAIN, url_scheme="http", title="Voorbeeldstad Social (demo)",
                              database=DatabaseConfig(path=":memory:"), seed=SeedConfig(accounts=accounts),
                              media_storage_path=media)


def ensure_demo_channel(session: Session, base_url: str, poll_interval_seconds: int = 5) -> Channel:
    """Create the demo channel, or point it at this run's server (a fresh server: a fresh cursor)."""
    channel = session.scalar(select(Channel).where(Channel.name == CHANNEL_NAME))
    if channel is None:
        return channels.create_channel(session, platform="mastodon", name=CHANNEL_NAME, base_url=base_url,
                                       handle=f"@{MUNICIPALITY}@{DOMAIN}", token=MUNICIPALITY_TOKEN,
                                       poll_interval_seconds=poll_interval_seconds)
    channels.update_channel(session, channel, base_url=base_url, token=MUNICIPALITY_TOKEN)
    channel.cursor, channel.enabled, channel.rate_limited_until = {}, True, None
    return channel


@dataclass
class Feed:
    """Posts the corpus as the citizens, in the given order, remembering where it was across restarts."""

    base_url: str
    corpus: list[dict[str, Any]]
    state_path: Path

    def __post_init__(self) -> None:
        self._clients: dict[str, Mastodon] = {}
        self._posted: dict[str, str] = {}  # corpus id -> status id, for threads
        self.position = self._load_position()

    def post_next(self) -> dict[str, Any]:
        row = self.corpus[self.position % len(self.corpus)]
        status = self._client(row["author"]).status_post(
            f"@{MUNICIPALITY} {row['text']}", visibility="direct" if row["kind"] == "dm" else "public",
            in_reply_to_id=self._posted.get(row.get("reply_to", "")), language="nl")
        self._posted[row["id"]] = str(status["id"])
        self.skip()
        return row

    def skip(self) -> None:
        """On to the next message of the corpus (the position survives a restart)."""
        self.position += 1
        self.state_path.write_text(json.dumps({"position": self.position % len(self.corpus)}), encoding="utf-8")

    def _client(self, username: str) -> Mastodon:
        if username not in self._clients:
            self._clients[username] = Mastodon(access_token=citizen_token(username), api_base_url=self.base_url,
                                               version_check_mode="none", request_timeout=10)
        return self._clients[username]

    def _load_position(self) -> int:
        try:
            return int(json.loads(self.state_path.read_text(encoding="utf-8"))["position"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0


def run_feed(runtime: Runtime, stop: threading.Event, *, interval: float, echo=print) -> None:
    """Serve the simulated platform and post until `stop` is set."""
    from mastodon_mock.testing import MockServer

    corpus = feed_order(load_corpus())
    with tempfile.TemporaryDirectory(prefix="webcare-demo-media-") as media, \
            MockServer(config=mock_config(corpus, media)) as server:
        municipality = Mastodon(access_token=MUNICIPALITY_TOKEN, api_base_url=server.base_url,
                                version_check_mode="none")
        municipality.update_notifications_policy(for_private_mentions="filter")
        with runtime.transaction() as session:
            channel = ensure_demo_channel(session, server.base_url)
            channel_id = channel.id
        echo(f"demo feed: simulated Mastodon at {server.base_url} (UI: {server.base_url}/_ui/), "
             f"channel {channel_id} '{CHANNEL_NAME}', {len(corpus)} messages, one every {interval:g}s")
        feed = Feed(server.base_url, corpus, runtime.settings.instance_dir / STATE_FILE)
        posted = 0
        while not stop.is_set():
            try:
                row = feed.post_next()
            except MastodonError as exc:  # a refused post (say a fault injected in the mock) must not end the demo
                echo(f"demo feed: the simulated platform refused a post, going on with the next one: {exc}")
                feed.skip()
                stop.wait(interval)
                continue
            posted += 1
            echo(f"demo feed: @{row['author']} ({row['kind']}): {row['text'][:70]}")
            stop.wait(1.0 if posted < FIRST_BURST else interval)
