"""Polling jobs: the sweep (periodic) and one poll of one channel (unique job id per channel)."""

from __future__ import annotations

from dataclasses import asdict

from webcare.services import polling
from workers.context import get_runtime


def poll_channel(channel_id: int) -> dict:
    """Poll one channel; transient platform errors propagate so rq's Retry backs off."""
    return asdict(polling.poll_channel(get_runtime(), channel_id))


def sweep_channels() -> list[str]:
    """Enqueue a poll for every channel that is due (idempotent: unique job ids per channel)."""
    return polling.sweep(get_runtime())
