"""Ticket statuses and the moves allowed between them (see DOMAIN.md)."""

from __future__ import annotations

from webcare.errors import Conflict, ValidationFailed

STATUSES = ("new", "open", "with_department", "waiting_citizen", "forwarded_external", "resolved", "cancelled")
OPEN_STATUSES = ("new", "open", "with_department", "waiting_citizen", "forwarded_external")
CLOSED_STATUSES = ("resolved", "cancelled")

ALLOWED_STATUS_CHANGES: dict[str, frozenset[str]] = {
    "new": frozenset({"open", "with_department", "waiting_citizen", "forwarded_external", "resolved", "cancelled"}),
    "open": frozenset({"with_department", "waiting_citizen", "forwarded_external", "resolved", "cancelled"}),
    "with_department": frozenset({"open", "waiting_citizen", "forwarded_external", "resolved", "cancelled"}),
    "waiting_citizen": frozenset({"open", "with_department", "forwarded_external", "resolved", "cancelled"}),
    "forwarded_external": frozenset({"open", "resolved", "cancelled"}),
    "resolved": frozenset({"open"}),  # the one reopen by hand (DOMAIN.md)
    # Final: a cancelled ticket (spam, not for us, merged into another, its citizen's data erased) is not reopened
    # by hand. A citizen's new message within `reopen_days` still reopens it (services.ingest), as it does a
    # resolved one; that is ingest's rule, not a move a person makes.
    "cancelled": frozenset(),
}

# Statuses that need a text from the person making the move: closing text, reason, question.
TEXT_REQUIRED = frozenset({"resolved", "cancelled", "waiting_citizen", "forwarded_external"})


def check_transition(current: str, target: str, text: str | None = None) -> None:
    """Raise unless `current -> target` is an allowed move with the text it needs."""
    if target not in STATUSES:
        raise ValidationFailed(f"unknown status {target!r}", fields={"status": target})
    if target not in ALLOWED_STATUS_CHANGES[current]:
        raise Conflict(f"a ticket cannot move from {current} to {target}", code="transition_not_allowed")
    if target in TEXT_REQUIRED and not (text or "").strip():
        raise ValidationFailed(f"moving to {target} needs a text", fields={"text": "required"})


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES
