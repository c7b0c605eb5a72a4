"""Polling a channel: read it, ask the platform, enqueue the messages, then store the new cursor.

`poll_channel(runtime, channel_id)` owns its transactions (like a job or a CLI command does), because
no transaction may stay open during the platform call:

1. a short transaction reads the channel and its decrypted credentials;
2. the adapter fetches what is new since the cursor (no transaction open);
3. the messages go onto the `ingest` queue in batches (`ingest_batch_size`);
4. only after the enqueue succeeded, a second transaction stores the cursor and the health fields
   (at-least-once: a crash between 3 and 4 fetches the same messages again, and ingest drops repeats),
   with a checkpoint from which to poll again if Redis loses the queued batches (poll_checkpoint).

Errors follow the taxonomy of `webcare.platforms.errors`: rate limits and lost authorisation are put on
the channel (the sweep skips it until then); transient and permanent errors are recorded on the channel.
A transient one (5xx, a timeout) is retried by rq: the poll job returns `transient_retry()` (rq's `Retry`
with back-off, under the same unique job id); once those tries are used up, or for a permanent error, the
sweep polls a failing channel again with a growing wait (`_wait`), so polling resumes on its own soon
after an outage of any length ends. A Redis lock keeps a channel from being polled twice at
once (the scheduler's unique job id already prevents two queued polls; the lock also covers
`webcare poll`). `sweep()` enqueues a poll for each channel that is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.exceptions import LockError
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare import platforms
from webcare.db import utcnow
from webcare.models import Channel
from webcare.platforms.base import FetchResult, InboundMessage
from webcare.platforms.errors import PlatformError, TransientError
from webcare.queue import QUEUE_INGEST, QUEUE_POLL, JobSpec, drop_broken_jobs
from webcare.runtime import Runtime
from webcare.services import channels, poll_checkpoint
from webcare.services.poll_checkpoint import MORE_KEY

log = logging.getLogger(__name__)

POLL_JOB = "workers.poll.poll_channel"
INGEST_JOB = "workers.ingest.ingest_batch"
FAILING_MAX_WAIT = timedelta(minutes=5)
TRANSIENT_RETRIES = 3
LOCK_SECONDS = 300  # = the poll job timeout: a dead poller blocks its channel at most this long
LOCK_KEY_PREFIX = "webcare:poll-lock:"  # + the channel's id


def ingest_retry() -> Retry:
    """First retry at once (a worker died mid-batch), then back off."""
    return Retry(max=5, interval=[0, 10, 60, 300, 900])


def poll_retry() -> Retry:
    """For an exception in the job itself (the database away, a bug)."""
    return Retry(max=3, interval=[15, 60, 240])


def transient_retry() -> Retry:
    """For a transient platform error (5xx, timeout): the poll job returns this, rq polls again later."""
    return Retry(max=TRANSIENT_RETRIES, interval=[2, 10, 30])


def poll_job_id(channel_id: int) -> str:
    return f"poll-channel-{channel_id}"


@dataclass
class PollOutcome:
    channel_id: int
    status: str  # ok | busy | paused | rate_limited | needs_reauth | error
    fetched: int = 0
    messages: int = 0
    batches: int = 0
    more: bool = False
    error: str | None = None
    rate_limited_until: datetime | None = None
    transient: bool = False  # the error may pass (5xx, timeout): the poll job is retried by rq


def poll_channel(runtime: Runtime, channel_id: int, *, now: datetime | None = None) -> PollOutcome:
    lock = runtime.redis.lock(f"{LOCK_KEY_PREFIX}{channel_id}", timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        log.info("channel %s: another poll of this channel is running; this one is skipped", channel_id)
        return PollOutcome(channel_id, "busy")
    try:
        return _poll(runtime, channel_id)
    finally:
        try:
            lock.release()
        except LockError:  # expired, or Redis lost it (restart): the poll is done either way
            log.warning("channel %s: the poll lock was gone when the poll ended", channel_id)


def _poll(runtime: Runtime, channel_id: int) -> PollOutcome:
    with runtime.transaction() as session:
        channel = channels.get_channel(session, channel_id)
        waiting = waiting_for(channel)
        if waiting is not None:  # paused, or the platform's reset is ahead: no call (also not a manual poll)
            log.info("channel %s: %s; not polled", channel_id, waiting)
            until = channel.rate_limited_until
            why = "paused" if waiting == "paused" else f"rate limited by the platform until {until.isoformat()}"
            return PollOutcome(channel_id, waiting, rate_limited_until=until, error=f"the channel is {why}")
        connection = channels.connection_for(session, channel)
    cursor, checkpoint = poll_checkpoint.resume(runtime.redis, connection.cursor, channel_id)
    batch_size = runtime.settings.ingest_batch_size
    try:
        adapter = connection.adapter()
        result = adapter.fetch(cursor, max_messages=batch_size * 10)
    except PlatformError as exc:
        return _failed(runtime, channel_id, exc)
    specs = ingest_jobs(channel_id, result.messages, batch_size)
    enqueued = runtime.broker.enqueue_now(specs)
    with runtime.transaction() as session:
        record_success(session, channel_id, result, private=checkpoint.keys(enqueued))
    try:
        adapter.after_enqueue(result)
    except PlatformError as exc:  # housekeeping only: the messages are safe, the next poll tries again
        log.warning("channel %s: after-poll housekeeping failed: %s", channel_id, exc)
    return PollOutcome(channel_id, "ok", fetched=result.fetched, messages=len(result.messages),
                       batches=len(specs), more=result.more, rate_limited_until=result.throttle_until)


def _failed(runtime: Runtime, channel_id: int, error: PlatformError) -> PollOutcome:
    with runtime.transaction() as session:
        channel = channels.get_channel(session, channel_id, lock=True)
        channels.record_platform_error(session, channel, error)
        channel.last_polled_at = utcnow()
        until = channel.rate_limited_until
    log.warning("channel %s: poll failed: %s", channel_id, error)
    status = {"RateLimited": "rate_limited", "NeedsReauth": "needs_reauth"}.get(type(error).__name__, "error")
    return PollOutcome(channel_id, status, error=str(error), rate_limited_until=until,
                       transient=isinstance(error, TransientError))


def ingest_jobs(channel_id: int, messages: list[InboundMessage], batch_size: int) -> list[JobSpec]:
    """Batches for the ingest queue; a thread's messages stay together where the batch size allows.

    A finished batch is deleted at once (result_ttl=0): its job hash holds the whole batch (raw payloads
    included, hundreds of kB), which at thousands of messages a second would fill Redis within minutes,
    and nothing reads the result. A failed one is kept 30 days for the dead-letter page."""
    ordered = sorted(messages, key=lambda m: (m.thread_key, m.created_at or utcnow(), m.external_id))
    return [JobSpec(func=INGEST_JOB, args=(channel_id, [m.to_dict() for m in ordered[i:i + batch_size]]),
                    queue=QUEUE_INGEST, retry=ingest_retry(), timeout=300, result_ttl=0,
                    failure_ttl=30 * 24 * 3600)
            for i in range(0, len(ordered), batch_size)]


def record_success(session: Session, channel_id: int, result: FetchResult, now: datetime | None = None,
                   private: dict | None = None) -> None:
    """Store the new cursor (with the checkpoint's `private` keys, see poll_checkpoint) and the health fields."""
    now = now or utcnow()
    channel = channels.get_channel(session, channel_id, lock=True)
    channel.cursor = {**result.cursor, **(private or {}), **({MORE_KEY: True} if result.more else {})}
    channel.last_polled_at = channel.last_success_at = now
    if result.throttle_until and result.throttle_until > now:
        channel.rate_limited_until = result.throttle_until
    elif channel.rate_limited_until and channel.rate_limited_until <= now:
        channel.rate_limited_until = None


# -- scheduling ---------------------------------------------------------------------------------
def due_channel_ids(session: Session, now: datetime | None = None) -> list[int]:
    """Enabled, authorised, pollable (webhook-only platforms are not), not rate limited, and their interval
    has passed (or the platform had more)."""
    now = now or utcnow()
    rows = session.scalars(select(Channel).where(Channel.enabled.is_(True), Channel.needs_reauth.is_(False),
                                                 Channel.platform.in_(platforms.supported_platforms()))
                           .order_by(Channel.id))
    return [c.id for c in rows if _is_due(c, now)]


def waiting_for(channel: Channel, now: datetime | None = None) -> str | None:
    """Why a channel must not call its platform now: "paused" (by an administrator) or "rate_limited"
    (until the platform's reset); None when it may. Holds for manual polls too."""
    if not channel.enabled:
        return "paused"
    if channel.rate_limited_until and channel.rate_limited_until > (now or utcnow()):
        return "rate_limited"
    return None


def _is_due(channel: Channel, now: datetime) -> bool:
    if channel.credentials_encrypted is None or waiting_for(channel, now) is not None:
        return False
    if channel.last_polled_at is None or (channel.cursor or {}).get(MORE_KEY):
        return True
    return channel.last_polled_at + _wait(channel) <= now


def _wait(channel: Channel) -> timedelta:
    """The poll interval; while the platform keeps failing, half the time it has been failing so far
    (at most FAILING_MAX_WAIT), so a long outage is not hammered and a short one is over quickly."""
    interval = timedelta(seconds=channel.poll_interval_seconds)
    last_ok = channel.last_success_at or channel.created_at
    if channel.last_error_at is None or (last_ok is not None and channel.last_error_at <= last_ok):
        return interval
    failing_for = channel.last_error_at - (last_ok or channel.last_error_at)
    return max(interval, min(failing_for / 2, FAILING_MAX_WAIT))


def poll_job(channel_id: int) -> JobSpec:
    """One poll per channel at a time: a unique job id, deleted on success (result_ttl=0). Platform
    errors are recorded on the channel; a transient one returns `transient_retry()`, which rq schedules
    under the same id; `poll_retry()` is for exceptions (the database gone, a bug), and a poll that failed
    for good is dropped by the next sweep (`_forget_failed`)."""
    return JobSpec(func=POLL_JOB, args=(channel_id,), queue=QUEUE_POLL, job_id=poll_job_id(channel_id),
                   unique=True, retry=poll_retry(), timeout=300, result_ttl=0, failure_ttl=300)


def _forget_failed(runtime: Runtime, channel_ids: list[int]) -> None:
    """A poll job that failed for good would block its channel's unique poll for its failure_ttl."""
    for channel_id in channel_ids:
        try:
            job = Job.fetch(poll_job_id(channel_id), connection=runtime.redis)
        except NoSuchJobError:
            continue
        if job.get_status() == JobStatus.FAILED:
            log.warning("channel %s: the last poll failed for good; polling again", channel_id)
            job.delete()


def sweep(runtime: Runtime, now: datetime | None = None) -> list[str]:
    """Enqueue a poll for every due channel; returns the job ids that were enqueued."""
    with runtime.transaction() as session:
        due = due_channel_ids(session, now)
    drop_broken_jobs(runtime.redis, [poll_job_id(channel_id) for channel_id in due])
    _forget_failed(runtime, due)
    return runtime.broker.enqueue_now([poll_job(channel_id) for channel_id in due])
