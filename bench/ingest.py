"""Ingest throughput: messages per second from the `ingest` queue to committed, threaded tickets.

    .venv/bin/python bench/ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --redis-url redis://127.0.0.1:6379/1 --messages 20000 --batch 500 --workers 2

What it does (THE DATABASE AND THE REDIS DATABASE IT IS GIVEN ARE WIPED):
1. migrates an empty schema, seeds the defaults (rules, policy, calendar), creates one Mastodon channel;
2. baseline: a raw batched `INSERT ... ON CONFLICT DO NOTHING` of the same message rows into a copy of
   the `messages` table (`CREATE TABLE ... (LIKE messages INCLUDING ALL)`), one connection;
3. pipeline: starts N real worker processes (`webcare worker --queues ingest`), waits until they listen,
   enqueues the messages in batches (one rq job per batch) and measures until every citizen's message is
   committed on its ticket (worst case: every message opens a new ticket: contact, message, ticket routed
   by the default rules with its SLA clocks, `created`/`routed` events, the automatic acknowledgement the
   rule asks for (outbound message, its `auto_ack_sent` event, a `send_reply` job), realtime events);
   and the CPU that took per message: user + system time (from /proc) of the worker processes and of their
   PostgreSQL backends (the other client backends of this scratch database), read when the batches are
   enqueued and when the queue is drained; on a shared machine this moves far less than msg/s;
4. checks that every message, ticket and acknowledgement is there, one delivery job per acknowledgement,
   and no job failed;
5. breakdown: runs a few batches in this process and reports where their time goes and the SQL
   statements per batch.
It reports numbers and the load average of the machine; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from rq import Queue, Worker
from rq.registry import StartedJobRegistry
from sqlalchemy import MetaData, event, func, select, text

from webcare import migrate
from webcare.calendar import statutory_holidays
from webcare.config import load_settings
from webcare.models import Message, Ticket, TicketEvent
from webcare.platforms.base import InboundMessage
from webcare.queue import QUEUE_INGEST, QUEUE_REPLIES, Broker
from webcare.runtime import build_runtime
from webcare.services import channels, ingest, ingest_store, polling, routing, seed, sla
from webcare.services.ingest_store import MESSAGES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.cpu import backend_pids, cpu_seconds  # noqa: E402

WORDS = ["lantaarnpaal", "kapot", "container", "vol", "stoep", "losse", "tegel", "gat", "fietspad", "graffiti",
         "wespennest", "boom", "tak", "riool", "stinkt", "parkeren", "overlast", "geluid", "hondenpoep",
         "zwerfvuil", "gladheid", "verkeerslicht", "brug"]


def main() -> None:
    args = _arguments()
    settings = load_settings(environ={}, overrides={
        "env": "test", "database_url": args.database_url, "redis_url": args.redis_url,
        "secret_key": "bench-secret-key-0123456789", "encryption_keys": [Fernet.generate_key().decode()],
        "ingest_batch_size": args.batch, "log_level": "WARNING", "instance_path": "/tmp/webcare-bench"})
    runtime = build_runtime(settings)
    channel_id = _prepare(runtime)
    messages = _messages(args.messages, args.per_thread)
    raw_before = _raw_insert(runtime, channel_id, messages, args.batch)
    load_before = os.getloadavg()[0]
    pipeline_rate, elapsed, committed, cpu = _pipeline(runtime, settings, channel_id, messages, args.workers)
    load_after = os.getloadavg()[0]
    raw_after = _raw_insert(runtime, channel_id, messages, args.batch)
    raw_rate = (raw_before + raw_after) / 2  # the machine is shared: the mean of a run before and one after
    checks = _checks(runtime, len(messages), args.per_thread)
    breakdown = _breakdown(runtime, channel_id, args.batch)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": _machine(),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "messages": len(messages), "batch": args.batch, "workers": args.workers,
        "messages_per_thread": args.per_thread,
        "raw_insert_rows_per_s": round(raw_rate),
        "raw_insert_before_after": [round(raw_before), round(raw_after)],
        "pipeline_msgs_per_s": round(pipeline_rate), "pipeline_seconds": round(elapsed, 2),
        "messages_committed_when_drained": committed,
        "cpu_us_per_message": {name: round(seconds * 1e6 / len(messages)) for name, seconds in cpu.items()},
        "ratio_to_raw": round(pipeline_rate / raw_rate, 3), **checks, "breakdown": breakdown,
    }
    print(json.dumps(report, indent=2))
    runtime.dispose()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "WEBCARE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_ingest"))
    parser.add_argument("--redis-url", default=os.environ.get("WEBCARE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"))
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-thread", type=int, default=1, help="messages per thread (1: every one a new ticket)")
    return parser.parse_args()


def _prepare(runtime) -> int:
    engine = runtime.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(runtime.settings.database_url)
    runtime.redis.flushdb()
    with runtime.transaction() as session:
        seed.seed_defaults(session)
        channel = channels.create_channel(session, platform="mastodon", name="bench", base_url="https://bench.example",
                                          token="unused")
        return channel.id


def _messages(count: int, per_thread: int) -> list[InboundMessage]:
    rng = random.Random(42)
    start = _weekday_morning()
    authors = [f"burger{n}@bench.example" for n in range(max(1, count // 5))]
    out = []
    for n in range(count):
        author = authors[rng.randrange(len(authors))]
        text_ = "@gemeente " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
        out.append(InboundMessage(external_id=str(10**15 + n), thread_key=f"status:{10**15 + n - n % per_thread}",
                                  kind="mention", visibility="public", text=text_, author_id=author,
                                  author_handle="@" + author, author_name=author.split("@")[0],
                                  created_at=start + timedelta(milliseconds=n), raw={"status_id": str(n)}))
    return out


def _weekday_morning() -> datetime:
    """09:00 in Amsterdam on the latest Tuesday to Thursday at least a day ago: every message arrives within
    opening hours, each at its own moment (the most work for the SLA clocks), whenever the bench runs."""
    zone = ZoneInfo("Europe/Amsterdam")
    day = datetime.now(zone).date() - timedelta(days=1)
    while day.weekday() not in (1, 2, 3) or day in statutory_holidays(day.year):
        day -= timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=zone).astimezone(UTC)


def _raw_insert(runtime, channel_id: int, messages: list[InboundMessage], batch: int) -> float:
    """Baseline: the same rows, batched `INSERT ... ON CONFLICT DO NOTHING`, no tickets, one connection."""
    from sqlalchemy.dialects.postgresql import insert

    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_raw_messages"))
        conn.execute(text("CREATE TABLE bench_raw_messages (LIKE messages INCLUDING ALL)"))
    table = MESSAGES.to_metadata(MetaData(), name="bench_raw_messages")
    now = datetime.now(UTC)
    rows = [ingest._message_row(_FakeBatch(channel_id, now), m, None) for m in messages]
    for row in rows:
        row.pop("id", None)
    statement = insert(table).on_conflict_do_nothing(index_elements=["channel_id", "external_id"])
    started = time.perf_counter()
    with runtime.engine.connect() as conn:
        for i in range(0, len(rows), batch):
            with conn.begin():
                conn.execute(statement, rows[i:i + batch])
    rate = len(rows) / (time.perf_counter() - started)
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_raw_messages"))
    return rate


class _FakeBatch:
    def __init__(self, channel_id: int, now: datetime):
        self.channel = type("C", (), {"id": channel_id, "platform": "mastodon"})()
        self.now = now
        self.contacts: dict = {}


def _pipeline(runtime, settings, channel_id: int, messages: list[InboundMessage], workers: int):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBCARE_")}
    env.update({"WEBCARE_ENV": "test", "WEBCARE_DATABASE_URL": settings.database_url,
                "WEBCARE_REDIS_URL": settings.redis_url, "WEBCARE_SECRET_KEY": settings.secret_key,
                "WEBCARE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys), "WEBCARE_LOG_LEVEL": "WARNING",
                "WEBCARE_INSTANCE_PATH": settings.instance_path})
    def command(n: int) -> list[str]:
        return [sys.executable, "-m", "webcare", "worker", "--queues", QUEUE_INGEST, "--name", f"bench-{n}-{os.getpid()}"]

    procs = [subprocess.Popen(command(n), env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for n in range(workers)]
    try:
        _wait(lambda: len(Worker.all(connection=runtime.redis)) >= workers, 60)
        specs = polling.ingest_jobs(channel_id, messages, settings.ingest_batch_size)
        backends_before = cpu_seconds(backend_pids(runtime.engine))
        workers_before = cpu_seconds([proc.pid for proc in procs])
        started = time.perf_counter()
        runtime.broker.enqueue_now(specs)
        _wait(lambda: _drained(runtime.redis), 3600, step=0.05)  # Redis only: no query competing with the workers
        elapsed = time.perf_counter() - started
        cpu = {"workers": cpu_seconds([proc.pid for proc in procs]) - workers_before,
               "postgres_backends": cpu_seconds(backend_pids(runtime.engine)) - backends_before}
        cpu["total"] = cpu["workers"] + cpu["postgres_backends"]
        committed = _count(runtime, Message, Message.direction == "in")  # all of them, or the report says so
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
    return len(messages) / elapsed, elapsed, committed, cpu


def _drained(redis) -> bool:
    """Every ingest job done: none waiting, none just taken by a worker, none running (its transaction
    commits before the job ends)."""
    queue = Queue(QUEUE_INGEST, connection=redis)
    pipe = redis.pipeline(transaction=False)
    pipe.llen(queue.key).llen(queue.intermediate_queue_key).zcard(StartedJobRegistry(queue=queue).key)
    return not any(pipe.execute())


def _checks(runtime, expected: int, per_thread: int) -> dict:
    redis = runtime.redis
    return {"messages_stored": _count(runtime, Message, Message.direction == "in"), "tickets": _count(runtime, Ticket),
            "tickets_expected": -(-expected // per_thread), "events": _count(runtime, TicketEvent),
            "acknowledgements": _count(runtime, Message, Message.direction == "out"),
            "delivery_jobs_queued": Queue(QUEUE_REPLIES, connection=redis).count,
            "failed_jobs": redis.zcard(f"rq:failed:{QUEUE_INGEST}")}


def _breakdown(runtime, channel_id: int, batch: int, batches: int = 8) -> dict:
    """Where the time of an ingest batch goes (in this process): wall time of the steps, statements."""
    spent: dict[str, float] = defaultdict(float)
    patches = [(routing, "route_new_row", "routing"), (sla, "start_clocks_for_rows", "sla_clocks"),
               (ingest_store, "insert_tickets", "insert_tickets"), (routing, "acknowledge_new_tickets", "acknowledgements"),
               (Broker, "enqueue_now", "after_commit_jobs"), (Broker, "_publish_many_quietly", "after_commit_realtime")]
    originals = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, label in patches:
        setattr(module, name, _timed(spent, label, getattr(module, name)))
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    messages = [InboundMessage(**{**m.__dict__, "external_id": "b" + m.external_id, "thread_key": "b" + m.thread_key})
                for m in _messages(batch * batches, 1)]
    event.listen(runtime.engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    try:
        for i in range(0, len(messages), batch):
            with runtime.transaction() as session:
                ingest.ingest_batch(session, channel_id, messages[i:i + batch])
    finally:
        total = time.perf_counter() - started
        event.remove(runtime.engine, "before_cursor_execute", listener)
        for module, name, original in originals:
            setattr(module, name, original)
    return {"one_process_msgs_per_s": round(len(messages) / total),
            "statements_per_batch": round(len(statements) / batches, 1),
            "us_per_message": {"total": round(total * 1e6 / len(messages)),
                               **{label: round(value * 1e6 / len(messages)) for label, value in spent.items()}}}


def _timed(spent: dict[str, float], label: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started
    return wrapper


def _count(runtime, model, *where) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar()


def _wait(condition, timeout: float, step: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step timed out")
        time.sleep(step)


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


if __name__ == "__main__":
    main()
