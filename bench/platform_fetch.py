"""Fetch throughput of the X and Bluesky adapters against their local fake servers (real HTTP).

    .venv/bin/python bench/platform_fetch.py --mentions 1000 --dms 200

For each platform: the fake gets N mentions and M DMs/chats from three citizens, then one poll
(`adapter.fetch`) with a backlog-sized page limit reads them all; reported are the messages, HTTP
requests, seconds and messages per second of that poll (normalisation included), and of an empty poll
right after (what every idle poll costs). It reports numbers; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.bluesky import APP_PASSWORD, MUNICIPALITY, FakeBluesky  # noqa: E402
from tests.fakes.x import TOKEN, FakeX  # noqa: E402
from webcare import platforms  # noqa: E402

NAMES = ("jan", "fatima", "piet")


def measure(fake, adapter, state=None) -> dict:
    before = len(fake.requests)
    start = time.perf_counter()
    result = adapter.fetch(state or {}, max_messages=100_000)
    seconds = time.perf_counter() - start
    return {"messages": len(result.messages), "requests": len(fake.requests) - before,
            "seconds": round(seconds, 3), "per_second": round(len(result.messages) / seconds, 1) if seconds else None,
            "cursor": result.cursor}


def bench_x(mentions: int, dms: int) -> dict:
    with FakeX() as x:
        adapter = platforms.build_adapter("x", base_url=x.base_url, credentials={"access_token": TOKEN},
                                          options={"max_pages": 10_000, "dm_max_pages": 10_000})
        first = measure(x, adapter)  # sets since_id and the last DM id
        for n in range(mentions):
            x.post(NAMES[n % 3], f"Melding {n}: de lantaarnpaal bij nummer {n} is kapot.")
        for n in range(dms):
            x.dm(NAMES[n % 3], f"Vraag {n}: wanneer wordt de container geleegd?")
        adapter.options["dm_poll_seconds"] = 0
        full = measure(x, adapter, {**first["cursor"], "dm_next_at": None})
        idle = measure(x, adapter, {**full["cursor"], "dm_next_at": None})
    return {"backlog": _clean(full), "idle": _clean(idle)}


def bench_bluesky(mentions: int, dms: int) -> dict:
    with FakeBluesky() as sky:
        adapter = platforms.build_adapter("bluesky", base_url=sky.base_url,
                                          credentials={"identifier": MUNICIPALITY["handle"], "app_password": APP_PASSWORD},
                                          options={"max_pages": 10_000})
        first = measure(sky, adapter)
        for n in range(mentions):
            sky.post(NAMES[n % 3], f"Melding {n}: de lantaarnpaal bij nummer {n} is kapot.")
        for n in range(dms):
            sky.chat(NAMES[n % 3], f"Vraag {n}: wanneer wordt de container geleegd?")
        full = measure(sky, adapter, first["cursor"])
        idle = measure(sky, adapter, full["cursor"])
    return {"backlog": _clean(full), "idle": _clean(idle)}


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "cursor"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1000)
    parser.add_argument("--dms", type=int, default=200)
    args = parser.parse_args()
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "date": datetime.now(UTC).isoformat(timespec="seconds"), "mentions": args.mentions, "dms": args.dms,
              "x": bench_x(args.mentions, args.dms), "bluesky": bench_bluesky(args.mentions, args.dms)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
