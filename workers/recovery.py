"""The recovery sweep (every minute): jobs of dead workers and replies whose delivery job was lost."""

from __future__ import annotations

from webcare.services import deadletters
from workers.context import get_runtime
from workers.replies import recover_stuck_replies


def recovery_sweep() -> dict:
    """Retry abandoned jobs whose heartbeat expired (rq's own cleanup) and re-enqueue stuck replies."""
    abandoned = deadletters.requeue_abandoned(get_runtime().redis)
    return {"abandoned": abandoned, **recover_stuck_replies()}
