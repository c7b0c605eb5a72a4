"""A real worker process killed with SIGKILL in the middle of a job: the job runs again, exactly once.

The worker is held inside its transaction by a lock the test takes (the ingest job after it started
writing, the delivery job after the platform accepted the reply), then killed. rq's StartedJobRegistry
cleanup (run by the recovery sweep once the job's heartbeat expired; here with a timestamp in the
future instead of waiting) retries the abandoned job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select, text

from tests import factories as f
from tests.fakes.mastodon import mastodon  # noqa: F401  (fixture)
from webcare.models import Contact, Message, Ticket, TicketEvent
from webcare.services import deadletters, polling, replies
from workers.heartbeat import BeatingWorker

LATER = 24 * 3600  # seconds: far beyond any job's heartbeat


def _env(settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBCARE_")}
    env.update({"WEBCARE_ENV": "test", "WEBCARE_SECRET_KEY": settings.secret_key,
                "WEBCARE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
                "WEBCARE_DATABASE_URL": settings.database_url, "WEBCARE_REDIS_URL": settings.redis_url,
                "WEBCARE_INSTANCE_PATH": settings.instance_path, "WEBCARE_LOG_LEVEL": "WARNING"})
    return env


@contextmanager
def real_worker(settings, queue: str, log_path):
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "webcare", "worker", "--queues", queue],
                                   env=_env(settings), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@contextmanager
def holding(runtime, is_postgres: bool, postgres_sql: str):
    """Keep writers waiting: a PostgreSQL lock, or SQLite's single write lock."""
    if is_postgres:
        with runtime.engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(text(postgres_sql))
            yield
            transaction.rollback()
    else:
        raw = runtime.engine.raw_connection()
        try:
            raw.driver_connection.execute("BEGIN IMMEDIATE")
            yield
            raw.driver_connection.execute("ROLLBACK")
        finally:
            raw.close()


def kill(process) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def counts(session) -> tuple[int, int, int]:
    session.expire_all()
    inbound = select(func.count()).select_from(Message).where(Message.direction == "in")
    return (session.scalar(select(func.count()).select_from(Ticket)), session.scalar(inbound),
            session.scalar(select(func.count()).select_from(Contact)))


@pytest.fixture
def channel(session, mastodon):  # noqa: F811
    f.seeded(session)
    return mastodon.channel(session)


def test_ingest_batch_of_a_killed_worker_runs_again(runtime, redis, session, settings, is_postgres, mastodon,  # noqa: F811
                                                    channel, tmp_path):
    for n, name in enumerate(("jan", "fatima", "piet", "jan", "fatima")):
        mastodon.post(name, f"Melding {n}: de straatverlichting in wijk {n} is uit.")
    polling.sweep(runtime)
    BeatingWorker(["poll"], connection=redis).work(burst=True)
    [job_id] = Queue("ingest", connection=redis).job_ids
    batch = Job.fetch(job_id, connection=redis)

    with holding(runtime, is_postgres, "LOCK TABLE tickets IN EXCLUSIVE MODE"), \
            real_worker(settings, "ingest", tmp_path / "worker.log") as worker:
        wait_for(lambda: Job.fetch(job_id, connection=redis).get_status() == "started", what="job start")
        time.sleep(1.0)  # the worker is inside the batch, waiting on the lock
        kill(worker)
    # nothing of the half-done batch was committed (its citizens may be: they are stored first, on their own)
    assert counts(session)[:2] == (0, 0)
    assert Job.fetch(job_id, connection=redis).get_status() == "started"  # abandoned

    assert deadletters.requeue_abandoned(redis, at=time.time() + LATER) == [job_id]
    assert Job.fetch(job_id, connection=redis).get_status() == "queued"
    BeatingWorker(["ingest"], connection=redis).work(burst=True)
    assert counts(session) == (5, 5, 3)

    # the same batch delivered once more (the finished job itself is deleted: result_ttl=0): nothing doubles
    Queue("ingest", connection=redis).enqueue_call(batch.func_name, args=batch.args)
    BeatingWorker(["ingest"], connection=redis).work(burst=True)
    assert counts(session) == (5, 5, 3)
    assert session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.type == "created")) == 5


def test_reply_of_a_worker_killed_after_posting_is_not_posted_twice(runtime, redis, session, settings, is_postgres,
                                                                    mastodon, channel, tmp_path):  # noqa: F811
    if not is_postgres:
        pytest.skip("needs row locks to stop the worker between the platform call and its commit")
    status = mastodon.post("jan", "Het fietspad ligt vol glas.")
    polling.sweep(runtime)
    BeatingWorker(["poll", "ingest", "replies"], connection=redis).work(burst=True)  # incl. the acknowledgement
    ticket = session.scalars(select(Ticket)).one()
    agent = f.user(session, "agent")
    message = replies.queue_reply(session, ticket, agent, "We vegen het vandaag nog.", "public")
    session.commit()

    def posted() -> list:
        # ours only: the ticket's automatic acknowledgement answers the same post
        return [s for s in mastodon.statuses_by_municipality()
                if str(s["in_reply_to_id"]) == str(status["id"]) and "We vegen het vandaag nog." in s["content"]]

    with holding(runtime, is_postgres, f"SELECT id FROM tickets WHERE id = {ticket.id} FOR UPDATE"), \
            real_worker(settings, "replies", tmp_path / "worker.log") as worker:
        wait_for(lambda: len(posted()) == 1, what="the reply on the server")
        time.sleep(0.5)  # the worker now waits to record `sent`
        kill(worker)
    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sending"

    job_id = replies.delivery_job_id(message.id)
    assert deadletters.requeue_abandoned(redis, at=time.time() + LATER) == [job_id]
    queue = Queue("replies", connection=redis)
    for scheduled in queue.scheduled_job_registry.get_job_ids():  # its retry back-off has passed
        queue.scheduled_job_registry.remove(scheduled)
        queue.enqueue_job(Job.fetch(scheduled, connection=redis))
    BeatingWorker(["replies"], connection=redis).work(burst=True)

    assert len(posted()) == 1
    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sent"
    sent_events = session.scalars(select(TicketEvent).where(TicketEvent.type == "reply_sent")).all()
    assert [e.data["message_id"] for e in sent_events].count(message.id) == 1
