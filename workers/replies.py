"""Delivering replies: `send_reply(message_id)` and the sweep that recovers replies whose job was lost.

`send_reply` is safe to run any number of times: a `sent` message is left alone, the platform call
carries the message's idempotency key, and an attempt after the platform's idempotency window first
asks the platform whether the reply is already there. Transient errors and rate limits propagate to
rq's `Retry` (recorded as "retrying" on the message); on the last try the reply is marked failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from rq import get_current_job
from rq.job import Job, JobStatus

from webcare.db import utcnow
from webcare.platforms.errors import PlatformError, RateLimited, TransientError
from webcare.queue import QUEUE_REPLIES, JobSpec, job_status
from webcare.services import replies
from workers.context import get_runtime

log = logging.getLogger(__name__)
_ALIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def send_reply(message_id: int) -> str:
    runtime = get_runtime()
    with runtime.transaction() as session:
        attempt = replies.begin_delivery(session, message_id)
    if attempt is None:
        return "nothing to send"
    try:
        sent = _deliver(attempt)
    except PlatformError as exc:
        final = not _retries_left() or not isinstance(exc, (TransientError, RateLimited))
        with runtime.transaction() as session:
            replies.record_delivery_failure(session, message_id, exc, final=final)
        if isinstance(exc, (TransientError, RateLimited)):
            raise
        return f"failed: {exc}"
    with runtime.transaction() as session:
        replies.record_delivery_success(session, message_id, sent)
    return f"sent as {sent.external_id}"


def _deliver(attempt: replies.DeliveryAttempt):
    adapter = attempt.connection.adapter()
    if attempt.needs_lookup(adapter.idempotency_window, utcnow()):
        found = adapter.find_sent_reply(attempt.request)
        if found is not None and found.external_id not in attempt.known_external_ids:
            log.info("reply %s was already on the platform as %s", attempt.message_id, found.external_id)
            return found
    return adapter.send_reply(attempt.request)


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
