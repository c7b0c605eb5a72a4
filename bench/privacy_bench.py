"""Benchmarks for privacy: detector throughput and the retention job's anonymisation rate.

    .venv/bin/python bench/privacy_bench.py [--tickets 5000] [--database-url URL]

Without --database-url a fresh SQLite file in a temporary directory is used; with a PostgreSQL URL the
schema there is dropped and recreated (use a scratch database). Prints JSON; results go (by hand, with
the machine and the date) into docs/PERFORMANCE.md under "## Privacy".
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webcare import migrate, privacy  # noqa: E402
from webcare.config import load_settings  # noqa: E402
from webcare.db import make_engine, utcnow  # noqa: E402
from webcare.models import Channel, Contact, Message, Note, Ticket, TicketEvent  # noqa: E402
from webcare.runtime import build_runtime  # noqa: E402
from webcare.services import retention, seed  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "privacy_labelled.jsonl"


def bench_detector(rounds: int = 200) -> dict:
    texts = [json.loads(line)["text"] for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    for _ in range(rounds):
        for item in texts:
            privacy.scan(item)
    elapsed = time.perf_counter() - started
    count = rounds * len(texts)
    return {"texts": count, "seconds": round(elapsed, 3), "texts_per_second": round(count / elapsed),
            "microseconds_per_text": round(elapsed / count * 1e6, 1)}


def bench_retention(database_url: str, tickets: int) -> dict:
    _fresh_schema(database_url)
    settings = load_settings(environ={}, config_path=None, overrides={
        "env": "test", "database_url": database_url, "secret_key": "bench-secret-0123456789",
        "encryption_keys": [Fernet.generate_key().decode()], "demo_feed": False,
    })
    runtime = build_runtime(settings)
    with runtime.transaction() as session:
        seed.seed_defaults(session)
        _closed_tickets(session, tickets)
    started = time.perf_counter()
    result = retention.run_until_done(runtime.transaction, settings)
    elapsed = time.perf_counter() - started
    runtime.dispose()
    return {"database": runtime.engine.dialect.name, "tickets": result.tickets, "contacts": result.contacts,
            "seconds": round(elapsed, 2), "tickets_per_second": round(result.tickets / elapsed)}


def _fresh_schema(url: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)


def _closed_tickets(session, count: int) -> None:
    """`count` resolved tickets of 400 days ago, each with 2 messages, a note and 4 events."""
    channel = Channel(platform="mastodon", name="bench", handle="gemeente")
    session.add(channel)
    session.flush()
    at = utcnow() - timedelta(days=400)
    for n in range(count):
        contact = Contact(platform="mastodon", platform_user_id=f"u{n}", handle=f"burger{n}", display_name="B")
        session.add(contact)
        session.flush()
        ticket = Ticket(channel_id=channel.id, contact_id=contact.id, thread_key=f"t{n}", kind="mention",
                        visibility="public", subject="Stoeptegel los, bel 06-12345678", status="resolved",
                        created_at=at, received_at=at, updated_at=at, resolved_at=at + timedelta(days=2))
        session.add(ticket)
        session.flush()
        for direction, ext in (("in", f"in{n}"), ("out", f"out{n}")):
            session.add(Message(ticket_id=ticket.id, channel_id=channel.id, contact_id=contact.id,
                                direction=direction, platform="mastodon", external_id=ext, thread_key=f"t{n}",
                                kind="mention", visibility="public", text="Tekst met 06-12345678",
                                author_handle=f"burger{n}", raw={"id": ext}, url=f"https://m.example/{ext}",
                                received_at=at))
        session.add(Note(ticket_id=ticket.id, text="Notitie over meneer Jansen", created_at=at))
        for kind in ("created", "reply_sent", "handoff", "status_changed"):
            session.add(TicketEvent(ticket_id=ticket.id, type=kind, at=at, data={"text": "tekst"}))
        if n % 500 == 499:
            session.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        report = {"machine": f"{platform.node()} {platform.processor() or platform.machine()}",
                  "python": platform.python_version(), "detector": bench_detector(),
                  "retention": bench_retention(url, args.tickets)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
