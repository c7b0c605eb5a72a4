"""Alembic environment: runs against the connection or URL that `webcare.migrate` hands over."""

from alembic import context
from sqlalchemy import pool

import webcare.models  # noqa: F401  (fills Base.metadata)
from webcare.db import Base, make_engine
from webcare.migrate import include_object

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    if connection.dialect.name == "sqlite":
        _run_without_sqlite_foreign_keys(connection)
    else:
        _migrate(connection)


def _run_without_sqlite_foreign_keys(connection) -> None:
    """SQLite alters a table by copying it to a new one and dropping the old; with foreign keys on, that
    drop deletes the old rows and cascades to the rows that point at them (a ticket's messages and events).
    So the keys are off while migrating (a pragma that only works outside a transaction) and checked after."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        _migrate(connection)
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.commit()
        if broken:
            raise RuntimeError(f"migration left rows whose foreign key points nowhere: {broken[:5]}")
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
