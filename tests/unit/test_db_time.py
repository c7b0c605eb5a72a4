"""Datetimes go in and come out aware and in UTC on every backend (webcare.db.UTCDateTime); on PostgreSQL
the session runs in UTC, so psycopg's values need no conversion (webcare.db._postgres_session_settings)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal, select, text

from webcare.db import UTCDateTime


def test_a_datetime_comes_back_as_the_same_instant_in_utc(session):
    amsterdam = datetime(2026, 7, 1, 14, 5, 30, 123000, tzinfo=ZoneInfo("Europe/Amsterdam"))
    value = session.scalar(select(literal(amsterdam, UTCDateTime())))
    assert value == amsterdam
    assert value.tzinfo is UTC and value.hour == 12


def test_a_naive_datetime_is_refused(session):
    with pytest.raises(Exception, match="naive datetime"):
        session.scalar(select(literal(datetime(2026, 7, 1, 14, 5), UTCDateTime())))


def test_postgres_sessions_run_in_utc_whatever_the_server_says(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert session.scalar(text("SHOW TimeZone")) == "UTC"
    assert session.scalar(text("SELECT now()")).tzinfo is UTC
