"""The configuration version: each process keeps its copy of the configuration while the version stays the
same, and every committed change to the configuration, however it was made, changes the version."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from tests import factories as f
from webcare.models import AppState, BusinessCalendar, Category, ClosingDay, Department, SlaPolicy, User
from webcare.services import config_version, routing, sla_cache, users
from webcare.services.routing import rules
from webcare.services.users import ThrottlePolicy


def test_transactions_share_the_process_copy_while_nothing_changes(runtime, session):
    f.seeded(session)
    session.commit()
    with runtime.transaction() as one:
        first = sla_cache.cache(one)
        assert sla_cache.cache(one) is first
    with runtime.transaction() as two:
        assert sla_cache.cache(two) is first


def test_a_change_through_the_orm_reaches_the_next_transaction_without_a_bump_call(runtime, session):
    f.seeded(session)
    session.commit()
    with runtime.transaction() as worker:
        before = sla_cache.cache(worker)
        stamp = config_version.read(worker)
    with runtime.transaction() as admin:
        admin.scalar(select(SlaPolicy)).first_response_public_minutes = 61
    with runtime.transaction() as worker:
        assert config_version.read(worker) != stamp
        after = sla_cache.cache(worker)
        assert after is not before and after.policy()["first_response_public_minutes"] == 61


def test_every_kind_of_configuration_row_changes_the_version(runtime, session):
    f.seeded(session)
    session.commit()
    changes = [
        lambda s: setattr(s.scalar(select(Category).limit(1)), "handling_target", 9),
        lambda s: setattr(s.scalar(select(Department).limit(1)), "feedback_working_days", 4),
        lambda s: setattr(s.scalar(select(BusinessCalendar).limit(1)), "statutory_holidays", False),
        lambda s: s.add(ClosingDay(calendar_id=s.scalar(select(BusinessCalendar.id).limit(1)),
                                   day=date(2031, 12, 24), name="Kerstavond")),
    ]
    for change in changes:
        with runtime.transaction() as reader:
            stamp = config_version.read(reader)
        with runtime.transaction() as admin:
            change(admin)
        with runtime.transaction() as reader:
            assert config_version.read(reader) != stamp


def test_a_transaction_that_changes_the_configuration_sees_its_change_and_keeps_it_to_itself(runtime, session):
    f.seeded(session)
    session.commit()
    with runtime.transaction() as worker:
        shared = sla_cache.cache(worker)
    admin = runtime.session_factory()
    try:
        admin.scalar(select(SlaPolicy)).first_response_public_minutes = 62
        admin.flush()
        own = sla_cache.cache(admin)
        assert own is not shared and own.policy()["first_response_public_minutes"] == 62
        admin.rollback()
    finally:
        admin.close()
    with runtime.transaction() as worker:
        assert sla_cache.cache(worker) is shared  # the rolled-back change was never kept for the others


def test_a_core_statement_with_forget_cache_changes_the_version(runtime, session):
    f.seeded(session)
    session.commit()
    with runtime.transaction() as reader:
        stamp = config_version.read(reader)
    with runtime.transaction() as admin:
        admin.execute(update(SlaPolicy).values(first_response_dm_minutes=63))
        sla_cache.forget_cache(admin)
    with runtime.transaction() as reader:
        assert config_version.read(reader) != stamp
        assert sla_cache.cache(reader).policy()["first_response_dm_minutes"] == 63


def test_reading_changes_nothing(runtime, session):
    f.seeded(session)
    session.commit()
    with runtime.transaction() as reader:
        stamp = config_version.read(reader)
        sla_cache.cache(reader)
        reader.scalar(select(Category).limit(1)).name  # noqa: B018 - loaded, not changed
    with runtime.transaction() as reader:
        assert config_version.read(reader) == stamp


def test_a_rule_stops_assigning_to_a_user_deactivated_since_its_rules_were_compiled(runtime, session):
    f.seeded(session)
    agent = f.user(session, "agent", email="vera@voorbeeldstad.nl")
    rules.create_rule(session, {"name": "Vera", "position": 1, "conditions": {"words": ["krokodil"]},
                                "actions": {"department": "OW", "assignee": agent.email}}, None)
    session.commit()
    item = routing.RouteInput(text="Er zwemt een krokodil in de vijver")
    with runtime.transaction() as worker:
        assert routing.decide(worker, item).assignee_id == agent.id
    with runtime.transaction() as admin:
        users.update_user(admin, admin.get(User, agent.id), name="Vera", role="agent", department_codes=[],
                          active=False)
    with runtime.transaction() as worker:
        assert routing.decide(worker, item).assignee_id is None


def test_a_login_does_not_change_the_version(runtime, session):
    f.seeded(session)
    f.user(session, "agent", email="wim@voorbeeldstad.nl")
    session.commit()
    with runtime.transaction() as reader:
        stamp = config_version.read(reader)
    with runtime.transaction() as login:
        users.authenticate(login, "wim@voorbeeldstad.nl", f.PASSWORD, "127.0.0.1", ThrottlePolicy(5, 900))
    with runtime.transaction() as reader:
        assert config_version.read(reader) == stamp
        assert reader.scalar(select(User.last_login_at).where(User.email == "wim@voorbeeldstad.nl")) is not None


def test_a_flush_that_changes_the_configuration_locks_the_stamp_before_the_rows(runtime, session):
    """Two administrators changing the same category by different paths wait for each other: the one that
    flushed first holds the stamp, which the other's rule service (bump first) or flush asks for before it
    touches the category. Before, the bump waited for the commit and the two could deadlock."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite takes the whole database at the first write)")
    f.seeded(session)
    config_version.bump(session)
    session.commit()
    with runtime.transaction() as admin:
        admin.scalar(select(Category).limit(1)).handling_target = 11
        admin.flush()
        with runtime.engine.connect() as other:
            other.execute(text("SET lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(select(AppState.key).where(AppState.key == config_version.STATE_KEY).with_for_update())
            other.rollback()
        version = config_version.bump(admin)  # the transaction's own bump does not wait for itself
    with runtime.transaction() as reader:
        assert config_version.read(reader)[0] == version


def test_inside_a_savepoint_the_bump_waits_for_the_commit(runtime, session):
    f.seeded(session)
    session.commit()
    with runtime.transaction() as reader:
        stamp = config_version.read(reader)
    with runtime.transaction() as admin:
        with admin.begin_nested() as savepoint:
            admin.scalar(select(Category).limit(1)).handling_target = 12
            admin.flush()
            savepoint.rollback()  # the change and anything bumped with it are gone ...
        admin.scalar(select(Department).limit(1)).feedback_working_days = 5  # ... this one is not
        admin.flush()
    with runtime.transaction() as reader:
        assert config_version.read(reader) != stamp
