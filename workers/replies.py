"""Delivering replies: `send_reply(message_id)` and the sweep that recovers replies whose job was lost.

`send_reply` is safe to run any number of times: a `sent` message is left alone, the platform call
carries the message's idempotency key, and an attempt after the platform's idempotency window first
asks the platform whether the reply is already there. Transient errors propagate to rq's `Retry`
(recorded as "retrying" on the message); on the last try the reply is marked failed.

A platform's rate limit is no failure: a 429 holds the channel's replies until the platform's reset
(`reply_waits.record_delivery_wait`), and so does a sent reply whose answer says the quota is nearly used up
(`adapter.replies_wait_until`, `reply_waits.hold_replies`: on Mastodon with 30 calls left for the polls, which
share the budget); while they are held the job does not call the platform
(`reply_waits.delivery_wait`); either way the reply stays `queued` and the job returns rq's `Retry` with the
time until the limit ends, so rq schedules it again under the same id, without using up the retries
that are kept for failures. Replies that wait for the same moment are spread out, people's replies first
(`_wait_until`). After `RATE_LIMIT_WAITS` waits a reply is treated like any other failure.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from rq import Retry, get_current_job
from rq.job import Job, JobStatus

from webcare.db import utcnow
from webcare.platforms.errors import PlatformError, RateLimited, TransientError
from webcare.queue import QUEUE_REPLIES, JobSpec, job_status
from webcare.services import replies, reply_waits
from workers.context import get_runtime

log = logging.getLogger(__name__)
_ALIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
RATE_LIMIT_WAITS = 24
WAIT_SPREAD_SECONDS = 20


def send_reply(message_id: int) -> str | Retry:
    runtime = get_runtime()
    may_wait = _waits_left()
    with runtime.transaction() as session:  # held by a limit: wait; else begin the attempt
        until = reply_waits.delivery_wait(session, message_id) if may_wait else None
        if until is not None:
            automatic = reply_waits.record_delivery_wait(session, message_id, until)
        else:
            attempt = replies.begin_delivery(session, message_id)
    if until is not None:
        return _wait_until(until, message_id, automatic)
    if attempt is None:
        return "nothing to send"
    try:
        sent, wait_until = _deliver(attempt)
    except PlatformError as exc:
        return _refused(runtime, message_id, exc)
    with runtime.transaction() as session:
        replies.record_delivery_success(session, message_id, sent)
        if wait_until is not None:
            reply_waits.hold_replies(session, message_id, wait_until)
    return f"sent as {sent.external_id}"


def _refused(runtime, message_id: int, exc: PlatformError) -> str | Retry:
    """Wait for a rate limit; raise a transient error for rq's retries; record a final refusal."""
    if isinstance(exc, RateLimited) and _waits_left():
        with runtime.transaction() as session:
            automatic = reply_waits.record_delivery_wait(session, message_id, exc.reset_at, error=exc)
        return _wait_until(exc.reset_at, message_id, automatic)
    final = not _retries_left() or not isinstance(exc, (TransientError, RateLimited))
    with runtime.transaction() as session:
        replies.record_delivery_failure(session, message_id, exc, final=final)
    if isinstance(exc, (TransientError, RateLimited)):
        raise exc
    return f"failed: {exc}"


def _wait_until(until: datetime, message_id: int, automatic: bool) -> Retry:
    """rq runs this job again once the limit is over: people's replies within `WAIT_SPREAD_SECONDS` of it (spread
    by message id), acknowledgements in the twice as long span after that, so people's replies get the renewed
    quota first."""
    spread = WAIT_SPREAD_SECONDS + message_id % (2 * WAIT_SPREAD_SECONDS) if automatic \
        else message_id % WAIT_SPREAD_SECONDS
    return Retry(max=RATE_LIMIT_WAITS, interval=max(1, math.ceil((until - utcnow()).total_seconds())) + spread)


def _waits_left() -> bool:
    job = get_current_job()
    return job is not None and (job.number_of_retries or 0) < RATE_LIMIT_WAITS


def _deliver(attempt: replies.DeliveryAttempt):
    """The reply on the platform, and until when the channel's next replies should wait (its quota)."""
    adapter = attempt.connection.adapter()
    if attempt.needs_lookup(adapter.idempotency_window, utcnow()):
        found = adapter.find_sent_reply(attempt.request)
        if found is not None and found.external_id not in attempt.known_external_ids:
            log.info("reply %s was already on the platform as %s", attempt.message_id, found.external_id)
            return found, None
    return adapter.send_reply(attempt.request), adapter.replies_wait_until()


def _retries_left() -> bool:
    job = get_current_job()
    return job is not None and bool(job.retries_left)


def recover_stuck_replies() -> dict:
    """Re-enqueue replies whose delivery job is gone; fail those whose job died for good."""
    runtime = get_runtime()
    requeued, failed = [], []
    with runtime.transaction() as session:
        grace = timedelta(seconds=runtime.settings.stuck_reply_seconds)
        for message in replies.stuck_deliveries(session, older_than=grace):
            status = job_status(runtime.redis, replies.delivery_job_id(message.id))
            if status in _ALIVE:
                continue
            if status == JobStatus.FAILED and message.delivery_state == "sending":
                replies.record_delivery_failure(session, message.id, TransientError("delivery was interrupted"),
                                                final=True)
                failed.append(message.id)
            else:
                if status is not None:  # a finished or failed job with this id would block the unique enqueue
                    Job.fetch(replies.delivery_job_id(message.id), connection=runtime.redis).delete()
                requeued.append(message.id)
    if requeued:
        runtime.broker.enqueue_now([_delivery_spec(message_id) for message_id in requeued])
    return {"requeued": requeued, "failed": failed}


def _delivery_spec(message_id: int) -> JobSpec:
    return JobSpec(func=replies.SEND_REPLY_JOB, args=(message_id,), queue=QUEUE_REPLIES,
                   job_id=replies.delivery_job_id(message_id), unique=True, retry=replies.delivery_retry(),
                   timeout=120, result_ttl=0, failure_ttl=replies.DELIVERY_FAILURE_TTL)
