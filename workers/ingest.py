"""The ingest job: one batch of normalised messages, one transaction, threaded tickets.

The batch's citizens (contacts) are stored first, in a short transaction of their own: a contact is
harmless without its message (the batch stores it again on a retry), and a concurrent job that meets the
same new citizen waits for this short transaction instead of the whole batch.
"""

from __future__ import annotations

from dataclasses import asdict

from webcare.memory import collections_paused
from webcare.platforms.base import InboundMessage
from webcare.services import ingest
from workers.context import job_context


def ingest_batch(channel_id: int, messages: list[dict]) -> dict:
    """Store `messages` of a channel; safe to run twice (repeats are dropped by the database). The garbage
    collector waits until the batch is done (`collections_paused`)."""
    with collections_paused():
        inbound = [InboundMessage.from_dict(m) for m in messages]
        with job_context() as session:
            contacts = ingest.store_contacts(session, channel_id, inbound)
        with job_context() as session:
            result = ingest.ingest_batch(session, channel_id, inbound, contacts=contacts)
        return asdict(result)
