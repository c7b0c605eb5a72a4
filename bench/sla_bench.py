"""Benchmark of the SLA engine: start_clocks (ingest batches), recompute (per event) and the sweep.

    .venv/bin/python bench/sla_bench.py [--database-url URL] [--tickets 2000]

Without --database-url it uses a fresh SQLite file. It measures and prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import datetime, timedelta

from sqlalchemy import text

from webcare import migrate
from webcare.db import make_engine, make_session_factory
from webcare.models import Category, Channel, Contact, Ticket
from webcare.services import seed, sla, sla_alerts
from webcare.services.events import record_event

START = datetime.fromisoformat("2025-03-03T09:00+01:00")


def _reset(url: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)


def _tickets(session, channel, contact, count: int) -> list[Ticket]:
    tickets = []
    for n in range(count):
        created = START + timedelta(minutes=7 * n)
        tickets.append(Ticket(channel_id=channel.id, contact_id=contact.id, thread_key=f"t{n}", kind="mention",
                              visibility="public", created_at=created, received_at=created, updated_at=created,
                              category_id=None))
    session.add_all(tickets)
    session.flush()
    return tickets


def _timed(label: str, count: int, action) -> None:
    began = time.perf_counter()
    action()
    elapsed = time.perf_counter() - began
    print(f"{label:<44} {elapsed * 1000:9.1f} ms total  {elapsed / count * 1e6:9.0f} µs per ticket")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--tickets", type=int, default=2000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    _reset(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    print(f"{platform.node()} {platform.processor() or platform.machine()} python {platform.python_version()} "
          f"{engine.dialect.name} tickets={args.tickets}")
    with factory() as session:
        seed.seed_defaults(session)
        channel = Channel(platform="mastodon", name="bench")
        contact = Contact(platform="mastodon", platform_user_id="1", handle="burger")
        session.add_all([channel, contact])
        session.flush()
        category = session.query(Category).filter_by(code="afval.zwerfvuil").one()
        tickets = _tickets(session, channel, contact, args.tickets)
        for ticket in tickets:
            ticket.category_id = category.id
        _timed("start_clocks (one batch)", len(tickets), lambda: sla.start_clocks(session, tickets, START))
        for ticket in tickets:
            at = ticket.created_at
            for minutes, kind, data in ((30, "reply_sent", {"automatic": False}), (240, "message_in", {}),
                                        (300, "handoff", {}), (2000, "status_changed", {"from": "with_department", "to": "waiting_citizen"}),
                                        (4000, "status_changed", {"from": "waiting_citizen", "to": "open"})):
                record_event(session, ticket, kind, at=at + timedelta(minutes=minutes), data=data)
        session.commit()
        now = START + timedelta(days=2)
        _timed("recompute (5 events each, one by one)", len(tickets),
               lambda: [sla.recompute(session, t, now) for t in tickets])
        session.commit()
        later = START + timedelta(days=40)
        session.execute(text("UPDATE tickets SET sla_check_at = :at"), {"at": START})
        session.commit()

        def sweep_all():
            while sla_alerts.sweep(session, later)["tickets"]:
                session.commit()

        _timed("sweep (all crossings, 500 per run)", len(tickets), sweep_all)
    engine.dispose()


if __name__ == "__main__":
    main()
