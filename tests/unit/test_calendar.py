"""The Dutch business calendar, table-driven. Every expected value was worked out by hand from a wall
calendar (weekdays, holidays, daylight saving switches on 30 March and 26 October 2025), not by the code."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from webcare.calendar import (
    Calendar,
    CalendarError,
    easter_sunday,
    opening_hours_from_text,
    statutory_holidays,
)

STD = Calendar()  # Monday-Friday 08:30-17:00, Europe/Amsterdam, statutory holidays


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


# (start, business minutes, expected) -- a business day is 8.5 hours (510 minutes)
BUSINESS_MINUTES = [
    ("2025-03-10T10:00+01:00", 240, "2025-03-10T14:00+01:00", "Monday morning, same day"),
    ("2025-03-10T10:00+01:00", 60, "2025-03-10T11:00+01:00", "one business hour"),
    ("2025-03-10T15:00+01:00", 240, "2025-03-11T10:30+01:00", "2h today, 2h tomorrow"),
    ("2025-03-08T10:00+01:00", 60, "2025-03-10T09:30+01:00", "Saturday start waits for Monday"),
    ("2025-03-09T23:00+01:00", 240, "2025-03-10T12:30+01:00", "Sunday night start"),
    ("2025-03-10T07:00+01:00", 60, "2025-03-10T09:30+01:00", "before opening"),
    ("2025-03-10T18:00+01:00", 60, "2025-03-11T09:30+01:00", "after closing"),
    ("2025-03-10T17:00+01:00", 1, "2025-03-11T08:31+01:00", "exactly at closing"),
    ("2025-03-10T13:00+01:00", 240, "2025-03-10T17:00+01:00", "ends exactly at closing"),
    ("2025-03-10T08:30+01:00", 510, "2025-03-10T17:00+01:00", "a whole business day"),
    ("2025-03-07T16:00+01:00", 240, "2025-03-10T11:30+01:00", "Friday afternoon over the weekend"),
    ("2025-03-10T09:00+01:00", 1200, "2025-03-12T12:00+01:00", "20 hours: 8 + 8.5 + 3.5"),
    ("2025-03-28T16:00+01:00", 240, "2025-03-31T11:30+02:00", "over the spring DST switch"),
    ("2025-10-24T16:00+02:00", 240, "2025-10-27T11:30+01:00", "over the autumn DST switch"),
    ("2025-04-17T16:00+02:00", 240, "2025-04-22T11:30+02:00", "Goede Vrijdag and Tweede Paasdag"),
    ("2026-04-24T16:00+02:00", 240, "2026-04-28T11:30+02:00", "Koningsdag on Monday 27 April 2026"),
    ("2025-05-02T16:30+02:00", 60, "2025-05-06T09:00+02:00", "Bevrijdingsdag Monday 5 May 2025"),
    ("2025-05-28T16:00+02:00", 120, "2025-05-30T09:30+02:00", "Hemelvaartsdag Thursday"),
    ("2025-06-06T16:00+02:00", 120, "2025-06-10T09:30+02:00", "Tweede Pinksterdag Monday 9 June"),
    ("2025-12-24T16:00+01:00", 120, "2025-12-29T09:30+01:00", "Christmas"),
    ("2025-12-31T16:00+01:00", 120, "2026-01-02T09:30+01:00", "New Year's Day"),
    ("2025-04-18T10:00+02:00", 30, "2025-04-22T09:00+02:00", "start on a holiday"),
]


@pytest.mark.parametrize("start, minutes, expected, why", BUSINESS_MINUTES)
def test_add_business_minutes(start, minutes, expected, why):
    assert STD.add_business_minutes(t(start), minutes) == t(expected), why


WORKING_DAYS = [
    ("2025-03-10T10:00+01:00", 1, "2025-03-11T10:00+01:00", "Monday to Tuesday"),
    ("2025-03-10T10:00+01:00", 3, "2025-03-13T10:00+01:00", "three working days"),
    ("2025-03-07T10:00+01:00", 1, "2025-03-10T10:00+01:00", "Friday to Monday"),
    ("2025-03-08T10:00+01:00", 1, "2025-03-11T08:30+01:00", "Saturday counts from Monday's opening"),
    ("2025-03-10T18:00+01:00", 1, "2025-03-12T08:30+01:00", "after closing counts from the next opening"),
    ("2025-03-10T07:00+01:00", 1, "2025-03-11T08:30+01:00", "before opening counts from today's opening"),
    ("2025-04-17T10:00+02:00", 1, "2025-04-22T10:00+02:00", "over Easter"),
    ("2025-04-16T10:00+02:00", 3, "2025-04-23T10:00+02:00", "Thu, (Fri, Mon closed) Tue, Wed"),
    ("2025-03-28T10:00+01:00", 1, "2025-03-31T10:00+02:00", "same local time after the spring switch"),
    ("2025-10-24T10:00+02:00", 1, "2025-10-27T10:00+01:00", "same local time after the autumn switch"),
    ("2025-05-28T14:00+02:00", 5, "2025-06-05T14:00+02:00", "Hemelvaartsdag skipped"),
    ("2026-04-24T11:00+02:00", 1, "2026-04-28T11:00+02:00", "Koningsdag 2026 skipped"),
    ("2025-12-01T09:00+01:00", 21, "2026-01-02T09:00+01:00", "21 working days over Christmas and New Year"),
    ("2025-04-18T12:00+02:00", 1, "2025-04-23T08:30+02:00", "start on Goede Vrijdag"),
]


@pytest.mark.parametrize("start, days, expected, why", WORKING_DAYS)
def test_add_working_days(start, days, expected, why):
    assert STD.add_working_days(t(start), days) == t(expected), why


CALENDAR_DAYS = [
    ("2025-03-10T10:00+01:00", 21, "2025-03-31T10:00+02:00", "21 days over the spring switch"),
    ("2025-03-08T22:00+01:00", 1, "2025-03-09T22:00+01:00", "weekend start is not moved"),
    ("2025-10-10T12:00+02:00", 21, "2025-10-31T12:00+01:00", "21 days over the autumn switch"),
    ("2025-12-24T16:00+01:00", 3, "2025-12-27T16:00+01:00", "holidays do not matter"),
]


@pytest.mark.parametrize("start, days, expected, why", CALENDAR_DAYS)
def test_add_calendar_days(start, days, expected, why):
    assert STD.add_calendar_days(t(start), days) == t(expected), why


BETWEEN = [
    ("2025-03-07T16:00+01:00", "2025-03-10T10:00+01:00", 9000, "1h Friday + 1.5h Monday"),
    ("2025-04-17T12:00+02:00", "2025-04-22T12:00+02:00", 30600, "5h Thursday + 3.5h Tuesday, Easter closed"),
    ("2025-03-10T12:00+01:00", "2025-03-10T10:00+01:00", 0, "end before start"),
    ("2025-03-08T09:00+01:00", "2025-03-09T18:00+01:00", 0, "a weekend"),
    ("2025-03-28T17:00+01:00", "2025-03-31T09:30+02:00", 3600, "over the spring switch"),
]


@pytest.mark.parametrize("start, end, seconds, why", BETWEEN)
def test_business_seconds_between(start, end, seconds, why):
    assert STD.business_seconds_between(t(start), t(end)) == seconds, why


# Holidays 2025-2030 by hand: Easter 20-4-2025, 5-4-2026, 28-3-2027, 16-4-2028, 1-4-2029, 21-4-2030.
# Goede Vrijdag = Easter - 2, Hemelvaart = Easter + 39, Pinksteren = Easter + 49/50.
HOLIDAYS = {
    2025: ["01-01", "04-18", "04-20", "04-21", "04-26", "05-05", "05-29", "06-08", "06-09", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-05", "04-06", "04-27", "05-05", "05-14", "05-24", "05-25", "12-25", "12-26"],
    2027: ["01-01", "03-26", "03-28", "03-29", "04-27", "05-05", "05-06", "05-16", "05-17", "12-25", "12-26"],
    2028: ["01-01", "04-14", "04-16", "04-17", "04-27", "05-05", "05-25", "06-04", "06-05", "12-25", "12-26"],
    2029: ["01-01", "03-30", "04-01", "04-02", "04-27", "05-05", "05-10", "05-20", "05-21", "12-25", "12-26"],
    2030: ["01-01", "04-19", "04-21", "04-22", "04-27", "05-05", "05-30", "06-09", "06-10", "12-25", "12-26"],
}
NAMES = ["Nieuwjaarsdag", "Goede Vrijdag", "Eerste Paasdag", "Tweede Paasdag", "Koningsdag", "Bevrijdingsdag",
         "Hemelvaartsdag", "Eerste Pinksterdag", "Tweede Pinksterdag", "Eerste Kerstdag", "Tweede Kerstdag"]


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_statutory_holidays(year):
    expected = {date.fromisoformat(f"{year}-{md}"): name for md, name in zip(HOLIDAYS[year], NAMES, strict=True)}
    assert statutory_holidays(year) == expected


def test_koningsdag_moves_to_saturday_when_27_april_is_a_sunday():
    assert statutory_holidays(2025)[date(2025, 4, 26)] == "Koningsdag"
    assert date(2025, 4, 27) not in statutory_holidays(2025)
    assert date(2031, 4, 26) in statutory_holidays(2031)  # 27 April 2031 is a Sunday too


def test_holidays_on_one_date_share_it():
    assert easter_sunday(2016) == date(2016, 3, 27)
    assert statutory_holidays(2016)[date(2016, 5, 5)] == "Bevrijdingsdag / Hemelvaartsdag"


ALL_HOLIDAYS = [date.fromisoformat(f"{y}-{md}") for y, days in HOLIDAYS.items() for md in days]


@pytest.mark.parametrize("day", ALL_HOLIDAYS, ids=str)
def test_every_holiday_is_closed(day):
    assert not STD.is_working_day(day)
    assert STD.spans(day) == ()
    opening = datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=STD.zone)
    assert not STD.is_open(opening)
    assert STD.next_opening(opening).astimezone(STD.zone).date() > day


def test_closed_days_lists_extra_days_with_names():
    calendar = Calendar("kcc", closing_days={date(2025, 5, 30): "Brugdag na Hemelvaart"})
    days = calendar.closed_days(2025)
    assert [d["date"] for d in days] == [f"2025-{md}" for md in HOLIDAYS[2025][:7]] + ["2025-05-30"] + \
        [f"2025-{md}" for md in HOLIDAYS[2025][7:]]
    assert days[7] == {"date": "2025-05-30", "weekday": "fri", "name": "Brugdag na Hemelvaart", "kind": "closing_day"}
    assert calendar.add_business_minutes(t("2025-05-28T16:00+02:00"), 120) == t("2025-06-02T09:30+02:00")


SATURDAY = Calendar("webcare", opening_hours={**{d: [["08:30", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
                                               "sat": [["10:00", "14:00"]], "sun": []})


@pytest.mark.parametrize("start, minutes, expected", [
    ("2025-03-07T16:00+01:00", 120, "2025-03-08T11:00+01:00"),  # Friday 1h, Saturday 1h
    ("2025-04-25T16:00+02:00", 120, "2025-04-28T09:30+02:00"),  # Saturday 26 April 2025 is Koningsdag
])
def test_a_calendar_open_on_saturday(start, minutes, expected):
    assert SATURDAY.add_business_minutes(t(start), minutes) == t(expected)
    assert STD.add_business_minutes(t("2025-03-07T16:00+01:00"), 120) == t("2025-03-10T09:30+01:00")


def test_a_lunch_break_is_not_business_time():
    calendar = Calendar("lunch", opening_hours={"mon": [["08:30", "12:00"], ["13:00", "17:00"]]})
    assert calendar.add_business_minutes(t("2025-03-10T11:30+01:00"), 60) == t("2025-03-10T13:30+01:00")
    assert calendar.add_working_days(t("2025-03-10T12:30+01:00"), 1) == t("2025-03-17T13:00+01:00")


ALWAYS = Calendar("24/7", opening_hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                  statutory_holidays=False)


def test_business_time_is_real_elapsed_time_over_dst_switches():
    assert ALWAYS.business_seconds_between(t("2025-03-30T00:00+01:00"), t("2025-03-31T00:00+02:00")) == 23 * 3600
    assert ALWAYS.business_seconds_between(t("2025-10-26T00:00+02:00"), t("2025-10-27T00:00+01:00")) == 25 * 3600
    assert ALWAYS.add_business_minutes(t("2025-03-29T12:00+01:00"), 24 * 60) == t("2025-03-30T13:00+02:00")


@pytest.mark.parametrize("hours, message", [
    ({"mon": [["17:00", "08:30"]]}, "does not end after it starts"),
    ({"mon": [["8:30", "17:00"]]}, "is not a time of day"),
    ({"mon": [["08:30", "12:00"], ["11:00", "17:00"]]}, "overlap"),
    ({"maandag": [["08:30", "17:00"]]}, "unknown weekday"),
    ({"mon": [["24:30", "25:00"]]}, "is not a time of day"),
])
def test_bad_opening_hours_are_refused(hours, message):
    with pytest.raises(CalendarError, match=message):
        Calendar("bad", opening_hours=hours)


def test_opening_hours_text_round_trip():
    hours = opening_hours_from_text({"mon": "08:30-12:00, 13:00-17:00", "sat": ""})
    assert hours["mon"] == [["08:30", "12:00"], ["13:00", "17:00"]] and hours["sat"] == []
    with pytest.raises(CalendarError, match="08:30-17:00"):
        opening_hours_from_text({"tue": "08:30 tot 17:00"})


def test_naive_instants_and_empty_calendars_are_refused():
    with pytest.raises(CalendarError, match="offset"):
        STD.add_business_minutes(datetime(2025, 3, 10, 10, 0), 60)
    with pytest.raises(CalendarError, match="no opening hours"):
        Calendar("closed", opening_hours={}).add_business_minutes(t("2025-03-10T10:00+01:00"), 60)


def test_remembered_walks_give_the_same_answers_as_fresh_ones():
    """A calendar reuses a walk for starts in the same opening interval (a batch of new tickets) and the opening
    time of whole days between two dates; every answer equals that of a calendar that never answered before:
    split days, closing days, DST, ends at closing time."""
    import random
    from datetime import UTC, timedelta

    hours = {"mon": [["08:30", "12:00"], ["13:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [],
             "thu": [["00:00", "24:00"]], "fri": [["08:00", "12:00"]], "sat": [["22:00", "24:00"]], "sun": []}
    closing = {date(2025, 3, 27): "sluitingsdag", date(2025, 10, 23): "sluitingsdag"}
    shared = Calendar(opening_hours=hours, closing_days=closing)
    rng = random.Random(3)
    for cluster in ("2025-03-24T06:00+01:00", "2025-03-28T10:00+01:00", "2025-10-20T11:55+02:00", "2025-10-24T18:00+02:00"):
        base = t(cluster).astimezone(UTC)
        for _ in range(400):
            start = base + timedelta(seconds=rng.randrange(0, 8 * 3600), microseconds=rng.randrange(10**6))
            seconds = rng.choice([0, 60, 3.5 * 3600, 4 * 3600, 8 * 3600, 9 * 3600, 30 * 3600, rng.randrange(86400)])
            fresh = Calendar(opening_hours=hours, closing_days=closing)
            assert shared.add_business_seconds(start, seconds) == fresh.add_business_seconds(start, seconds)
            days = rng.choice([1, 5, 21])
            assert shared.add_working_days(start, days) == fresh.add_working_days(start, days)
            end = start + timedelta(seconds=rng.randrange(0, 40 * 86400))
            assert shared.business_seconds_between(start, end) == fresh.business_seconds_between(start, end)
