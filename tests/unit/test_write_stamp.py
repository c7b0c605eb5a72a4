"""The write stamp changes after a committed write through any of Webcare's engines, and only then."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import insert, select, text, update

from tests import factories as f
from webcare import write_stamp
from webcare.config import ConfigError, load_settings
from webcare.db import make_engine, on_commit
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


def test_after_a_redis_error_renewing_rests_a_moment(redis, monkeypatch, caplog):
    """An unreachable Redis must not hold up every commit for its connect timeout."""
    monkeypatch.setattr(write_stamp, "_resting_until", 0.0)
    broken = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    write_stamp.renew(broken)
    assert "write stamp not renewed" in caplog.text
    before = _stamp(redis)
    write_stamp.renew(redis)  # resting: not even the good one is asked
    assert _stamp(redis) == before
    monkeypatch.setattr(write_stamp, "_resting_until", 0.0)
    write_stamp.renew(redis)
    assert _stamp(redis) != before


@pytest.mark.parametrize("value", ["60", "-1", "nan"])
def test_the_time_limit_is_bounded(value):
    with pytest.raises(ConfigError, match="list_cache_seconds"):
        load_settings(environ={"WEBCARE_LIST_CACHE_SECONDS": value}, config_path=None)


def test_a_session_renews_the_stamp_before_its_after_commit_work(session, redis):
    """The inbox refreshes its rows on a realtime event published after commit: the stamp must be new
    by then, or the refresh could be served the page from before the write."""
    f.seeded(session)
    session.commit()
    before = _stamp(redis)
    seen = []
    session.execute(update(Department).where(Department.code == "OW").values(name="Openbare Werken."))
    on_commit(session, lambda: seen.append(_stamp(redis)))
    session.commit()
    assert seen and seen[0] != before
