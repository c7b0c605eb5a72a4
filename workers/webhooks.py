"""Processing stored webhook deliveries: parse, then ingest like polled messages."""

from __future__ import annotations

from dataclasses import asdict

from webcare.services import webhooks
from workers.context import job_context


def process_delivery(delivery_id: int) -> dict:
    """Parse and ingest one delivery; a failure is noted on the delivery and re-raised (rq retries)."""
    try:
        with job_context() as session:
            return asdict(webhooks.process_delivery(session, delivery_id))
    except Exception as exc:
        with job_context() as session:
            webhooks.record_failure(session, delivery_id, f"{type(exc).__name__}: {exc}")
        raise
