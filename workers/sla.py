"""The SLA sweep, run every minute by the scheduler (workers/cron.py); safe to run twice at once."""

from __future__ import annotations

import logging
from datetime import datetime

from webcare.db import utcnow
from webcare.services import sla_alerts
from workers.context import job_context

log = logging.getLogger(__name__)


def sweep_sla(now: datetime | None = None) -> dict[str, int]:
    """Record the SLA crossings that have come and notify; returns counts."""
    with job_context() as session:
        counts = sla_alerts.sweep(session, now or utcnow())
    if counts["crossings"]:
        log.info("SLA sweep: %(tickets)d ticket(s), %(crossings)d crossing(s), %(notifications)d notification(s)",
                 counts)
    return counts
