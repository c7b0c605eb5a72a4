"""How the dashboards write numbers: durations, shares, the trend against the previous period, URL state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from webcare.db import as_id
from webcare.errors import ValidationFailed
from webcare.i18n import N_
from webcare.models import Category, Channel, Department, User
from webcare.services.metrics import FIRST_DAY, GROUP_BY, LAST_DAY, MAX_DAYS, Filters, Period
from webcare.web.templating import text_once


def duration(seconds: float | None) -> str:
    """3 h 05 min; 45 min; 2 d 4 h (days of 24 hours, for long wall-clock times)."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return text_once(N_("%(m)d min"), m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return text_once(N_("%(h)d h %(m)02d min"), h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return text_once(N_("%(d)d d %(h)d h"), d=days, h=hours)


def share(value: float | None) -> str:
    return "–" if value is None else format_percent(value, "#,##0.0%")


@dataclass(frozen=True)
class Trend:
    arrow: str  # ▲ ▼ =
    text: str  # "+3.2 pp", "−12 %", "+25"
    verdict: str  # better | worse | same | neutral
    words: str  # for screen readers and for anyone who cannot tell the colours apart


def trend(current: float | None, previous: float | None, kind: str, better: str | None) -> Trend | None:
    """Compare with the previous period. kind: share | duration | count; better: higher | lower | None."""
    if current is None or previous is None:
        return None
    delta = current - previous
    if kind == "share":
        text = _("%(n)s pp", n=format_decimal(round(delta * 100, 1), "+#,##0.0;−#,##0.0"))
    elif kind == "duration":
        text = format_percent(delta / previous, "+#,##0%;−#,##0%") if previous else "–"
    else:
        text = format_decimal(delta, "+#,##0;−#,##0")
    if abs(delta) < 1e-9:
        return Trend("=", text, "same", _("same as the previous period"))
    up = delta > 0
    arrow = "▲" if up else "▼"
    if better is None:
        return Trend(arrow, text, "neutral", _("more than the previous period") if up else _("fewer than the previous period"))
    good = up == (better == "higher")
    return Trend(arrow, text, "better" if good else "worse", _("better than the previous period") if good
                 else _("worse than the previous period"))


def parse_view(args, today: date) -> tuple[Period, Filters]:
    """The period (from, to: local ISO dates, default the last 30 days) and filters of a dashboard URL."""
    period = _period(args, today)
    numbers = {}
    for name in ("department", "channel", "category", "agent"):
        value = args.get(name) or None
        numbers[name] = as_id(value) if value else None
        if value is not None and numbers[name] is None:
            raise ValidationFailed(_("Unknown filter value."), fields={name: value})
    filters = Filters(department_id=numbers["department"], channel_id=numbers["channel"],
                      category_id=numbers["category"], agent_id=numbers["agent"])
    return period, filters


def grouping(args, default: str = "day") -> str:
    """The `group_by` of an export URL, refused in the user's language when it is not one the figures know."""
    value = args.get("group_by") or default
    if value not in GROUP_BY:
        raise ValidationFailed(_("Unknown grouping."), fields={"group_by": value})
    return value


FILTER_MODELS = {"department_id": ("department", Department), "channel_id": ("channel", Channel),
                 "category_id": ("category", Category), "agent_id": ("agent", User)}


def check_known(session, filters: Filters) -> None:
    """A department, channel, category or agent that does not exist is refused as an unknown value (it would
    otherwise filter nothing and show every figure)."""
    for attribute, (name, model) in FILTER_MODELS.items():
        value = getattr(filters, attribute)
        if value is not None and session.get(model, value) is None:
            raise ValidationFailed(_("Unknown filter value."), fields={name: value})


def _period(args, today: date) -> Period:
    """The period of a URL (`Period.asked`), refused in the user's language (the service says it in English)."""
    fields = {"from": args.get("from"), "to": args.get("to")}
    try:
        end = date.fromisoformat(args["to"]) if args.get("to") else None
        start = date.fromisoformat(args["from"]) if args.get("from") else None
    except ValueError as exc:
        raise ValidationFailed(_("Dates are written as YYYY-MM-DD."), fields=fields) from exc
    if any(day is not None and not FIRST_DAY <= day <= LAST_DAY for day in (start, end)):
        raise ValidationFailed(_("That date is too far in the past or the future."), fields=fields)
    try:
        return Period.asked(start, end, today)
    except ValidationFailed as exc:
        message = _("The period ends before it starts.") if "to" in exc.fields else \
            _("A period can be at most %(n)d days.", n=MAX_DAYS)
        raise ValidationFailed(message, fields=fields) from exc


def view_params(period: Period, filters: Filters, **extra) -> dict:
    """URL parameters that reproduce a view (for links, exports and presets)."""
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), **filters.as_params(), **extra}


def presets(today: date) -> list[tuple[str, Period]]:
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return [(_("Last 7 days"), Period.last_days(today, 7)), (_("Last 30 days"), Period.last_days(today, 30)),
            (_("Last 90 days"), Period.last_days(today, 90)), (_("This month"), Period(first_of_month, today)),
            (_("Last month"), Period(last_month_end.replace(day=1), last_month_end))]


def period_label(period: Period) -> str:
    """1 mrt. 2025 – 31 mrt. 2025 (in the user's language)."""
    return f"{format_date(period.start, 'd MMM yyyy')} – {format_date(period.end, 'd MMM yyyy')}"
