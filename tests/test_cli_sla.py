"""`webcare sla deadline` and `webcare calendar closed-days` (expected values worked out by hand)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests import factories
from webcare.models import BusinessCalendar, ClosingDay


@pytest.mark.parametrize("args, deadline", [
    (["--start", "2025-03-07T16:00:00+01:00", "--business-hours", "4"], "2025-03-10T11:30:00+01:00"),
    (["--start", "2025-03-07T15:00:00Z", "--business-hours", "1.5"], "2025-03-10T09:00:00+01:00"),
    (["--start", "2025-04-17T10:00:00+02:00", "--working-days", "1"], "2025-04-22T10:00:00+02:00"),
    (["--start", "2025-03-10T10:00:00+01:00", "--calendar-days", "21"], "2025-03-31T10:00:00+02:00"),
    (["--start", "2025-03-28T16:00:00+01:00", "--business-hours", "4"], "2025-03-31T11:30:00+02:00"),
])
def test_sla_deadline(cli, args, deadline):
    result = cli("sla", "deadline", *args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["deadline"] == deadline


@pytest.mark.parametrize("args, message", [
    (["--start", "2025-03-07T16:00:00", "--business-hours", "4"], "needs a UTC offset"),
    (["--start", "vrijdag", "--business-hours", "4"], "not an ISO 8601"),
    (["--start", "2025-03-07T16:00:00+01:00"], "exactly one of"),
    (["--start", "2025-03-07T16:00:00+01:00", "--working-days", "1", "--calendar-days", "2"], "exactly one of"),
    (["--start", "2025-03-07T16:00:00+01:00", "--working-days", "-1"], "must not be negative"),
    (["--start", "2025-03-07T16:00:00+01:00", "--working-days", "1", "--calendar", "nope"], "no calendar named"),
    (["--start", "2026-12-05T10:00:00+01:00", "--business-hours", "nan"], "at most 1666 business hours and 40 minutes"),
    (["--start", "2026-12-05T10:00:00+01:00", "--business-hours", "inf"], "at most 1666 business hours and 40 minutes"),
    (["--start", "2026-12-05T10:00:00+01:00", "--business-hours", "1e12"], "at most 1666 business hours and 40 minutes"),
    (["--start", "2026-12-05T10:00:00+01:00", "--working-days", "366"], "at most 365 working days"),
    (["--start", "2026-12-05T10:00:00+01:00", "--calendar-days", "10000000000"], "at most 365 calendar days"),
    (["--start", "9999-12-30T16:00:00+01:00", "--calendar-days", "5"], "outside the years 1 to 9999"),
    (["--start", "9999-12-30T16:00:00+01:00", "--working-days", "5"], "outside the years 1 to 9999"),
    (["--start", "9999-12-30T16:00:00+01:00", "--business-hours", "50"], "outside the years 1 to 9999"),
    (["--start", "0001-01-01T00:00:00+01:00", "--business-hours", "5"], "outside the years 1 to 9999"),
])
def test_sla_deadline_bad_input_exits_2(cli, args, message):
    result = cli("sla", "deadline", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_sla_deadline_at_the_largest_amounts(cli):
    for unit, amount in (("--business-hours", "1666.5"), ("--working-days", "365"), ("--calendar-days", "365")):
        assert cli("sla", "deadline", "--start", "2026-12-05T10:00:00+01:00", unit, amount).exit_code == 0


def test_closed_days_lists_holidays_and_closing_days(cli, session):
    result = cli("calendar", "closed-days", "2025")
    assert result.exit_code == 0, result.output
    days = json.loads(result.output)
    assert len(days) == 11
    assert {"date": "2025-04-26", "weekday": "sat", "name": "Koningsdag", "kind": "statutory"} in days
    factories.seeded(session)
    calendar = session.query(BusinessCalendar).one()
    session.add(ClosingDay(calendar_id=calendar.id, day=date(2025, 5, 30), name="Brugdag"))
    session.commit()
    named = json.loads(cli("calendar", "closed-days", "2025", "--calendar", calendar.name).output)
    assert [d["name"] for d in named if d["date"] == "2025-05-30"] == ["Brugdag"]
    assert cli("sla", "deadline", "--start", "2025-05-28T16:00:00+02:00", "--business-hours", "2").exit_code == 0
    assert json.loads(cli("sla", "deadline", "--start", "2025-05-28T16:00:00+02:00", "--business-hours", "2").output
                      )["deadline"] == "2025-06-02T09:30:00+02:00"
    assert cli("calendar", "closed-days", "20255").exit_code == 2
