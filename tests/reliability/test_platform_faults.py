"""The platform misbehaves for a while: 429, 503, timeouts, malformed JSON and truncated bodies.

The fake Mastodon (mastodon-mock's fault plane) answers the polls and the reply posts with errors while
citizens keep posting; afterwards every invariant of checks.py must hold, and polling must have resumed
on its own (rq's Retry of a poll that met a transient error, polling.transient_retry, then the sweep's
back-off of a failing channel, polling._wait: four transient failures in a row take 2 + 10 + 30 s of rq's
back-off and about 20 s of the sweep's, so this waits longer than RECOVERY_TIMEOUT). The default run compresses the
bad spell to seconds; `--runslow` keeps the platform failing for three minutes, with timeouts on reply
posts that the platform still carries out after the client gave up (the classic double-post trap: the
retry must reuse the idempotency key).
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests.reliability.test_faults import RECOVERY_TIMEOUT, assert_invariants, settle

POLL = "/api/v1/notifications"
POST = "/api/v1/statuses"
BACK_OFF_TIMEOUT = RECOVERY_TIMEOUT + 90


def faults(now: float) -> list[tuple[str, dict, str | None]]:
    """One round of every kind of failure, on the poll and on the reply post."""
    return [
        (POLL, {"type": "ratelimit", "headers": {"X-RateLimit-Reset": str(int(now) + 3)}}, None),
        (POLL, {"type": "status", "status": 503}, None),
        (POLL, {"type": "timeout", "delay_ms": 3000}, None),  # the adapter gives up after 2 s
        (POLL, {"type": "malformed", "truncate": True}, None),  # a truncated body
        (POLL, {"type": "malformed", "truncate": False}, None),  # not JSON at all
        (POST, {"type": "status", "status": 503}, "POST"),
        (POST, {"type": "ratelimit", "headers": {"X-RateLimit-Reset": str(int(now) + 3)}}, "POST"),
        (POST, {"type": "malformed", "truncate": True}, "POST"),
        (POST, {"type": "status", "status": 502}, "POST"),
    ]


def inject(fediverse, rules, count: int = 1) -> None:
    for path, effect, method in rules:
        fediverse.fault(path, effect, count=count, methods=[method] if method else None)


def test_platform_errors_for_a_while(harness):
    stack = harness.prepare()
    harness.post(5, "voor-")
    stack.pause_workers()  # the faults must meet the polls and the acknowledgements, not the citizens' posts
    harness.post(15, "tijdens-")
    inject(harness.fediverse, faults(time.time()))
    stack.resume_workers()
    began = time.monotonic()
    settle(harness, began, "a spell of 429/503/timeouts/malformed/truncated answers", BACK_OFF_TIMEOUT)
    harness.stack.assert_alive()
    assert_invariants(harness)


@pytest.mark.slow
def test_platform_errors_for_minutes(harness):
    """Three minutes of a failing platform, a round of faults every few seconds, citizens posting."""
    harness.prepare()
    deadline = time.monotonic() + 180
    for n in itertools.count():
        if time.monotonic() > deadline:
            break
        rules = faults(time.time())
        if n % 6 == 0:  # now and then the platform posts the reply after the client gave up
            rules.append((POST, {"type": "timeout", "delay_ms": 3000}, "POST"))
        harness.stack.pause_workers()
        harness.fediverse.clear_faults()  # citizens' own posts go through
        harness.post(3, f"r{n}-")
        inject(harness.fediverse, rules, count=2)
        harness.stack.resume_workers()
        time.sleep(5)
    harness.fediverse.clear_faults()
    time.sleep(35)  # the last held posts (the mock holds a timed-out request 30 s) reach the platform
    settle(harness, time.monotonic(), "three minutes of platform errors", BACK_OFF_TIMEOUT)
    harness.stack.assert_alive()
    assert_invariants(harness)
