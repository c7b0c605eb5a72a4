"""Inbox order: a page of tickets most urgent first against newest first, for an agent, a department user and
common filters, on the generated million-ticket history of `bench/inbox_data.py` (in one process, the
service alone; `bench/inbox.py` measures whole requests). Results: docs/PERFORMANCE.md, Inbox.

    python bench/inbox_sort.py [--generate] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import time

from cryptography.fernet import Fernet
from sqlalchemy import select

from bench import inbox_data
from webcare.config import load_settings
from webcare.db import make_engine
from webcare.models import User
from webcare.runtime import build_runtime
from webcare.services import inbox
from webcare.services.users import create_user

FILTERS = [("", {}), ("department OW", {"department": "OW"}), ("free text", {"q": "container"}),
           ("all statuses", {"statuses": inbox.parse_statuses("all")}),
           ("closed", {"statuses": inbox.parse_statuses("closed")}), ("label", {"label": "pers"}),
           ("platform x", {"platform": "x"})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_inbox")
    parser.add_argument("--generate", action="store_true", help="(re)make the million tickets first")
    args = parser.parse_args()
    settings = load_settings(environ={}, overrides={
        "env": "test", "database_url": args.database_url, "redis_url": "redis://127.0.0.1:6379/4",
        "secret_key": "bench-secret-key-0123456789", "encryption_keys": [Fernet.generate_key().decode()],
        "log_level": "WARNING", "instance_path": "/tmp/webcare-bench"})
    if args.generate:
        _generate(settings)
    runtime = build_runtime(settings)
    with runtime.transaction() as session:
        agent = session.scalar(select(User).where(User.email == "bench@voorbeeldstad.nl"))
        department = session.scalar(select(User).where(User.email == "ow@voorbeeldstad.nl"))
        cases = [(f"agent {label}", agent, kw) for label, kw in FILTERS] + [("department user", department, {})]
        for name, user, kw in cases:
            for sort in ("urgent", "newest"):
                first, second, rows = _timed(session, user, inbox.Filters(sort=sort, **kw))
                print(f"{name:28} {sort:7} first page median {first:6.1f} ms, second page {second:6.1f} ms, {rows} rows")
    runtime.dispose()


def _generate(settings) -> None:
    started = time.monotonic()
    inbox_data.reset(settings.database_url)
    inbox_data.people(settings)
    engine = make_engine(settings.database_url)
    inbox_data.tickets(engine, 1_000_000)
    engine.dispose()
    runtime = build_runtime(settings)
    with runtime.transaction() as session:
        create_user(session, "ow@voorbeeldstad.nl", "department", name="OW", department_codes=("OW",))
    runtime.dispose()
    print(f"generated in {time.monotonic() - started:.0f} s")


def _timed(session, user: User, filters: inbox.Filters) -> tuple[float, float, int]:
    """The first page's median over seven runs and the second page once, in ms, and the rows of the first."""
    times = []
    for _ in range(7):
        started = time.perf_counter()
        page = inbox.list_tickets(session, user, filters, limit=50)
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    inbox.list_tickets(session, user, filters, limit=50, cursor=page.next_cursor)
    return statistics.median(times), (time.perf_counter() - started) * 1000, len(page.items)


if __name__ == "__main__":
    main()
