"""The polling checkpoint: where to poll from again when Redis lost the ingest jobs of earlier polls.

A poll moves the channel's cursor on as soon as its batches are on the ingest queue. If Redis then loses
its data (restarted without persistence, a failover to an empty replica, a flush), those batches are gone
and the platform will not hand out the messages again past the cursor. So the stored cursor carries three
private keys next to the platform's own (the adapter never sees them):

- `_jobs`: the ingest jobs enqueued by earlier polls that were not yet seen done;
- `_since`: the cursor before the oldest of those jobs' polls: everything fetched before it is stored;
- `_store`: the id of the Redis data set they were enqueued into (`webcare:store-id`, a random id set
  once; it disappears with the rest of the data).

At each poll, jobs that are no longer queued, running or scheduled are done (finished ones are deleted,
failed ones wait in the dead-letter registry); when none is left, `_since` moves up to the current
cursor. When the store id changed while jobs were pending, Redis lost them: the poll starts again from
`_since`. Messages stored already are dropped by ingest as repeats; the lost ones are ingested.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from redis import Redis
from rq.job import Job, JobStatus

log = logging.getLogger(__name__)

STORE_KEY = "webcare:store-id"
MORE_KEY = "_more"  # polling's own mark: the platform had more, poll again right away
JOBS_KEY, SINCE_KEY, STORE_ID_KEY = "_jobs", "_since", "_store"
PRIVATE_KEYS = (MORE_KEY, JOBS_KEY, SINCE_KEY, STORE_ID_KEY)
_PENDING = {s.value for s in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED,
                              JobStatus.CREATED, JobStatus.READY_TO_ENQUEUE, JobStatus.RATE_LIMITED)}


@dataclass
class Checkpoint:
    since: dict | None = None
    jobs: list[str] = field(default_factory=list)
    store: str | None = None
    rewound: bool = False

    def keys(self, new_jobs: list[str]) -> dict:
        """The private keys to store with the new cursor, given the jobs this poll enqueued."""
        jobs = self.jobs + list(new_jobs)
        keys: dict = {STORE_ID_KEY: self.store} if self.store else {}
        if jobs:
            keys.update({JOBS_KEY: jobs, SINCE_KEY: self.since or {}})
        return keys


def public(cursor: dict | None) -> dict:
    """The platform's part of a stored cursor."""
    return {k: v for k, v in (cursor or {}).items() if k not in PRIVATE_KEYS}


def store_id(redis: Redis) -> str:
    """The id of Redis's current data set (created on first use, lost with the data)."""
    redis.set(STORE_KEY, uuid.uuid4().hex, nx=True)
    value = redis.get(STORE_KEY)
    return value.decode() if isinstance(value, bytes) else str(value)


def resume(redis: Redis, stored: dict | None, channel_id: int | None = None) -> tuple[dict, Checkpoint]:
    """The cursor to fetch from, and the checkpoint to carry forward."""
    stored = dict(stored or {})
    cursor = public(stored)
    jobs = [str(j) for j in stored.get(JOBS_KEY) or []]
    pending = _pending(redis, jobs)
    store = store_id(redis)  # read after the jobs: a loss in between shows as a new store id
    since = stored.get(SINCE_KEY)
    if jobs and stored.get(STORE_ID_KEY) not in (None, store):
        log.warning("channel %s: Redis lost its data with %d ingest job(s) pending; polling again from the "
                    "checkpoint", channel_id, len(jobs))
        return dict(since or {}), Checkpoint(since=dict(since or {}), store=store, rewound=True)
    if not pending:
        return cursor, Checkpoint(since=cursor, store=store)
    return cursor, Checkpoint(since=dict(since or {}), jobs=pending, store=store)


def _pending(redis: Redis, job_ids: list[str]) -> list[str]:
    if not job_ids:
        return []
    pipe = redis.pipeline(transaction=False)
    for job_id in job_ids:
        pipe.hget(Job.key_for(job_id), "status")
    statuses = pipe.execute()
    return [job_id for job_id, status in zip(job_ids, statuses, strict=True)
            if status is not None and (status.decode() if isinstance(status, bytes) else status) in _PENDING]
