"""Load: ingest at a steady rate while 32 clients use the inbox (HTML pages and the API list endpoint).

    .venv/bin/python bench/inbox_under_ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<scratch> \\
        --seconds 60 --rate 3000 --clients 32        # WIPES that database; starts its own private Redis

It starts the production processes (gunicorn 2 x 16 threads, two `webcare worker`, `webcare scheduler`;
tests/reliability/stack.py) on that database and a private Redis, then for `--seconds`:
- enqueues ingest batches of 200 new citizens' messages at `--rate` messages per second (the way the
  poller does: one rq job per batch; every message opens a ticket with its acknowledgement, as in
  bench/ingest.py), and
- runs `--clients` closed-loop clients, half on `GET /inbox` (logged in), half on `GET /api/v1/tickets`
  (API token), recording every request's latency and status.
Then it waits until the queues drain and checks that every message is in a ticket and no job failed.
Reports p50/p90/p99 per endpoint, server errors, throughput, how long the drain took, and the load average.
The acknowledgements are posted to a local fake Mastodon (the workers send them like real replies).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webcare.db import utcnow  # noqa: E402
from webcare.platforms.base import InboundMessage  # noqa: E402
from webcare.services import polling  # noqa: E402

WORDS = ["lantaarnpaal", "kapot", "container", "vol", "stoep", "tegel", "gat", "fietspad", "graffiti", "riool"]
PAGES = ("/inbox", "/api/v1/tickets")


def _quantile_ms(ordered: list[float], q: float) -> float:
    """The `q` quantile of sorted latencies in seconds, in milliseconds (nearest rank)."""
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


@dataclass
class Samples:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[page].append(seconds)
            self.statuses[page][status] += 1

    def server_errors(self) -> int:
        return sum(n for codes in self.statuses.values() for code, n in codes.items() if code >= 500) + len(self.errors)

    def report(self, seconds: float) -> dict:
        out = {}
        for page, values in self.latencies.items():
            ordered = sorted(values)
            out[page] = {"requests": len(ordered), "req_per_s": round(len(ordered) / seconds, 1),
                         "p50_ms": _quantile_ms(ordered, 0.5), "p90_ms": _quantile_ms(ordered, 0.9),
                         "p99_ms": _quantile_ms(ordered, 0.99), "statuses": dict(self.statuses[page])}
        out["transport_errors"] = self.errors[:5]
        out["reconnects"] = self.reconnects
        return out


def login(base_url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    answer = session.post(f"{base_url}/login", data={"email": email, "password": password,
                                                     "csrf_token": token.group(1) if token else ""}, timeout=30)
    if "/login" in answer.url:
        raise RuntimeError(f"could not log in as {email}")
    return session


def clients(base_url: str, sessions: list[requests.Session], stop: threading.Event, samples: Samples) -> list:
    def loop(n: int) -> None:
        http, page = sessions[n % len(sessions)], PAGES[n % len(PAGES)]
        while not stop.is_set():
            began = time.perf_counter()
            try:
                status = http.get(base_url + page, timeout=60).status_code
            except requests.ConnectionError:  # a kept-alive connection closed by the server as we sent: retry
                samples.reconnects += 1
                continue
            except requests.RequestException as exc:
                samples.errors.append(f"{page}: {exc.__class__.__name__}")
                continue
            samples.add(page, time.perf_counter() - began, status)
    return [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(len(sessions))]


def messages(start: int, count: int) -> list[InboundMessage]:
    at = utcnow() - timedelta(minutes=5)
    out = []
    for n in range(start, start + count):
        author = f"burger{n % 5000}@load.example"
        text = f"@gemeente load-{n} " + " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(15))
        out.append(InboundMessage(external_id=str(10**15 + n), thread_key=f"status:{10**15 + n}", kind="mention",
                                  visibility="public", text=text, author_id=author, author_handle="@" + author,
                                  author_name=author.split("@")[0], created_at=at + timedelta(milliseconds=n),
                                  raw={"status_id": str(n)}))
    return out


def feed(broker, channel_id: int, rate: float, stop: threading.Event, batch: int = 200) -> list[int]:
    """Enqueue batches at `rate` messages per second until `stop`; returns [messages enqueued]."""
    sent, began = [0], time.monotonic()
    while not stop.is_set():
        due = int((time.monotonic() - began) * rate)
        if due - sent[0] >= batch or (due > sent[0] and stop.is_set()):
            count = min(batch, due - sent[0])
            broker.enqueue_now(polling.ingest_jobs(channel_id, messages(sent[0], count), batch))
            sent[0] += count
        else:
            time.sleep(0.01)
    return sent


def run_load(base_url: str, runtime, channel_id: int, sessions: list[requests.Session], seconds: float,
             rate: float) -> tuple[Samples, int]:
    """Clients and the feeder for `seconds`; returns the samples and how many messages were enqueued."""
    stop, samples = threading.Event(), Samples()
    threads = clients(base_url, sessions, stop, samples)
    result: list[int] = []
    feeder = threading.Thread(target=lambda: result.extend(feed(runtime.broker, channel_id, rate, stop)), daemon=True)
    for thread in [*threads, feeder]:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*threads, feeder]:
        thread.join(timeout=90)
    return samples, result[0] if result else 0


def main() -> None:  # pragma: no cover  (a bench script)
    from tests.reliability.load_setup import load_stack

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, load_stack(args.database_url, Path(tmp), args.clients, wipe=True) as ctx:
        before = os.getloadavg()
        samples, sent = run_load(ctx.base_url, ctx.runtime, ctx.channel_id, ctx.sessions, args.seconds, args.rate)
        drain = ctx.wait_drained(sent, timeout=1800)
        report = {"seconds": args.seconds, "offered_rate": args.rate, "messages": sent,
                  "drain_seconds_after_load": round(drain, 1), "server_errors": samples.server_errors(),
                  "problems": ctx.problems(sent), "load_before": before, "load_after": os.getloadavg(),
                  **samples.report(args.seconds)}
        print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
