"""Inbox: partial indexes on open tickets, most urgent first (overall, per department, per assignee).

The inbox reads open tickets ordered by (next_due_at, id); these partial indexes hold only open
tickets, so the list stays an index range scan however many closed tickets pile up. On PostgreSQL
they are built CONCURRENTLY, so a large tickets table stays writable during the upgrade.

Revision ID: inbox_0001
Revises: privacy_0001
Create Date: 2026-11-22 02:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "inbox_0001"
down_revision = "privacy_0001"
branch_labels = None
depends_on = None

OPEN_TICKET = sa.text("status IN ('new', 'open', 'with_department', 'waiting_citizen', 'forwarded_external')")
INDEXES = {
    "ix_tickets_open_next_due_at_id": ["next_due_at", "id"],
    "ix_tickets_open_department_id_next_due_at_id": ["department_id", "next_due_at", "id"],
    "ix_tickets_open_assignee_id_next_due_at_id": ["assignee_id", "next_due_at", "id"],
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.get_context().autocommit_block():
        for name, columns in INDEXES.items():
            op.create_index(name, "tickets", columns, unique=False, postgresql_where=OPEN_TICKET,
                            sqlite_where=OPEN_TICKET, postgresql_concurrently=postgres, if_not_exists=True)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.get_context().autocommit_block():
        for name in INDEXES:
            op.drop_index(name, table_name="tickets", postgresql_concurrently=postgres, if_exists=True)
