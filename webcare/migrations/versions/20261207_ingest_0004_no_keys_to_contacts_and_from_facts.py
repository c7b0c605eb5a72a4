"""Ingest: tickets and messages no longer have foreign keys to contacts, and metric facts none to their
ticket. The keys among tickets, messages, ticket events and labels, and to users, stay.

PostgreSQL checks a foreign key of an inserted row by locking the referenced row FOR KEY SHARE. A citizen
writes again and again, so both ingest workers lock the same contact rows in their batches (a row locked by
two transactions at once carries a shared, multixact lock), and every new ticket's three metric facts lock
that ticket once more. Measured with two workers (docs/PERFORMANCE.md, Ingest, eleventh round).

What the keys guarded still holds: contacts are anonymised, never deleted (no code path deletes one), and
every contact id written comes from the upsert of the same job; tickets are never deleted either (so the
facts' ON DELETE CASCADE never fired), and metric facts are a derived copy of the tickets and their
events that `webcare metrics rebuild` writes again. The same reasoning as ingest_0001 and ingest_0002.

Revision ID: ingest_0004
Revises: safety_0001
Create Date: 2026-12-07 07:10:00
"""

from alembic import op

revision = "ingest_0004"
down_revision = "safety_0001"
branch_labels = None
depends_on = None

KEYS = {
    "tickets": {"contact_id": ("contacts", None)},
    "messages": {"contact_id": ("contacts", None)},
    "metric_facts": {"ticket_id": ("tickets", "CASCADE")},
}


def _name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def upgrade() -> None:
    for table, keys in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, (target, _) in keys.items():
                batch_op.drop_constraint(_name(table, column, target), type_="foreignkey")


def downgrade() -> None:
    for table, keys in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, (target, on_delete) in keys.items():
                batch_op.create_foreign_key(_name(table, column, target), target, [column], ["id"], ondelete=on_delete)
