"""Inbox: the partial indexes of open tickets carry the inbox's filter columns (PostgreSQL INCLUDE).

A filtered inbox page (a department and a priority, say) walked the department's open tickets in the
heap to test the priority: 3.2 ms for the first page among a million tickets. With status, priority,
channel, category, SLA level, department and assignee included in the index, the filter is tested on the
index entries and the page is an index-only scan (0.16 ms). Each index is built anew CONCURRENTLY under a
temporary name and swapped in, so the inbox keeps its index during the upgrade. Nothing on SQLite (no
INCLUDE; its indexes stay as they were).

Revision ID: inbox_0002
Revises: ingest_0001
Create Date: 2026-12-05 01:00:00
"""

from alembic import op

revision = "inbox_0002"
down_revision = "ingest_0001"
branch_labels = None
depends_on = None

OPEN_TICKET = "status IN ('new', 'open', 'with_department', 'waiting_citizen', 'forwarded_external')"
FILTERS = "status, priority, channel_id, category_id, sla_level"
INDEXES = {  # name: (key columns, included columns)
    "ix_tickets_open_next_due_at_id": ("next_due_at, id", f"{FILTERS}, department_id, assignee_id"),
    "ix_tickets_open_department_id_next_due_at_id": ("department_id, next_due_at, id", f"{FILTERS}, assignee_id"),
    "ix_tickets_open_assignee_id_next_due_at_id": ("assignee_id, next_due_at, id", f"{FILTERS}, department_id"),
}


def upgrade() -> None:
    for name, (keys, included) in INDEXES.items():
        _rebuild(name, f"({keys}) INCLUDE ({included})")


def downgrade() -> None:
    for name, (keys, _included) in INDEXES.items():
        _rebuild(name, f"({keys})")


def _rebuild(name: str, columns: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    building = name[:50] + "_new"
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")  # left by an interrupted upgrade
        op.execute(f"CREATE INDEX CONCURRENTLY {building} ON tickets {columns} WHERE {OPEN_TICKET}")
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        op.execute(f"ALTER INDEX {building} RENAME TO {name}")
