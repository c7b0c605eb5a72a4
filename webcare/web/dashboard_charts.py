"""The charts of the dashboard pages, drawn from the figures (webcare.web.charts does the drawing)."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from webcare.services.metrics_now import AGE_BUCKETS, LEVELS, BacklogRow
from webcare.services.metrics_pages import DISTRIBUTION_EDGES, Dashboard, NowBoard
from webcare.web import charts


def day_label(day: date, series_by: str) -> str:
    return format_date(day, "d MMM") if series_by == "day" else _("wk %(n)s", n=day.isocalendar()[1])


def level_names() -> list[tuple[str, str]]:
    names = {"late_3x": _("3x late"), "breached": _("breached"), "at_risk": _("at risk"), "on_time": _("on time"),
             "none": _("no clock running")}
    return [(level, names[level]) for level in LEVELS]


def age_names() -> list[tuple[str, str]]:
    names = {"lt_1d": _("< 1 day"), "1_3d": _("1-3 days"), "3_7d": _("3-7 days"), "7_14d": _("7-14 days"),
             "14_30d": _("14-30 days"), "gt_30d": _("> 30 days")}
    return [(code, names[code]) for code, _days in AGE_BUCKETS]


def _short(seconds: int) -> str:
    return _("%(h)d h", h=seconds // 3600) if seconds % 3600 == 0 else _("%(m)d min", m=seconds // 60)


def bucket_labels() -> list[str]:
    """≤ 15 min, 15-30 min, ..., > 16 h"""
    edges = [edge for edge in DISTRIBUTION_EDGES if edge is not None]
    labels = [f"≤ {_short(edges[0])}"]
    labels += [f"{_short(low)}–{_short(high)}" for low, high in zip(edges, edges[1:], strict=False)]
    return labels + [f"> {_short(edges[-1])}"]


def _percent(values) -> list[float | None]:
    return [None if v is None else round(v * 100, 1) for v in values]


def for_dashboard(d: Dashboard) -> dict[str, Markup]:
    days = [day_label(g.key, d.series_by) for g in d.series]
    first = [g.clock("first_response") for g in d.series]
    waits = [g.clock("next_response") for g in d.series]
    target = d.targets.get("first_response_public")
    return {
        "volume": charts.bars(_("Tickets in and out"), days, [
            (_("in (created)"), [g.tickets_in for g in d.series]), (_("out (closed)"), [g.tickets_out for g in d.series])]),
        "within": charts.line(_("Share within the SLA"), days, [
            (_("first response"), _percent(c.share_within for c in first)),
            (_("customer wait"), _percent(c.share_within for c in waits))],
            100, lambda v: f"{v:.0f}%"),
        "times": charts.line(_("First response time (business time)"), days, [
            (_("median"), [None if c.median_business is None else c.median_business / 3600 for c in first]),
            (_("P90"), [None if c.p90_business is None else c.p90_business / 3600 for c in first])],
            _hours_max(first, target), lambda v: _("%(h)s h", h=f"{v:.1f}"),
            reference=(target / 3600, _("target, public")) if target else None),
        "distribution": charts.histogram(
            _("First responses by business time"), bucket_labels(), [count for _edge, count in d.distribution],
            marker_after=DISTRIBUTION_EDGES.index(target) if target in DISTRIBUTION_EDGES else None,
            marker_label=_("target, public")),
    }


def _hours_max(clocks, target: int | None) -> float:
    values = [c.p90_business for c in clocks if c.p90_business is not None] + ([target] if target else [])
    return max(max(values, default=3600) / 3600 * 1.1, 1)


def for_now(board: NowBoard) -> dict[str, Markup]:
    return {"levels": _stacked(_("Open tickets by SLA level"), board.departments, "levels", level_names()),
            "ages": _stacked(_("Open tickets by age"), board.departments, "ages", age_names())}


def _stacked(title: str, rows: list[BacklogRow], attribute: str, names: list[tuple[str, str]]) -> Markup:
    data = [(row.label, [getattr(row, attribute)[code] for code, _name in names]) for row in rows]
    return charts.stacked(title, data, names)
