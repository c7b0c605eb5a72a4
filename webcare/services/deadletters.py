"""Dead letters: jobs that failed for good (rq's FailedJobRegistry), to inspect, retry or discard.

Also `requeue_abandoned()`: a job whose worker died (SIGKILL, OOM, power loss) stays "started" until
its heartbeat expires; rq's StartedJobRegistry cleanup then retries it when it has retries left (ingest,
poll and delivery jobs do) or moves it here. Workers run that cleanup every ten minutes; the recovery
sweep runs it every minute so a lost batch is picked up soon after it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from webcare.errors import Conflict, NotFound
from webcare.queue import ALL_QUEUES

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


def discard(redis: Redis, job_id: str) -> None:
    job = _fetch(redis, job_id)
    registry = FailedJobRegistry(job.origin, connection=redis)
    if job.id not in registry.get_job_ids(cleanup=False):
        raise Conflict(f"job {job_id} is not a failed job", code="not_failed")
    registry.remove(job, delete_job=True)


def requeue_abandoned(redis: Redis, queues: tuple[str, ...] = ALL_QUEUES, at: float | None = None) -> list[str]:
    """Let rq retry (or fail) the jobs of dead workers whose heartbeat expired before `at` (default now)."""
    found: list[str] = []
    for name in queues:
        registry = StartedJobRegistry(name, connection=redis)
        found += registry.get_expired_job_ids(at)
        registry.cleanup(timestamp=at)
    return found


def _fetch(redis: Redis, job_id: str) -> Job:
    try:
        return Job.fetch(job_id, connection=redis)
    except NoSuchJobError as exc:
        raise NotFound(f"job {job_id} not found") from exc
