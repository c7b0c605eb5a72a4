"""The Dutch business calendar (pure: no database, no Flask).

A `Calendar` knows its opening hours per weekday (local time, Europe/Amsterdam by default, daylight
saving time through zoneinfo), whether it closes on the statutory holidays (Algemene termijnenwet
art. 3, plus Goede Vrijdag) and its extra closing days (bridge days, the municipality's own). It answers
the questions of docs/SLA.md exactly as DOMAIN.md defines them:

- `add_business_seconds` / `add_business_minutes`: walk the opening intervals;
- `add_working_days`: the same local time on the Nth following working day (from the next opening);
- `add_calendar_days`: the same local time N days later;
- `business_seconds_between`: the opening time between two instants.

Every instant going in must be timezone-aware; every instant coming out is aware and in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webcare.calendar_errors import CalendarError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIMEZONE = "Europe/Amsterdam"
DEFAULT_OPENING_HOURS = {day: [["08:30", "17:00"]] for day in WEEKDAYS[:5]} | {"sat": [], "sun": []}
SEARCH_DAYS = 3 * 366  # a walk that finds no opening within this many days has a calendar without hours
_WALKS_KEPT = 4096  # remembered walks per calendar object (see `Calendar._shifted_walk`)
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Span = tuple[datetime, datetime]


# --- holidays ---------------------------------------------------------------------------------

def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    day = (h + l_ - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


def kings_day(year: int) -> tuple[date, str]:
    """Koningsdag: 27 April, or 26 April when the 27th is a Sunday (from 2014; before: Koninginnedag
    on 30 April, or 29 April when the 30th is a Sunday)."""
    if year >= 2014:
        day = date(year, 4, 27)
        return (day - timedelta(days=1) if day.weekday() == 6 else day), "Koningsdag"
    day = date(year, 4, 30)
    return (day - timedelta(days=1) if day.weekday() == 6 else day), "Koninginnedag"


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The closed days that every year brings: Algemene termijnenwet art. 3 plus Goede Vrijdag.

    Eerste Paasdag and Eerste Pinksterdag are always Sundays; they are listed so that a calendar that is
    open on Sundays still closes on them. Two holidays on one date (Hemelvaartsdag on 5 May) share it.
    """
    easter = easter_sunday(year)
    king, king_name = kings_day(year)
    named = [
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (easter - timedelta(days=2), "Goede Vrijdag"),
        (easter, "Eerste Paasdag"),
        (easter + timedelta(days=1), "Tweede Paasdag"),
        (king, king_name),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter + timedelta(days=39), "Hemelvaartsdag"),
        (easter + timedelta(days=49), "Eerste Pinksterdag"),
        (easter + timedelta(days=50), "Tweede Pinksterdag"),
        (date(year, 12, 25), "Eerste Kerstdag"),
        (date(year, 12, 26), "Tweede Kerstdag"),
    ]
    days: dict[date, str] = {}
    for day, name in named:
        days[day] = f"{days[day]} / {name}" if day in days else name
    return dict(sorted(days.items()))


# --- opening hours ------------------------------------------------------------------------------

def parse_time(text: str) -> time | None:
    """'08:30' -> 08:30; '24:00' -> None (the end of the day)."""
    match = _HHMM.match(text.strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise CalendarError(f"{text!r} is not a time of day (HH:MM, 00:00 to 24:00)", "calendar_time", value=text)
    if match.group(1) == "24":
        return None
    return time(int(match.group(1)), int(match.group(2)))


def parse_opening_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> tuple[tuple[tuple[time, time | None], ...], ...]:
    """Validate {"mon": [["08:30", "17:00"]], ...} into seven sorted tuples of (start, end or None=24:00)."""
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise CalendarError(f"unknown weekday(s): {', '.join(sorted(unknown))}")
    parsed = []
    for day in WEEKDAYS:
        intervals = []
        for pair in hours.get(day) or ():
            if len(pair) != 2:
                raise CalendarError(f"{day}: an opening interval is a pair of times, got {pair!r}")
            start, end = parse_time(pair[0]), parse_time(pair[1])
            if start is None or (end is not None and end <= start):
                raise CalendarError(f"{day}: {pair[0]}-{pair[1]} does not end after it starts", "calendar_order",
                                    day=day, value=f"{pair[0]}-{pair[1]}")
            intervals.append((start, end))
        intervals.sort(key=lambda iv: iv[0])
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            if end is None or end > start:
                raise CalendarError(f"{day}: opening intervals overlap", "calendar_overlap", day=day)
        parsed.append(tuple(intervals))
    return tuple(parsed)


def format_opening_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, str]:
    """{"mon": "08:30-17:00", "sat": ""}: the form people edit (several intervals comma-separated)."""
    return {day: ", ".join(f"{a}-{b}" for a, b in hours.get(day) or ()) for day in WEEKDAYS}


def opening_hours_from_text(texts: Mapping[str, str]) -> dict[str, list[list[str]]]:
    """The inverse of `format_opening_hours`, validated."""
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        parts = [p.strip() for p in (texts.get(day) or "").split(",") if p.strip()]
        hours[day] = []
        for part in parts:
            if part.count("-") != 1:
                raise CalendarError(f"{day}: write an interval as 08:30-17:00, got {part!r}", "calendar_interval",
                                    day=day, value=part)
            start, end = (s.strip() for s in part.split("-"))
            hours[day].append([start, end])
    parse_opening_hours(hours)
    return hours


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"unknown time zone {name!r}", "calendar_zone", value=name) from exc


def _aware(moment: datetime, what: str = "instant") -> datetime:
    if moment.tzinfo is not UTC and (moment.tzinfo is None or moment.utcoffset() is None):
        raise CalendarError(f"the {what} needs a time zone offset")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)  # UTC: the usual case, and the cheap one


def _subtract(span: Span, skips: Sequence[Span]) -> list[Span]:
    """Parts of `span` not covered by the sorted, non-overlapping `skips`."""
    parts, (start, end) = [], span
    for skip_start, skip_end in skips:
        if skip_end <= start or skip_start >= end:
            continue
        if skip_start > start:
            parts.append((start, skip_start))
        start = max(start, skip_end)
        if start >= end:
            return parts
    parts.append((start, end))
    return parts


class Calendar:
    """One business calendar: opening hours, time zone, statutory holidays on or off, extra closing days."""

    def __init__(self, name: str = "standaard", *, timezone: str = DEFAULT_TIMEZONE,
                 opening_hours: Mapping[str, Sequence[Sequence[str]]] | None = None,
                 statutory_holidays: bool = True, closing_days: Mapping[date, str] | None = None,
                 calendar_id: int | None = None):
        self.name = name
        self.id = calendar_id
        self.zone = zone_of(timezone)
        self.opening_hours = dict(opening_hours if opening_hours is not None else DEFAULT_OPENING_HOURS)
        self._hours = parse_opening_hours(self.opening_hours)
        self.statutory = statutory_holidays
        self.closing_days = dict(closing_days or {})
        self._spans: dict[date, tuple[Span, ...]] = {}
        self._open_time: dict[date, timedelta] = {}
        self._working_day_after: dict[tuple[date, int], date] = {}
        self._walks: dict[tuple[Span, timedelta], tuple[datetime, datetime, Span]] = {}
        self._between: dict[tuple[date, date], timedelta] = {}
        self._last_span: Span = (datetime.max.replace(tzinfo=UTC),) * 2

    def __repr__(self) -> str:
        return f"<Calendar {self.name}>"

    # -- days ------------------------------------------------------------------------------------
    def closed_reason(self, day: date) -> str | None:
        """The name of the holiday or closing day on `day`, or None when it is not a closed day."""
        if day in self.closing_days:
            return self.closing_days[day]
        if self.statutory:
            return statutory_holidays(day.year).get(day)
        return None

    def closed_days(self, year: int) -> list[dict]:
        """The holidays and extra closing days of `year`, in date order."""
        days: dict[date, dict] = {}
        if self.statutory:
            for day, name in statutory_holidays(year).items():
                days[day] = {"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()], "name": name,
                             "kind": "statutory"}
        for day, name in self.closing_days.items():
            if day.year == year and day not in days:
                days[day] = {"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()], "name": name,
                             "kind": "closing_day"}
        return [days[day] for day in sorted(days)]

    def is_working_day(self, day: date) -> bool:
        return bool(self._hours[day.weekday()]) and self.closed_reason(day) is None

    def spans(self, day: date) -> tuple[Span, ...]:
        """The opening intervals of one local date, as UTC instants (empty on a closed day)."""
        if day not in self._spans:
            self._spans[day] = () if self.closed_reason(day) else tuple(
                (self._instant(day, start), self._instant(day, end)) for start, end in self._hours[day.weekday()]
            )
        return self._spans[day]

    def open_time(self, day: date) -> timedelta:
        """The opening time of one local date (zero on a closed day)."""
        if day not in self._open_time:
            self._open_time[day] = sum((end - begin for begin, end in self.spans(day)), timedelta(0))
        return self._open_time[day]

    def _instant(self, day: date, clock: time | None) -> datetime:
        if clock is None:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(UTC)
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _days_from(self, moment: datetime) -> Iterable[date]:
        day = self.local_date(moment)
        for offset in range(SEARCH_DAYS):
            yield day + timedelta(days=offset)
        raise CalendarError(f"calendar {self.name!r} has no opening hours within {SEARCH_DAYS} days")

    # -- instants --------------------------------------------------------------------------------
    def is_open(self, moment: datetime) -> bool:
        moment = _aware(moment)
        return any(a <= moment < b for a, b in self.spans(self.local_date(moment)))

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the start of the next opening interval."""
        return self.add_business_seconds(moment, 0)

    def add_business_seconds(self, start: datetime, seconds: float, *, skip: Sequence[Span] = ()) -> datetime:
        """Walk the opening intervals from `start` until `seconds` of opening time have passed.

        `skip` (sorted, non-overlapping UTC spans) is time that does not count even when open. A walk
        that ends exactly at a closing time returns that closing time.
        """
        moment = _aware(start, "start")
        if seconds < 0:
            raise CalendarError("business time to add must not be negative")
        remaining = timedelta(seconds=seconds)
        if skip:
            return self._walk(moment, remaining, skip)
        first = self._first_span_from(moment)
        return self._shifted_walk(first, max(first[0], moment), remaining)

    def _walk(self, moment: datetime, remaining: timedelta, skip: Sequence[Span] = ()) -> datetime:
        for day in self._days_from(moment):
            spans = self.spans(day)
            if not skip and spans and spans[0][0] >= moment and remaining > self.open_time(day):
                remaining -= self.open_time(day)  # the walk passes this whole day
                continue
            for open_span in spans:
                if open_span[1] <= moment:
                    continue
                for begin, end in _subtract((max(open_span[0], moment), open_span[1]), skip):
                    if remaining <= end - begin:
                        return begin + remaining
                    remaining -= end - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def _first_span_from(self, moment: datetime) -> Span:
        """The opening interval a walk from `moment` starts in: the one `moment` is in, else the next one."""
        if (last := self._last_span)[0] <= moment < last[1]:  # read once: threads may share a calendar
            return last
        for day in self._days_from(moment):
            for span in self.spans(day):
                if span[1] > moment:
                    self._last_span = span
                    return span
        raise AssertionError("unreachable")  # pragma: no cover

    def _shifted_walk(self, first: Span, begin: datetime, remaining: timedelta) -> datetime:
        """A walk from `begin` in the opening interval `first`, reusing an earlier walk from that interval.

        Within one interval the walk is a shift: starting later by d ends later by d, as long as the end
        stays inside the interval where the earlier walk ended (so many tickets opened in one interval,
        as a batch of new tickets is, cost one walk). Exact: else it walks again.
        """
        known = self._walks.get((first, remaining))
        if known is not None:
            start, end, last = known
            moved = end + (begin - start)
            if (last[0] < moved or (last == first and moved >= begin)) and moved <= last[1]:
                return moved
        end = self._walk(begin, remaining)
        if len(self._walks) >= _WALKS_KEPT:
            self._walks.clear()
        self._walks[(first, remaining)] = (begin, end, first if end <= first[1] else self._span_ending(end))
        return end

    def _span_ending(self, moment: datetime) -> Span:
        """The opening interval with begin < moment <= end (where a walk that ended at `moment` was)."""
        day = self.local_date(moment)
        for span in self.spans(day - timedelta(days=1)) + self.spans(day):
            if span[0] < moment <= span[1]:
                return span
        raise AssertionError("a walk ends inside an opening interval")  # pragma: no cover

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        return self.add_business_seconds(start, minutes * 60)

    def business_seconds_between(self, start: datetime, end: datetime, *, skip: Sequence[Span] = ()) -> int:
        """Opening time between two instants, in whole seconds (0 when `end` is not after `start`)."""
        start, end = _aware(start, "start"), _aware(end, "end")
        first, last = self.local_date(start), self.local_date(end)
        if skip or last <= first:
            return int(self._open_within(first, last, start, end, skip).total_seconds())
        # the days strictly between lie wholly between the two instants: their total is remembered
        total = (self._open_within(first, first, start, end) + self._whole_days_between(first, last)
                 + self._open_within(last, last, start, end))
        return int(total.total_seconds())

    def _open_within(self, day: date, last: date, start: datetime, end: datetime, skip: Sequence[Span] = ()) -> timedelta:
        total = timedelta(0)
        while day <= last:
            for a, b in self.spans(day):
                for begin, stop in _subtract((max(a, start), min(b, end)), skip):
                    if stop > begin:
                        total += stop - begin
            day += timedelta(days=1)
        return total

    def _whole_days_between(self, first: date, last: date) -> timedelta:
        known = self._between.get((first, last))
        if known is None:
            if len(self._between) >= _WALKS_KEPT:
                self._between.clear()
            known = self._between[(first, last)] = sum(
                (self.open_time(first + timedelta(days=n)) for n in range(1, (last - first).days)), timedelta(0))
        return known

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time on the Nth following working day; a start outside opening hours counts
        from the next opening."""
        if days < 0:
            raise CalendarError("the number of working days must not be negative")
        begin = self.next_opening(start).astimezone(self.zone)
        key = (begin.date(), days)
        if key not in self._working_day_after:
            self._working_day_after[key] = self._count_working_days(begin.date(), days)
        return datetime.combine(self._working_day_after[key], begin.time(), tzinfo=self.zone).astimezone(UTC)

    def _count_working_days(self, day: date, days: int) -> date:
        counted = 0
        for _ in range(SEARCH_DAYS * 2):
            if counted == days:
                return day
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        raise CalendarError(f"calendar {self.name!r} has too few working days")

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` days later (whatever the opening hours)."""
        if days < 0:
            raise CalendarError("the number of calendar days must not be negative")
        local = _aware(start, "start").astimezone(self.zone)
        return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=self.zone).astimezone(UTC)

    def add(self, start: datetime, value: float, unit: str) -> datetime:
        """Add a target in its unit; beyond the years 1 to 9999 (UTC or local) it is a CalendarError."""
        try:
            if unit == "business_minutes":
                return self.add_business_minutes(start, value)
            if unit in ("working_days", "calendar_days"):
                adder = self.add_working_days if unit == "working_days" else self.add_calendar_days
                return adder(start, int(value))
        except OverflowError as exc:
            raise CalendarError("the start or the deadline lies outside the years 1 to 9999") from exc
        raise CalendarError(f"unknown unit {unit!r}")
