"""Business calendars from the database as pure `webcare.calendar.Calendar` objects.

Without any calendar row (a fresh database) the built-in default applies: Monday to Friday
08:30-17:00 Europe/Amsterdam with the statutory holidays.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webcare.calendar import Calendar
from webcare.errors import NotFound
from webcare.models import BusinessCalendar
from webcare.services import defaults

_KEPT: dict[tuple, Calendar] = {}
_KEPT_MAX = 64


def from_model(model: BusinessCalendar) -> Calendar:
    """The calendar a row defines. The same definition gives the same object in every session of the
    process, so what it works out (opening intervals per day, walks, working days: pure functions of the
    definition) is kept between ingest batches and requests; a changed row is another definition."""
    closing_days = {day.day: day.name for day in model.closing_days}
    key = (model.id, model.name, model.timezone, json.dumps(model.opening_hours, sort_keys=True),
           model.statutory_holidays, tuple(sorted(closing_days.items())))
    calendar = _KEPT.get(key)
    if calendar is None:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        calendar = _KEPT[key] = Calendar(model.name, timezone=model.timezone, opening_hours=model.opening_hours,
                                         statutory_holidays=model.statutory_holidays, closing_days=closing_days,
                                         calendar_id=model.id)
    return calendar


def builtin_default() -> Calendar:
    return Calendar(defaults.DEFAULT_CALENDAR)


def load_all(session: Session) -> tuple[dict[int, Calendar], Calendar]:
    """Every calendar by id, and the default one (the first marked default by id, as `default_id`; else the
    built-in default), in two queries."""
    models = list(session.scalars(select(BusinessCalendar).options(selectinload(BusinessCalendar.closing_days))
                                  .order_by(BusinessCalendar.id)))
    known = {model.id: from_model(model) for model in models}
    default_model = next((model for model in models if model.is_default), None)
    return known, known[default_model.id] if default_model else builtin_default()


def lookup(session: Session) -> Callable[[int | None], Calendar]:
    """A function from a calendar id to its calendar (the default one for None or an unknown id), with every
    calendar loaded once, in two queries: for pages that count time on many tickets (the inbox's rows)."""
    known, default = load_all(session)
    return lambda calendar_id: known.get(calendar_id) or default


def default_id(session: Session) -> int | None:
    return session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.is_default.is_(True))
                          .order_by(BusinessCalendar.id).limit(1))


def by_name(session: Session, name: str | None) -> Calendar:
    """The calendar called `name`; without a name the default one (or the built-in default)."""
    if name:
        model = session.scalar(select(BusinessCalendar).where(BusinessCalendar.name == name))
        if model is None:
            known = ", ".join(session.scalars(select(BusinessCalendar.name).order_by(BusinessCalendar.name)))
            raise NotFound(f"no calendar named {name!r} (known: {known or 'none'})")
        return from_model(model)
    calendar_id = default_id(session)
    return from_model(session.get(BusinessCalendar, calendar_id)) if calendar_id else builtin_default()
