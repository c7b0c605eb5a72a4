"""Migration ingest_0005 (metric facts keyed by their run, no surrogate id) keeps every fact, and its
downgrade brings the id back: on SQLite the table is rebuilt both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from tests import factories as f
from webcare import migrate
from webcare.db import make_engine

FACTS = "SELECT ticket_id, kind, seq, result, start_day FROM metric_facts ORDER BY ticket_id, kind, seq"


def test_upgrade_keeps_every_fact_and_downgrade_restores_the_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate.upgrade(url, "users_0001")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            f.tickets_with_facts(session)
            session.commit()
        with engine.connect() as conn:
            before = conn.execute(text(FACTS)).all()

        migrate.upgrade(url, "ingest_0005")
        with engine.connect() as conn:
            assert conn.execute(text(FACTS)).all() == before
        keyed = inspect(engine).get_pk_constraint("metric_facts")["constrained_columns"]
        columns = {column["name"] for column in inspect(engine).get_columns("metric_facts")}

        command.downgrade(migrate.alembic_config(url), "users_0001")
        engine.dispose()
        with engine.connect() as conn:
            assert conn.execute(text(FACTS)).all() == before
            ids = conn.execute(text("SELECT id FROM metric_facts ORDER BY id")).scalars().all()
        restored = inspect(engine).get_pk_constraint("metric_facts")["constrained_columns"]
    finally:
        engine.dispose()
    assert len(before) >= 6
    assert keyed == ["ticket_id", "kind", "seq"] and "id" not in columns
    assert restored == ["id"] and len(set(ids)) == len(before) and None not in ids
