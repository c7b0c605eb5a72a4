"""The recovery sweep (every minute): jobs of dead workers, retries left waiting, replies and webhook deliveries
whose job was lost."""

from __future__ import annotations

from webcare.services import deadletters
from workers.context import get_runtime
from workers.replies import recover_stuck_replies
from workers.webhooks import recover_lost_deliveries


def recovery_sweep() -> dict:
    """Retry abandoned jobs whose heartbeat expired (rq's own cleanup) and re-enqueue stuck replies."""
    runtime = get_runtime()
    abandoned = deadletters.requeue_abandoned(runtime.redis)
    late = deadletters.enqueue_overdue(runtime.redis, late_by=max(10, runtime.settings.recovery_sweep_seconds))
    return {"abandoned": abandoned, "overdue": late, **recover_stuck_replies(), **recover_lost_deliveries()}
