"""The demo corpus and feed: a newcomer's inbox fills with realistic Dutch messages."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests import factories as f
from webcare.db import make_engine
from webcare.demo_feed import CHANNEL_NAME, feed_order, load_corpus, run_feed
from webcare.models import Category, Channel, Message, Ticket
from webcare.services import polling
from workers.heartbeat import BeatingWorker


def test_corpus_covers_every_default_category_and_the_hard_cases(session):
    corpus = load_corpus()
    assert len(corpus) >= 200 and len({row["id"] for row in corpus}) == len(corpus)
    f.seeded(session)
    parents = set(session.scalars(select(Category.parent_id).where(Category.parent_id.is_not(None))))
    assignable = {c.code for c in session.scalars(select(Category)) if c.id not in parents}
    assert assignable <= {row["category"] for row in corpus}
    assert {row["kind"] for row in corpus} == {"mention", "dm"}
    ids = [row["id"] for row in corpus]
    replies = [row for row in corpus if row.get("reply_to")]
    assert len(replies) >= 10 and all(ids.index(r["reply_to"]) < ids.index(r["id"]) for r in replies)
    assert sum(bool(row.get("personal_data")) for row in corpus) >= 5
    assert 1 <= sum(bool(row.get("threat")) for row in corpus) <= 10


def test_the_feed_brings_every_theme_early_and_keeps_threads_in_order():
    corpus = load_corpus()
    order = feed_order(corpus)
    assert sorted(row["id"] for row in order) == sorted(row["id"] for row in corpus)
    themes = {row["category"].split(".")[0] for row in corpus}
    first = order[:len(themes)]
    assert {row["category"].split(".")[0] for row in first} == themes  # waste, roads, green, ..., threats
    assert {row["kind"] for row in order[:2 * len(themes)]} == {"mention", "dm"}
    ids = [row["id"] for row in order]
    assert all(ids.index(row["reply_to"]) < ids.index(row["id"]) for row in order if row.get("reply_to"))


@contextmanager
def running_feed(runtime, session):
    """The demo feed in a thread, posting every 0.2 s; yields the lines it prints, and stops it after."""
    f.seeded(session)
    session.commit()
    stop = threading.Event()
    lines: list[str] = []
    feeder = threading.Thread(target=run_feed, args=(runtime, stop), kwargs={"interval": 0.2, "echo": lines.append})
    feeder.start()
    try:
        yield lines, feeder
    finally:
        stop.set()
        feeder.join(timeout=30)
    assert not feeder.is_alive()


def test_feed_serves_a_mastodon_server_and_tickets_arrive(runtime, redis, session):
    with running_feed(runtime, session) as (lines, _):
        deadline = time.monotonic() + 30
        while sum("@" in line and "(" in line for line in lines) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        channel = session.scalars(select(Channel).where(Channel.name == CHANNEL_NAME)).one()
        assert polling.poll_channel(runtime, channel.id).status == "ok"
        BeatingWorker(["ingest"], connection=redis).work(burst=True)
        assert session.scalar(select(func.count()).select_from(Ticket)) >= 3


def test_feed_goes_on_when_the_platform_refuses_a_post(runtime, session):
    with running_feed(runtime, session) as (lines, feeder):
        deadline = time.monotonic() + 30
        while not lines and time.monotonic() < deadline:
            time.sleep(0.1)
        base_url = re.search(r"simulated Mastodon at (\S+)", lines[0]).group(1)
        requests.post(f"{base_url}/api/v1/_mock/faults", timeout=5, json={
            "match": {"path": "/api/v1/statuses", "methods": ["POST"]},
            "effect": {"type": "status", "status": 422, "body": {"error": "Validation failed"}}, "count": 2}
        ).raise_for_status()
        refused = lambda: sum("refused a post" in line for line in lines)  # noqa: E731
        while refused() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        posted_before = sum("@" in line and "(" in line for line in lines)
        while sum("@" in line and "(" in line for line in lines) <= posted_before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert refused() == 2 and feeder.is_alive()
        assert sum("@" in line and "(" in line for line in lines) > posted_before  # and it went on posting


@pytest.mark.slow
def test_webcare_run_shows_tickets_within_a_minute(tmp_path, settings):
    """`webcare run` with the demo feed: tickets in the database within a minute; Ctrl-C stops everything."""
    from webcare.embedded import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBCARE_")}
    env.update({"WEBCARE_ENV": "development", "WEBCARE_PORT": str(port), "WEBCARE_INSTANCE_PATH": str(tmp_path),
                "WEBCARE_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "WEBCARE_DEMO_FEED_INTERVAL_SECONDS": "2"})
    proc = subprocess.Popen([sys.executable, "-m", "webcare", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    engine = make_engine(env["WEBCARE_DATABASE_URL"])
    try:
        deadline, found = time.monotonic() + 60, 0
        while time.monotonic() < deadline and found < 3:
            time.sleep(2)
            try:
                with engine.connect() as conn:  # the feed's tickets, not the imported history's
                    found = conn.execute(select(func.count(Message.ticket_id.distinct())).where(
                        Message.direction == "in", Message.external_id.not_like("hist-%"))).scalar()
            except OperationalError:
                found = 0
        assert found >= 3, "no tickets within a minute"
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
        engine.dispose()
    assert proc.returncode == 0, output
    assert "demo feed: simulated Mastodon" in output
