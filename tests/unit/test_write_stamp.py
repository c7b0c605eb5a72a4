"""The write stamp changes after a committed write through any of Webcare's engines, and only then."""

from __future__ import annotations

from sqlalchemy import insert, select, text, update

from tests import factories as f
from webcare import write_stamp
from webcare.db import make_engine
from webcare.models import Department
from webcare.runtime import Runtime


def _stamp(redis) -> bytes:
    return write_stamp.current(redis)


def test_reads_keep_the_stamp(runtime, session, redis):
    f.seeded(session)
    session.commit()
    before = _stamp(redis)
    session.scalars(select(Department)).all()
    session.commit()  # a transaction that only read
    with runtime.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.commit()
    assert _stamp(redis) == before


def test_an_orm_commit_renews_the_stamp(session, redis):
    before = _stamp(redis)
    f.seeded(session)
    assert _stamp(redis) == before, "not before the commit"
    session.commit()
    assert _stamp(redis) != before


def test_a_rolled_back_write_keeps_the_stamp(runtime, session, redis):
    f.seeded(session)
    session.commit()
    before = _stamp(redis)
    session.execute(update(Department).values(name="X"))
    session.rollback()
    with runtime.engine.connect() as conn:  # closed without commit: the pool rolls it back
        conn.execute(update(Department).values(name="Y"))
    assert _stamp(redis) == before
    session.scalars(select(Department)).all()
    session.commit()
    assert _stamp(redis) == before


def test_core_writes_on_a_kept_connection_renew_it_before_the_next_transaction(runtime, session, redis):
    f.seeded(session)
    session.commit()
    before = _stamp(redis)
    with runtime.engine.connect() as conn:
        conn.execute(insert(Department).values(code="NEW", name="Nieuw"))
        conn.commit()
        conn.execute(text("SELECT 1"))  # the next transaction begins: the commit is behind us
        assert _stamp(redis) != before


def test_another_process_engine_renews_the_same_stamp(runtime, session, redis):
    """A worker or the CLI writes through its own engine and runtime: the web's caches see it."""
    f.seeded(session)
    session.commit()
    before = _stamp(redis)
    other = Runtime(settings=runtime.settings, engine=make_engine(runtime.settings.database_url),
                    redis_override=redis)
    try:
        with other.transaction() as s:
            s.execute(update(Department).where(Department.code == "OW").values(name="Openbare Werken!"))
    finally:
        other.engine.dispose()
    assert _stamp(redis) != before


def test_an_unknown_statement_counts_as_a_write():
    assert write_stamp.is_read("  select 1")
    assert write_stamp.is_read("SAVEPOINT sa_1")
    assert not write_stamp.is_read("WITH moved AS (UPDATE tickets SET x = 1 RETURNING id) SELECT 1")
    assert not write_stamp.is_read("TRUNCATE tickets")
    assert not write_stamp.is_read("INSERT INTO t VALUES (1)")


def test_a_stamp_is_made_when_redis_has_none(redis):
    redis.delete(write_stamp.STAMP_KEY)
    first = _stamp(redis)
    assert first and _stamp(redis) == first
