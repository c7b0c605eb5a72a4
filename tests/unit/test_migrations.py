"""Migrations: a single head, and an upgrade from empty equals the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from webcare import migrate
from webcare.db import Base


def test_single_head():
    assert len(migrate.heads()) == 1


def test_upgrade_from_empty_equals_models(runtime):
    # the session fixture built this database with `alembic upgrade head` from empty
    with runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": migrate.include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_migrated_database_is_at_head(runtime):
    with runtime.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(migrate.heads())


def test_trigram_indexes_on_postgresql(runtime):
    """On PostgreSQL (pg_trgm ships with it) the free-text search has its trigram indexes; SQLite has none."""
    with runtime.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return
        found = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")))
    assert found == set(migrate.DATABASE_ONLY_INDEXES)
