"""Dead letters: jobs that failed for good (rq's FailedJobRegistry), to inspect, retry or discard.

Also `requeue_abandoned()`: a job whose worker died (SIGKILL, OOM, power loss) stays "started" until
its heartbeat expires; rq's StartedJobRegistry cleanup then retries it when it has retries left (ingest,
poll and delivery jobs do) or moves it here. Workers run that cleanup every ten minutes; the recovery
sweep runs it every minute so a lost batch is picked up soon after it expires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.utils import as_text, parse_composite_key
from sqlalchemy.orm import Session

from webcare.errors import Conflict, NotFound
from webcare.queue import ALL_QUEUES
from webcare.services import webhooks

PREVIEW_CHARS = 2000


@dataclass(frozen=True)
class DeadLetter:
    job_id: str
    queue: str
    func: str
    payload: str
    error: str
    traceback: str
    failed_at: datetime | None
    attempts_left: int | None


def dead_letters(redis: Redis, queues: tuple[str, ...] = ALL_QUEUES, limit: int = 200) -> list[DeadLetter]:
    """Failed jobs, newest first, with their error and payload."""
    letters: list[DeadLetter] = []
    for name in queues:
        registry = FailedJobRegistry(name, connection=redis)
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        letters += [_letter(job, name) for job in Job.fetch_many(ids, connection=redis) if job is not None]
    letters.sort(key=lambda letter: letter.failed_at.timestamp() if letter.failed_at else 0.0, reverse=True)
    return letters[:limit]


def _letter(job: Job, queue: str) -> DeadLetter:
    result = job.latest_result()
    traceback = (result.exc_string if result is not None else None) or ""
    error = next((line for line in reversed(traceback.strip().splitlines()) if line.strip()), "")
    payload = ", ".join([repr(arg) for arg in job.args] + [f"{k}={v!r}" for k, v in job.kwargs.items()])
    return DeadLetter(job_id=job.id, queue=queue, func=job.func_name or "", payload=payload[:PREVIEW_CHARS],
                      error=error[:500], traceback=traceback[-PREVIEW_CHARS * 4:], failed_at=job.ended_at,
                      attempts_left=job.retries_left)


def retry(redis: Redis, job_id: str) -> Job:
    """Put a failed job back on its queue (our jobs are idempotent, so a retry is always safe)."""
    job = _fetch(redis, job_id)
    try:
        return FailedJobRegistry(job.origin, connection=redis).requeue(job)
    except InvalidJobOperation as exc:
        raise Conflict(f"job {job_id} is not a failed job", code="not_failed") from exc


def discard(session: Session, redis: Redis, job_id: str) -> None:
    """Delete a failed job for good. A webhook delivery's job also gives up its stored delivery: else the
    recovery sweep, which puts back the job of an unprocessed delivery that has none, would bring it back."""
    job = _fetch(redis, job_id)
    registry = FailedJobRegistry(job.origin, connection=redis)
    if job.id not in registry.get_job_ids(cleanup=False):
        raise Conflict(f"job {job_id} is not a failed job", code="not_failed")
    if job.func_name == webhooks.PROCESS_JOB:
        webhooks.give_up(session, *job.args)
    registry.remove(job, delete_job=True)


def _fetch(redis: Redis, job_id: str) -> Job:
    try:
        return Job.fetch(job_id, connection=redis)
    except NoSuchJobError as exc:
        raise NotFound(f"job {job_id} not found") from exc


def requeue_abandoned(redis: Redis, queues: tuple[str, ...] = ALL_QUEUES, at: float | None = None) -> list[str]:
    """Let rq retry (or fail) the jobs of dead workers whose heartbeat expired before `at` (default now)."""
    found: list[str] = []
    for name in queues:
        registry = StartedJobRegistry(name, connection=redis)
        found += registry.get_expired_job_ids(at)
        forget_dead_executions(registry, at)
        registry.cleanup(timestamp=at)
    return found


def enqueue_overdue(redis: Redis, late_by: float, queues: tuple[str, ...] = ALL_QUEUES,
                    at: float | None = None) -> list[str]:
    """Move jobs whose retry back-off ended more than `late_by` seconds ago onto their queue; returns their ids.

    Moving them is the job of a retry scheduler that runs inside one of the workers (rq's RQScheduler, a
    child process holding a lock). When that worker was killed, its lock lasts another 61 s before another
    worker takes over; when the child died or hangs, nothing moves at all until the worker's maintenance.
    The recovery sweep uses this as a safety net: a job is taken out of the scheduled registry (ZREM: only
    one mover wins) before it is enqueued, and only when it is clearly late, so a healthy scheduler, which
    moves jobs within a second, is never raced.
    """
    cutoff = (at if at is not None else time.time()) - late_by
    moved: list[str] = []
    for name in queues:
        queue = Queue(name, connection=redis)
        registry = ScheduledJobRegistry(name, connection=redis)
        for job_id in registry.get_jobs_to_schedule(int(cutoff)):
            if not redis.zrem(registry.key, job_id):
                continue  # the scheduler got there first
            try:
                queue.enqueue_job(Job.fetch(job_id, connection=redis))
            except NoSuchJobError:
                continue
            moved.append(job_id)
    return moved


def forget_gone_executions(redis: Redis, job_id: str) -> int:
    """Drop from a job's execution registry the executions whose hash has expired (dead workers')."""
    key = ExecutionRegistry(job_id=job_id, connection=redis).key
    gone = [e for e in (as_text(x) for x in redis.zrange(key, 0, -1))
            if not redis.exists(Execution(id=e, job_id=job_id, connection=redis).key)]
    return redis.zrem(key, *gone) if gone else 0


def forget_dead_executions(registry: StartedJobRegistry, at: float | None = None) -> int:
    """Forget the executions of dead workers (lease expired before `at`) in their jobs' registries.

    rq keeps an execution in the job's execution registry 60 s longer than the execution itself (its hash
    expires with the lease). A job retried in that window, as the recovery sweep does, fails when it
    finishes: rq's cleanup fetches every execution of the job and raises on the missing one ("Execution
    ... not found in Redis"), so the work is done and committed but the job is recorded as failed and
    retried, again and again. An execution whose lease expired is dead, so it is forgotten here.
    """
    redis = registry.connection
    cutoff = at if at is not None else time.time()
    dropped = 0
    for entry in [as_text(e) for e in redis.zrangebyscore(registry.key, 0, cutoff)]:
        job_id, execution_id = parse_composite_key(entry)
        execution = Execution(id=execution_id, job_id=job_id, connection=redis)
        dropped += redis.zrem(ExecutionRegistry(job_id=job_id, connection=redis).key, execution_id)
        redis.delete(execution.key)
    return dropped
