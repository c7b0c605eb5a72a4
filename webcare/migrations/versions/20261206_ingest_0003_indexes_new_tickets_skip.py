"""Ingest: fewer index entries per new ticket. Five indexes no query needs are dropped; seven become
partial, so that the rows a new ticket writes (the ticket, the citizen's message, the acknowledgement not
yet sent, three events, three metric facts) skip them.

Found by an audit of every index on these tables against the queries that use them, with EXPLAIN on a
copy of 200,000 tickets (docs/PERFORMANCE.md, Ingest, eighth round):
- dropped: `ix_tickets_status_next_due_at_id` (the open-ticket partial indexes and the primary key serve
  its queries), `ix_tickets_channel_id_created_at` and `ix_tickets_resolved_at` (no query filters on them),
  `ix_ticket_events_type_at` (every query on the type also names the ticket) and `ix_messages_contact_id`
  (its two queries also ask `ticket_id IS NULL`, which `ix_messages_ticket_id_id` serves);
- the closed lists of a department or an assignee get `(department_id, id)` / `(assignee_id, id)` indexes
  of closed tickets only, in place of the full `(department_id|assignee_id, status, next_due_at)` ones;
- partial: the open tickets of an assignee (only assigned ones), the idempotency key of replies and the
  dedupe key of events (only rows that have one: still unique), delivery states (only replies), our sent
  replies by thread (only sent replies), messages by time received (only citizens' messages) and metric
  facts by end day (only ended runs).
PostgreSQL builds each new index CONCURRENTLY under a temporary name and swaps it in, so lists keep an
index during the upgrade. SQLite rebuilds `messages` and `ticket_events` to drop the two unique
constraints (migrations/env.py runs that with foreign keys off).

Revision ID: ingest_0003
Revises: ingest_0002
Create Date: 2026-12-06 22:00:00
"""

from alembic import op

revision = "ingest_0003"
down_revision = "ingest_0002"
branch_labels = None
depends_on = None

OPEN = "status IN ('new', 'open', 'with_department', 'waiting_citizen', 'forwarded_external')"
CLOSED = "status IN ('resolved', 'cancelled')"
INBOX_FILTERS = "status, priority, channel_id, category_id, sla_level"

# name: (table, key columns, where, unique, PostgreSQL INCLUDE)
NEW = {
    "ix_tickets_open_assignee_id_next_due_at_id": (
        "tickets", "assignee_id, next_due_at, id", f"{OPEN} AND assignee_id IS NOT NULL", False,
        f"{INBOX_FILTERS}, department_id"),
    "ix_tickets_closed_department_id_id": ("tickets", "department_id, id", CLOSED, False, None),
    "ix_tickets_closed_assignee_id_id": ("tickets", "assignee_id, id", f"{CLOSED} AND assignee_id IS NOT NULL",
                                         False, None),
    "uq_messages_idempotency_key": ("messages", "idempotency_key", "idempotency_key IS NOT NULL", True, None),
    "ix_messages_channel_id_thread_key": ("messages", "channel_id, thread_key",
                                          "direction = 'out' AND external_id IS NOT NULL", False, None),
    "ix_messages_received_at": ("messages", "received_at", "direction = 'in'", False, None),
    "ix_messages_delivery_state": ("messages", "delivery_state", "delivery_state IS NOT NULL", False, None),
    "uq_ticket_events_dedupe_key": ("ticket_events", "dedupe_key", "dedupe_key IS NOT NULL", True, None),
    "ix_metric_facts_kind_end_day": ("metric_facts", "kind, end_day", "end_day IS NOT NULL", False,
                                     "result, end_week, department_id, channel_id, category_id, agent_id"),
}
# the indexes as they were before: name: (table, key columns, where, PostgreSQL INCLUDE)
OLD = {
    "ix_tickets_status_next_due_at_id": ("tickets", "status, next_due_at, id", None, None),
    "ix_tickets_department_id_status_next_due_at": ("tickets", "department_id, status, next_due_at", None, None),
    "ix_tickets_assignee_id_status_next_due_at": ("tickets", "assignee_id, status, next_due_at", None, None),
    "ix_tickets_channel_id_created_at": ("tickets", "channel_id, created_at", None, None),
    "ix_tickets_resolved_at": ("tickets", "resolved_at", None, None),
    "ix_tickets_open_assignee_id_next_due_at_id": ("tickets", "assignee_id, next_due_at, id", OPEN,
                                                   f"{INBOX_FILTERS}, department_id"),
    "ix_messages_channel_id_thread_key": ("messages", "channel_id, thread_key", None, None),
    "ix_messages_received_at": ("messages", "received_at", None, None),
    "ix_messages_contact_id": ("messages", "contact_id", None, None),
    "ix_messages_delivery_state": ("messages", "delivery_state", None, None),
    "ix_ticket_events_type_at": ("ticket_events", "type, at", None, None),
    "ix_metric_facts_kind_end_day": ("metric_facts", "kind, end_day", None,
                                     "result, end_week, department_id, channel_id, category_id, agent_id"),
}
UNIQUE_CONSTRAINTS = {"uq_messages_idempotency_key": ("messages", "idempotency_key"),
                      "uq_ticket_events_dedupe_key": ("ticket_events", "dedupe_key")}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_swap(NEW, OLD, UNIQUE_CONSTRAINTS)
        return
    for name, (table, _column) in UNIQUE_CONSTRAINTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="unique")
    for name, (table, *_rest) in OLD.items():
        op.drop_index(name, table_name=table)
    for name, (table, columns, where, unique, _include) in NEW.items():
        _sqlite_index(name, table, columns, where, unique)


def downgrade() -> None:
    old = {name: (table, columns, where, False, include) for name, (table, columns, where, include) in OLD.items()}
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, (table, columns, where, _unique, include) in old.items():
                _build(f"{name[:50]}_old", table, columns, where, False, include)
            for name, (table, column) in UNIQUE_CONSTRAINTS.items():
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({column})")
            for name in NEW:
                if name not in UNIQUE_CONSTRAINTS:
                    op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            for name in old:
                op.execute(f"ALTER INDEX {name[:50]}_old RENAME TO {name}")
        return
    for name, (table, *_rest) in NEW.items():
        op.drop_index(name, table_name=table)
    for name, (table, column) in UNIQUE_CONSTRAINTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(name, [column])
    for name, (table, columns, where, unique, _include) in old.items():
        _sqlite_index(name, table, columns, where, unique)


def _postgresql_swap(new: dict, old: dict, constraints: dict) -> None:
    """Build every new index under a temporary name, then drop what it replaces and rename it."""
    with op.get_context().autocommit_block():
        for name, (table, columns, where, unique, include) in new.items():
            _build(f"{name[:50]}_new", table, columns, where, unique, include)
        for name, (table, _column) in constraints.items():
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        for name in old:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        for name in new:
            op.execute(f"ALTER INDEX {name[:50]}_new RENAME TO {name}")


def _build(name: str, table: str, columns: str, where: str | None, unique: bool, include: str | None) -> None:
    op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")  # left by an interrupted upgrade
    sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX CONCURRENTLY {name} ON {table} ({columns})"
    if include:
        sql += f" INCLUDE ({include})"
    if where:
        sql += f" WHERE {where}"
    op.execute(sql)


def _sqlite_index(name: str, table: str, columns: str, where: str | None, unique: bool) -> None:
    sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {table} ({columns})"
    op.execute(sql + (f" WHERE {where}" if where else ""))
