"""Calendars from the database: one object per definition in a process (what it has worked out is kept between
batches and requests), and a changed definition gives a new one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests import factories as f
from webcare.models import BusinessCalendar, ClosingDay
from webcare.services import calendars

FRIDAY = datetime(2025, 5, 23, 10, 0, tzinfo=UTC)  # two working days later: Tuesday 27 May


def _default(session) -> BusinessCalendar:
    f.seeded(session)
    return session.get(BusinessCalendar, calendars.default_id(session))


def test_a_definition_is_one_object_and_a_change_is_another(runtime, session):
    model = _default(session)
    session.commit()
    with runtime.transaction() as other:
        first = calendars.by_name(other, model.name)
    with runtime.transaction() as other:
        assert calendars.by_name(other, model.name) is first  # the same definition: its work is kept
    assert first.add_working_days(FRIDAY, 2).date() == date(2025, 5, 27)

    session.add(ClosingDay(calendar_id=model.id, day=date(2025, 5, 26), name="Eigen sluitingsdag"))
    session.commit()
    with runtime.transaction() as other:
        changed = calendars.by_name(other, model.name)
    assert changed is not first
    assert changed.add_working_days(FRIDAY, 2).date() == date(2025, 5, 28)

