"""The safety net for threats: announce flagged tickets that the safety team was not told about.

Ingest and routing call `services.safety.on_threat_flagged` when they flag a ticket; this periodic job
(every minute) catches any flagged ticket of the last week without a `safety_notified` event, so a
threat is never missed even if a code path forgot the call. Idempotent (see services.safety).
"""

from __future__ import annotations

from webcare.models import Ticket
from webcare.services import safety
from workers.context import job_context


def announce_flagged_threats() -> int:
    with job_context() as session:
        announced = 0
        for ticket_id in safety.unannounced_threat_ids(session):
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None and safety.on_threat_flagged(session, ticket):
                announced += 1
        return announced
