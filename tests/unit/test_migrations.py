"""Migrations: a single head, and an upgrade from empty equals the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webcare import migrate
from webcare.db import Base


def test_single_head():
    assert len(migrate.heads()) == 1


def test_upgrade_from_empty_equals_models(runtime):
    # the session fixture built this database with `alembic upgrade head` from empty
    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_migrated_database_is_at_head(runtime):
    with runtime.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(migrate.heads())
