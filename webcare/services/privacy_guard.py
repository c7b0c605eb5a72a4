"""The guard on public replies: what the detector finds, and the record of an agent's override.

`services.replies.queue_reply` holds a public reply with findings (422) unless an override reason is
given; then `record_override` writes the reason to the audit log (`reply.pii_override`) and to the
ticket's history (`pii_override` event). Neither record repeats the personal data itself: they keep the
kinds found and the reason, so the audit log does not become a second copy of what the guard protects.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from webcare import privacy
from webcare.models import Message, Ticket, User
from webcare.services import audit
from webcare.services.events import record_event


def check_public_text(text: str) -> list[privacy.Finding]:
    return privacy.scan(text)


def findings_json(findings: list[privacy.Finding]) -> list[dict]:
    """The findings as the API and the composer show them: kind, text and position."""
    return [{"kind": f.kind, "text": f.text, "start": f.start, "end": f.end} for f in findings]


def record_override(session: Session, ticket: Ticket, author: User | None, message: Message,
                    findings: list[privacy.Finding], reason: str | None, *,
                    at: datetime | None = None) -> None:
    kinds = sorted({f.kind for f in findings})
    data = {"message_id": message.id, "reason": (reason or "").strip(), "kinds": kinds,
            "count": len(findings)}
    record_event(session, ticket, "pii_override", actor=author, at=at, data=data)
    audit.record(session, author, "reply.pii_override", ticket_id=ticket.id, target=("message", message.id),
                 data=data)
