"""Search: trigram indexes for the inbox's free-text search (PostgreSQL with the pg_trgm extension).

`ILIKE '%word%'` on the ticket subject and on the citizen's handle and name can use a GIN trigram index,
so a search finds its few tickets among a million instead of reading them all (services/ticket_search.py).
pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner may create it. Where
it cannot be had the indexes are left out with a warning and search still works, slower. Built
CONCURRENTLY, so a large tickets table stays writable during the upgrade. Nothing on SQLite.
These indexes live only in the database, not in the models (migrate.DATABASE_ONLY_INDEXES).

Revision ID: search_0001
Revises: dashboards_0001
Create Date: 2026-12-04 21:00:00
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "search_0001"
down_revision = "dashboards_0001"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
TRIGRAM_INDEXES = {
    "ix_tickets_subject_trgm": ("tickets", "subject"),
    "ix_contacts_handle_trgm": ("contacts", "handle"),
    "ix_contacts_display_name_trgm": ("contacts", "display_name"),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        if not _trigrams(bind):
            log.warning("pg_trgm is not available: free-text search works without its indexes, slower")
            return
        for name, (table, column) in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def _trigrams(bind) -> bool:
    """pg_trgm installed in this database, or installed now; False where it is missing or not allowed."""
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
        return True
    if not bind.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")):
        return False
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:  # e.g. insufficient privilege
        log.warning("CREATE EXTENSION pg_trgm failed: %s", error.orig)
        return False
    return True
