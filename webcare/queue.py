"""Redis and rq wiring: queue names, deferred enqueueing and realtime publishing after commit.

A `Broker` travels with every session (`session.info["broker"]`), so a service can say "enqueue this
job" or "publish this event" without knowing Redis; both happen only after the transaction commits.
Jobs are named by dotted path, so `webcare` never imports `workers`.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from webcare.db import on_commit

log = logging.getLogger(__name__)

QUEUE_INGEST = "ingest"
QUEUE_DEFAULT = "default"
QUEUE_REPLIES = "replies"
QUEUE_POLL = "poll"
QUEUE_LOW = "low"
ALL_QUEUES = (QUEUE_INGEST, QUEUE_REPLIES, QUEUE_DEFAULT, QUEUE_POLL, QUEUE_LOW)
REALTIME_CHANNEL = "webcare:events"
_EVENT_JSON = json.JSONEncoder(default=str)


def redis_from_url(url: str) -> Redis:
    return Redis.from_url(url, health_check_interval=30, socket_connect_timeout=5, socket_timeout=30)


@dataclass
class JobSpec:
    func: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    queue: str = QUEUE_DEFAULT
    job_id: str | None = None
    unique: bool = False
    retry: Retry | None = None
    timeout: int | None = None
    result_ttl: int | None = None
    failure_ttl: int | None = None


class Broker:
    """Enqueue jobs and publish realtime events, deferred to after the session commits."""

    def __init__(self, redis: Redis):
        self.redis = redis

    def queue(self, name: str) -> Queue:
        return Queue(name, connection=self.redis)

    # -- immediate --------------------------------------------------------------------------------
    def enqueue_now(self, specs: list[JobSpec]) -> list[str]:
        """Enqueue now, the jobs of each queue together; return the ids of enqueued jobs.

        A unique job whose id exists already (queued, running, or kept as finished or failed) is left out.
        """
        enqueued: list[str] = []
        plain: dict[str, list[JobSpec]] = defaultdict(list)
        unique: dict[str, list[JobSpec]] = defaultdict(list)
        for spec in specs:
            (unique if spec.unique else plain)[spec.queue].append(spec)
        for name, batch in unique.items():
            if len(batch) == 1:
                enqueued.extend(self._enqueue_unique(batch[0]))
            else:
                enqueued.extend(self._enqueue_unique_many(name, batch))
        for name, batch in plain.items():
            queue = self.queue(name)
            jobs = queue.enqueue_many([_prepare(queue, spec) for spec in batch])
            enqueued.extend(job.id for job in jobs)
        return enqueued

    def _enqueue_unique(self, spec: JobSpec) -> list[str]:
        queue = self.queue(spec.queue)
        try:
            job = queue.enqueue_call(spec.func, args=spec.args, kwargs=spec.kwargs, job_id=spec.job_id,
                                     unique=True, retry=spec.retry, timeout=spec.timeout,
                                     result_ttl=spec.result_ttl, failure_ttl=spec.failure_ttl)
        except DuplicateJobError:
            log.debug("job %s already exists; not enqueued again", spec.job_id)
            return []
        return [job.id]

    def _enqueue_unique_many(self, name: str, specs: list[JobSpec]) -> list[str]:
        """Many unique jobs on one queue at once, atomic like rq's unique enqueue of one job: one Lua script
        writes the jobs whose id does not exist yet and queues them (`_write_new_jobs`)."""
        written = _write_new_jobs(self.redis, self.queue(name), specs)
        if len(written) < len(specs):
            log.debug("%d job(s) already exist; not enqueued again", len(specs) - len(written))
        return written

    def publish_now(self, event: dict[str, Any]) -> None:
        self.redis.publish(REALTIME_CHANNEL, json.dumps(event, default=str))

    # -- after commit ---------------------------------------------------------------------------
    def enqueue_after_commit(self, session: Session, spec: JobSpec) -> None:
        pending = session.info.get("broker_pending_jobs")
        if pending is None:
            pending = session.info["broker_pending_jobs"] = []
            on_commit(session, lambda: self.enqueue_now(session.info.pop("broker_pending_jobs", [])))
        pending.append(spec)

    def publish_after_commit(self, session: Session, event: dict[str, Any]) -> None:
        on_commit(session, lambda: self._publish_quietly(event))

    def publish_many_after_commit(self, session: Session, events: list[dict[str, Any]]) -> None:
        """Many events as one message (a JSON array) after commit; for batch work such as ingest: one PUBLISH,
        and one message for each open stream to read, instead of one per event (500 in a batch of new tickets)."""
        if events:
            on_commit(session, lambda: self._publish_many_quietly(list(events)))

    def _publish_many_quietly(self, events: list[dict[str, Any]]) -> None:
        try:
            self.redis.publish(REALTIME_CHANNEL, _EVENT_JSON.encode(events))
        except RedisError as exc:
            log.warning("%d realtime events not published: %s", len(events), exc)

    def _publish_quietly(self, event: dict[str, Any]) -> None:
        """Realtime events are a convenience: a Redis hiccup must not fail the committed request."""
        try:
            self.publish_now(event)
        except RedisError as exc:
            log.warning("realtime event not published: %s", exc)


def drop_broken_jobs(redis: Redis, job_ids: list[str]) -> list[str]:
    """Delete job hashes that lack their payload; returns the ids dropped.

    When Redis loses its data under a running job, rq's later writes for that job (heartbeat, status,
    retry) recreate its hash with a field or two and no payload. Such a hash is no job, yet it exists: a
    unique enqueue with that id (a channel's poll, a reply's delivery) would be refused for ever."""
    if not job_ids:
        return []
    pipe = redis.pipeline(transaction=False)
    for job_id in job_ids:
        pipe.exists(Job.key_for(job_id))
        pipe.hexists(Job.key_for(job_id), "data")
    answers = pipe.execute()
    broken = [job_id for job_id, exists, has_data in zip(job_ids, answers[::2], answers[1::2], strict=True)
              if exists and not has_data]
    if broken:
        redis.delete(*[Job.key_for(job_id) for job_id in broken])
        log.warning("dropped %d job hash(es) without payload (Redis lost data): %s", len(broken), broken)
    return broken


def job_status(redis: Redis, job_id: str) -> JobStatus | None:
    """The status of a job by id; None when it is gone (or its hash had no payload and was dropped)."""
    if drop_broken_jobs(redis, [job_id]):
        return None
    try:
        return Job.fetch(job_id, connection=redis).get_status()
    except NoSuchJobError:
        return None


# KEYS: rq's set of queues, the queue's list, then each job's hash.
# ARGV: the queue's key; the number of kinds of job; per kind, the number of field/value pairs its jobs share
# and those pairs; then per job (in the order of KEYS) its kind, id, `data` and `description`.
_WRITE_NEW_JOBS_LUA = """
local at, kinds = 3, {}
for kind = 1, tonumber(ARGV[2]) do
  local pairs_count, shared = tonumber(ARGV[at]), {}
  for i = at + 1, at + 2 * pairs_count do shared[#shared + 1] = ARGV[i] end
  kinds[kind] = shared
  at = at + 1 + 2 * pairs_count
end
local written = {}
for k = 3, #KEYS do
  if redis.call('EXISTS', KEYS[k]) == 0 then
    redis.call('HSET', KEYS[k], 'data', ARGV[at + 2], 'description', ARGV[at + 3], unpack(kinds[tonumber(ARGV[at])]))
    written[#written + 1] = ARGV[at + 1]
  end
  at = at + 4
end
redis.call('SADD', KEYS[1], ARGV[1])
for i = 1, #written, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(written, i, math.min(i + 999, #written)))
end
return written
"""


def _write_new_jobs(redis: Redis, queue: Queue, specs: list[JobSpec]) -> list[str]:
    """Write the jobs (no dependencies) whose id does not exist yet and queue them, in order, with one Lua
    script (atomic); returns the ids written.

    Each hash holds the fields `Queue.enqueue_many` writes (its HSET of `status` is repeated in the mapping, and
    its `cleanup` does nothing for a job without ttl), at a fraction of its cost: `enqueue_many` builds a `Job`
    per spec (rq checks the serializer against a runtime Protocol for every one: slow on Python 3.11) and sends
    some 40 arguments per job. Here one `Job` is built (`Queue.create_job`) per kind of spec (function, kwargs,
    options) and reused for each spec of that kind; the fields a kind shares (options, status, moments) go to
    Redis once, and per job only its id, payload and description."""
    now = datetime.now(UTC)
    kinds: dict[tuple, tuple[int, Job]] = {}
    shared: list = []
    per_job: list = []
    for spec in specs:
        shape = (spec.func, repr(spec.kwargs), spec.retry and (spec.retry.max, tuple(spec.retry.intervals),
                 spec.retry.enqueue_at_front), spec.timeout, spec.result_ttl, spec.failure_ttl)
        if shape not in kinds:
            job = queue.create_job(spec.func, args=spec.args, kwargs=spec.kwargs, job_id=spec.job_id, retry=spec.retry,
                                   timeout=spec.timeout, result_ttl=spec.result_ttl, failure_ttl=spec.failure_ttl,
                                   status=JobStatus.QUEUED)
            job.origin, job.created_at, job.enqueued_at = queue.name, now, now
            fields = {k: v for k, v in job.to_dict().items() if k not in ("data", "description")}
            kinds[shape] = (len(kinds) + 1, job)
            shared += [len(fields), *[item for pair in fields.items() for item in pair]]
        kind, job = kinds[shape]
        job.args = spec.args
        per_job += [kind, spec.job_id, job.data, job.get_call_string()]
    script = redis.register_script(_WRITE_NEW_JOBS_LUA)
    written = script(keys=[Queue.redis_queues_keys, queue.key, *[Job.key_for(spec.job_id) for spec in specs]],
                     args=[queue.key, len(kinds), *shared, *per_job])
    return [job_id.decode() if isinstance(job_id, bytes) else job_id for job_id in written]


def _prepare(queue: Queue, spec: JobSpec):
    return Queue.prepare_data(spec.func, args=spec.args, kwargs=spec.kwargs, job_id=spec.job_id,
                              retry=spec.retry, timeout=spec.timeout, result_ttl=spec.result_ttl,
                              failure_ttl=spec.failure_ttl)


def broker_for(session: Session) -> Broker:
    broker = session.info.get("broker")
    if broker is None:
        raise RuntimeError("this session has no broker; create it from the runtime's session factory")
    return broker


def enqueue_after_commit(session: Session, func: str, *args: Any, queue: str = QUEUE_DEFAULT, **options: Any) -> None:
    """Shortcut for services: enqueue `func(*args)` by dotted path once the session commits."""
    broker_for(session).enqueue_after_commit(session, JobSpec(func=func, args=args, queue=queue, **options))


def publish_after_commit(session: Session, event: dict[str, Any]) -> None:
    broker_for(session).publish_after_commit(session, event)


def publish_many_after_commit(session: Session, events: list[dict[str, Any]]) -> None:
    broker_for(session).publish_many_after_commit(session, events)
