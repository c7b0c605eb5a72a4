"""Inbox: the automatic acknowledgement is no answer; `last_outbound_at` is the time of our last own reply.

The "Onbeantwoord" view lists tickets with no reply since the citizen's last message. A delivered
automatic acknowledgement used to set `last_outbound_at`, so a ticket nobody had answered left the view
(the acknowledgement does not stop the first-response clock either, docs/SLA.md). From now on only replies
written by people set it (`services.replies.record_delivery_success`); this recomputes it for tickets that
got an acknowledgement, from their replies that were not automatic (none: empty).

Revision ID: inbox_0003
Revises: inbox_0002
Create Date: 2026-12-06 03:00:00
"""

from alembic import op

revision = "inbox_0003"
down_revision = "inbox_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE tickets SET last_outbound_at = ("
        " SELECT max(coalesce(m.sent_at, m.received_at)) FROM messages m"
        " WHERE m.ticket_id = tickets.id AND m.direction = 'out' AND NOT m.is_automatic)"
        " WHERE auto_ack_sent_at IS NOT NULL"
    )


def downgrade() -> None:
    pass  # the earlier value counted the acknowledgement; nothing to restore
