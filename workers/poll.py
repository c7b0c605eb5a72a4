"""Polling jobs: the sweep (periodic) and one poll of one channel (unique job id per channel)."""

from __future__ import annotations

from dataclasses import asdict

from rq import Retry, get_current_job

from webcare.services import polling
from workers.context import get_runtime


def poll_channel(channel_id: int) -> dict | Retry:
    """Poll one channel. A transient platform error (5xx, timeout) returns rq's `Retry`, so rq polls again
    with back-off under the same unique job id; after the last try the sweep's back-off takes over."""
    outcome = polling.poll_channel(get_runtime(), channel_id)
    if outcome.transient and _tries_left():
        return polling.transient_retry()
    return asdict(outcome)


def _tries_left() -> bool:
    job = get_current_job()
    return job is not None and (job.number_of_retries or 0) < polling.TRANSIENT_RETRIES


def sweep_channels() -> list[str]:
    """Enqueue a poll for every channel that is due (idempotent: unique job ids per channel)."""
    return polling.sweep(get_runtime())
