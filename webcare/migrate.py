"""Alembic wiring: `upgrade()` applies migrations; used by `webcare init-db`, `webcare run` and tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Indexes that only a migration makes, on PostgreSQL only (trigram indexes: search_0001); the models do not
# declare them, so comparing the models with a database leaves them out.
DATABASE_ONLY_INDEXES = frozenset({"ix_tickets_subject_trgm", "ix_contacts_handle_trgm", "ix_contacts_display_name_trgm"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter for comparing the models with a database (autogenerate and the migration test)."""
    return not (type_ == "index" and reflected and name in DATABASE_ONLY_INDEXES)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def heads(database_url: str = "sqlite://") -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def is_current(engine: Engine) -> bool:
    """Whether the database has every migration applied (its revisions are the heads)."""
    with engine.connect() as connection:
        applied = set(MigrationContext.configure(connection).get_current_heads())
    return applied == set(heads(engine.url.render_as_string(hide_password=False)))
