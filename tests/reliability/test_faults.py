"""Faults against the real processes: killed workers, Redis and PostgreSQL restarts (tests/reliability).

Each scenario starts the web server, two workers and the scheduler (stack.py) against the test database and
a private Redis, lets citizens post on the fake Mastodon, injects one fault, and then waits until the system
is at rest *without any manual requeue*: only the processes' own retries, heartbeats and the recovery sweep
may repair things. Then every invariant of checks.py must hold. The recovery time (fault to rest) is
printed for docs/RELIABILITY.md. Timings are compressed (stack.FAST); the platform-fault scenarios have
a longer variant behind --runslow (test_platform_faults.py).
"""

from __future__ import annotations

import time

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from tests import factories as f
from tests.reliability import checks
from tests.reliability.stack import wait_for
from webcare.models import Ticket
from webcare.services import replies

RECOVERY_TIMEOUT = 90


def settle(harness, started: float, what: str, timeout: float = RECOVERY_TIMEOUT) -> float:
    """Wait until everything posted is stored and every reply sent; return the seconds since `started`."""
    wait_for(lambda: checks.drained(harness.runtime, len(harness.texts)), timeout,
             lambda: f"recovery after {what}: {checks.unrest(harness.runtime, harness.texts)}\nlogs: {harness.log_dir}",
             every=0.5, stack=harness.stack)
    seconds = time.monotonic() - started
    print(f"\n[reliability] {what}: at rest {seconds:.1f} s after the fault")
    return seconds


def assert_invariants(harness) -> None:
    problems = checks.invariants(harness.runtime, harness.fediverse, harness.texts)
    assert problems == {}, f"{problems}\nlogs: {harness.log_dir}"


def running_job(redis, queue: str) -> Job | None:
    ids = StartedJobRegistry(queue, connection=redis).get_job_ids(cleanup=False)
    return Job.fetch(ids[0], connection=redis) if ids else None


def test_worker_killed_in_the_middle_of_an_ingest_batch(harness):
    stack = harness.prepare()
    redis = harness.runtime.redis
    # on SQLite the held lock is the whole database's: a poll in flight would wait for it (30 s) holding its
    # channel's poll, so no batch would start; the workers stop between polls and go on once the posts are there
    harness.pause_workers_between_polls()
    with harness.writes_held():
        harness.post(25)
        stack.resume_workers()
        job = wait_for(lambda: running_job(redis, "ingest"), 30, "an ingest batch to start", stack=stack)
        victim = stack.by_worker_name(job.worker_name)
        time.sleep(0.5)  # inside the batch, waiting for the lock
        stack.kill(victim.name)
        killed = time.monotonic()
    settle(harness, killed, "kill -9 of a worker in an ingest batch")
    assert not Job.exists(job.id, connection=redis)  # the dead worker's batch ran again and finished (result_ttl=0)
    stack.revive(victim.name)
    stack.assert_alive()
    assert_invariants(harness)


def test_worker_killed_after_posting_a_reply_is_not_posted_twice(harness):
    if not harness.is_postgres:
        pytest.skip("needs PostgreSQL row locks to stop a worker between the platform call and its commit")
    stack = harness.prepare()
    harness.post(6)
    settle(harness, time.monotonic(), "ingest before the reply scenario")
    runtime = harness.runtime
    stack.pause_workers()
    with runtime.transaction() as session:
        agent = f.user(session, "agent")
        tickets = session.scalars(select(Ticket).order_by(Ticket.id).limit(3)).all()
        for ticket in tickets:
            replies.queue_reply(session, ticket, agent, f"Antwoord op melding {ticket.id}: we gaan aan de slag.",
                                "public")
        ids = ", ".join(str(t.id) for t in tickets)
    with harness.writes_held(f"SELECT id FROM tickets WHERE id IN ({ids}) FOR UPDATE"):
        stack.resume_workers()
        job = wait_for(lambda: _posted_reply_job(runtime, harness.fediverse), 30, "a reply on the platform", stack=stack)
        time.sleep(0.5)  # the worker now waits to record `sent`
        victim = stack.by_worker_name(job.worker_name)
        stack.kill(victim.name)
        killed = time.monotonic()
    settle(harness, killed, "kill -9 of a worker after the platform took its reply")
    stack.revive(victim.name)
    assert_invariants(harness)


def _posted_reply_job(runtime, fediverse) -> Job | None:
    job = running_job(runtime.redis, "replies")
    if job is None:
        return None
    posted = [s for s in checks.platform_replies(fediverse) if "Antwoord op melding" in s["content"]]
    return job if posted else None


@pytest.mark.parametrize("wipe", [False, True], ids=["data-kept", "data-lost"])
def test_redis_restarted_with_jobs_queued(harness, wipe):
    stack = harness.prepare()
    redis = harness.runtime.redis
    harness.pause_workers_between_polls()
    harness.post(40)
    with harness.writes_held():
        stack.resume_workers()
        wait_for(lambda: Queue("ingest", connection=redis).count >= 2, 30, "ingest jobs queued", stack=stack)
        if wipe:
            harness.redis_server.crash(wipe=True, down_seconds=1.0)
        else:
            harness.redis_server.restart(down_seconds=1.0)
        restarted = time.monotonic()
    settle(harness, restarted, f"Redis restarted ({'data lost' if wipe else 'data kept'}) with jobs queued")
    stack.assert_alive()
    assert_invariants(harness)
