"""Helpers for the metrics tests: tickets with a history replayed through the SLA engine (no mocks)."""

from __future__ import annotations

from datetime import datetime

from tests import factories
from webcare.models import Ticket
from webcare.services import sla
from webcare.services.events import record_event

REPLY = {"automatic": False, "visibility": "public", "message_id": 1}


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def history(session, created: str, events=(), *, category: str | None = "afval.zwerfvuil", now: str | None = None,
            channel=None, actor=None) -> Ticket:
    """A ticket created at `created` with (type, at, data) events by `actor`, replayed at `now`."""
    ticket = factories.ticket(session, channel_=channel, created_at=t(created))
    if category:
        found = factories.category(session, category)
        ticket.category_id, ticket.department_id = found.id, found.department_id
    session.flush()
    for kind, at, data in events:
        record_event(session, ticket, kind, at=t(at), data=data, actor=actor)
        if kind == "status_changed":
            ticket.status = data["to"]
    sla.recompute(session, ticket, t(now or (events[-1][1] if events else created)))
    return ticket


def resolve(at: str) -> tuple:
    return ("status_changed", at, {"from": "open", "to": "resolved", "text": "Opgelost"})
