"""Processing stored webhook deliveries: parse, then ingest like polled messages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from rq.job import Job

from webcare.queue import job_status
from webcare.services import webhooks
from workers.context import get_runtime, job_context

# a job in one of these states will still process its delivery (or is a dead letter an admin decides on)
_LEFT_ALONE = ("queued", "started", "scheduled", "deferred", "failed")


def process_delivery(delivery_id: int) -> dict:
    """Parse and ingest one delivery; a failure is noted on the delivery and re-raised (rq retries)."""
    try:
        with job_context() as session:
            return asdict(webhooks.process_delivery(session, delivery_id))
    except Exception as exc:
        with job_context() as session:
            webhooks.record_failure(session, delivery_id, f"{type(exc).__name__}: {exc}")
        raise


def recover_lost_deliveries() -> dict:
    """Put back the job of every stored delivery that is not processed and whose job is gone (Redis lost
    it: restarted without its data, or failed over). Processing twice is harmless: a processed delivery
    is skipped under a row lock, and its messages are unique per channel and platform id."""
    runtime = get_runtime()
    requeued = []
    with runtime.transaction() as session:
        grace = timedelta(seconds=runtime.settings.stuck_reply_seconds)
        for delivery_id in webhooks.unprocessed(session, older_than=grace):
            job_id = webhooks.delivery_job(delivery_id).job_id
            status = job_status(runtime.redis, job_id)
            if status is not None and status.value in _LEFT_ALONE:
                continue
            if status is not None:  # finished, yet not processed: its transaction was lost; run it again
                Job.fetch(job_id, connection=runtime.redis).delete()
            requeued.append(delivery_id)
    if requeued:
        runtime.broker.enqueue_now([webhooks.delivery_job(delivery_id) for delivery_id in requeued])
    return {"webhook_deliveries_requeued": requeued}
