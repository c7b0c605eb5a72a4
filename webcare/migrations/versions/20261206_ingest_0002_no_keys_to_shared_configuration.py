"""Ingest: tickets, messages and ticket events no longer have foreign keys to the configuration rows that
every new ticket shares: channels, departments, categories, SLA policies and calendars. Their keys to each
other, to contacts and to users stay (ON DELETE CASCADE from the ticket included).

PostgreSQL checks a foreign key of an inserted row by locking the referenced row FOR KEY SHARE. Every
ticket, message and event of a channel points at the same channel, policy and calendar and a handful of
departments and categories, so all ingest workers lock the same few rows in every transaction, and with
two or more at once each such lock is a shared (multixact) lock. Measured with two workers
(docs/PERFORMANCE.md, Ingest, fifth round; medians of nine alternating pairs): 9 % more messages per
second, 13 % less PostgreSQL CPU per message.

What the keys guarded still holds: these rows are deactivated, never deleted (no code path deletes one),
and every id written comes from a row read in the same transaction. metric_facts dropped the same keys in
ingest_0001.

Revision ID: ingest_0002
Revises: channels_0001
Create Date: 2026-12-06 13:30:00
"""

from alembic import op

revision = "ingest_0002"
down_revision = "channels_0001"
branch_labels = None
depends_on = None

SHARED_CONFIGURATION = {
    "tickets": {"channel_id": "channels", "category_id": "categories", "department_id": "departments",
                "sla_policy_id": "sla_policies", "calendar_id": "calendars"},
    "messages": {"channel_id": "channels"},
    "ticket_events": {"department_id": "departments"},
}


def _name(table: str, column: str, target: str) -> str:
    return f"fk_{table}_{column}_{target}"


def upgrade() -> None:
    for table, keys in SHARED_CONFIGURATION.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, target in keys.items():
                batch_op.drop_constraint(_name(table, column, target), type_="foreignkey")


def downgrade() -> None:
    for table, keys in SHARED_CONFIGURATION.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, target in keys.items():
                batch_op.create_foreign_key(_name(table, column, target), target, [column], ["id"])
