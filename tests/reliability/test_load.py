"""Load: ingest at a steady rate while 32 clients use the inbox (bench/inbox_under_ingest.py does the work).

The default run is short (a few seconds, a modest rate) and asserts correctness only: no server error,
nothing lost or stored twice, one ticket per message, queues drained, no dead letters. `--runslow` runs a
minute at the benchmark rate (docs/PERFORMANCE.md: ~3,000 msg/s on this machine) and prints p99 of the
inbox requests; the figures are reported in docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os

import pytest

from bench.inbox_under_ingest import run_load
from tests.reliability.load_setup import prepare_load

CLIENTS = 32


def _run(harness, seconds: float, rate: float, drain_timeout: float) -> dict:
    ctx = prepare_load(harness, CLIENTS)
    samples, sent = run_load(ctx.base_url, ctx.runtime, ctx.channel_id, ctx.sessions, seconds, rate)
    print("\n[reliability] load phase:", json.dumps({"messages": sent, "server_errors": samples.server_errors(),
                                                     "load": os.getloadavg(), **samples.report(seconds)}), flush=True)
    drain = ctx.wait_drained(sent, timeout=drain_timeout)
    report = {"messages": sent, "drain_seconds": round(drain, 1), "server_errors": samples.server_errors(),
              "problems": ctx.problems(sent), "load": os.getloadavg(), **samples.report(seconds)}
    print("\n[reliability] load:", json.dumps(report, default=str))
    assert sent > 0
    assert report["server_errors"] == 0, report
    assert report["problems"] == {}, report
    assert all(report[page]["requests"] > 0 for page in ("/inbox", "/api/v1/tickets")), report
    assert all(set(report[page]["statuses"]) == {200} for page in ("/inbox", "/api/v1/tickets")), report
    return report


def test_inbox_under_ingest_short(harness):
    _run(harness, seconds=4, rate=150, drain_timeout=120)


@pytest.mark.slow
def test_inbox_under_ingest_at_benchmark_rate(harness):
    # every message gets an automatic acknowledgement posted to the platform one by one: draining them is
    # what takes long here (about 50 a second with two workers on two CPUs)
    _run(harness, seconds=60, rate=3000, drain_timeout=3600)
