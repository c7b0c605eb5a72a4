"""Template helpers for tickets: time left on a clock, labels for levels, platforms and delivery states,
one readable line per history event, and the retry link for a failed reply (when that route exists)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from webcare.db import utcnow
from webcare.i18n import N_
from webcare.platforms import DISPLAY_NAMES
from webcare.services.department_actions import TAKEN_OVER_TEXT
from webcare.services.sla_left import TimeLeft
from webcare.services.sla_state import clock_level
from webcare.services.ticket_actions import ERASED_TEXT
from webcare.services.ticket_merge import MERGED_PREFIX
from webcare.web.templating import PRIORITY_LABELS, STATUS_LABELS
from webcare.web.templating import text_once as _t

LEVEL_LABELS = {"on_time": _l("On time"), "at_risk": _l("At risk"), "breached": _l("Late"),
                "late_3x": _l("Very late (3x)"), "met": _l("Met"), "none": _l("Not running")}
CLOCK_LABELS = {"first_response": _l("First response"), "next_response": _l("Next response"),
                "department_feedback": _l("Department feedback"), "handling": _l("Handling")}
AWAITING_LABELS = {"webcare": _l("Webcare's move"), "department": _l("The department's move"),
                   "citizen": _l("Waiting for the citizen"), "nobody": _l("Nobody's move")}
DELIVERY_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Delivered"),
                   "failed": _l("Failed"), "held": _l("Held"),
                   "skipped": _l("Not sent")}
PII_LABELS = {"email": _l("e-mail address"), "iban": _l("IBAN"), "phone": _l("phone number"),
              "licence_plate": _l("licence plate"), "birth_date": _l("date of birth"),
              "postcode_house_number": _l("postcode and house number"), "bsn": _l("BSN")}
PLATFORM_LABELS = DISPLAY_NAMES
EVENT_LABELS = {
    "created": _l("Ticket created"), "message_in": _l("New message from the citizen"),
    "reopened": _l("Reopened by a new message"), "routed": _l("Routed automatically"),
    "rerouted": _l("Moved to another department"), "reply_queued": _l("Reply queued"),
    "reply_sent": _l("Reply delivered"), "reply_failed": _l("Reply failed"),
    "auto_ack_sent": _l("Automatic acknowledgement queued"),  # its delivery is `reply_sent`
    "auto_ack_skipped": _l("Automatic acknowledgement not sent"), "note": _l("Internal note"),
    "feedback": _l("Department feedback"), "handoff": _l("Handed off"), "status_changed": _l("Status changed"),
    "assigned": _l("Assignment changed"), "labels_changed": _l("Labels changed"),
    "priority_changed": _l("Priority changed"), "merged": _l("Merged"), "sla_level": _l("SLA level changed"),
    "threat_flagged": _l("Flagged as a threat"), "anonymised": _l("Anonymised"), "exported": _l("Exported"),
    "pii_override": _l("Sent despite personal data"), "safety_notified": _l("Safety team notified"),
}
STATUS_TEXTS = {TAKEN_OVER_TEXT: _l("taken over by the department"),
                ERASED_TEXT: _l("Citizen's data erased on request (GDPR art. 17)")}
KIND_LABELS = {"mention": _l("Mention"), "comment": _l("Comment"), "dm": _l("Direct message"), "reply": _l("Reply"),
               "public": _l("public"), "private": _l("private")}


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(clock_left, "clock_left")
    for name, labels in (("level_label", LEVEL_LABELS), ("clock_label", CLOCK_LABELS),
                         ("awaiting_label", AWAITING_LABELS), ("delivery_label", DELIVERY_LABELS),
                         ("platform_label", PLATFORM_LABELS), ("event_label", EVENT_LABELS),
                         ("pii_label", PII_LABELS), ("kind_label", KIND_LABELS)):
        bp.add_app_template_filter(_labeller(labels), name)
    # cached variants of the shared status and priority labels, for lists that show them on every row
    bp.add_app_template_filter(_labeller(STATUS_LABELS), "status_name")
    bp.add_app_template_filter(_labeller(PRIORITY_LABELS), "priority_name")
    bp.add_app_template_global(retry_url, "retry_url")
    bp.add_app_template_filter(feedback_level, "feedback_level")
    bp.add_app_template_filter(short_time, "short_time")
    bp.add_app_template_filter(status_text, "status_text")
    bp.add_app_template_filter(dated_time, "dated_time")


def _labeller(labels: dict):
    """A filter that translates a code's label once per request and language (a list shows it 50 times)."""

    def label(value):
        cache = g.setdefault("webcare_labels", {})
        key = (id(labels), value)
        if key not in cache:
            cache[key] = str(labels.get(value, value))
        return cache[key]

    return label


def status_text(text: str | None) -> str:
    """A status change's text: what a person wrote as is, the texts the services store for their own moves
    (in English, also in rows stored before) in the user's language."""
    if not text:
        return ""
    if text in STATUS_TEXTS:
        return str(STATUS_TEXTS[text])
    number = text.removeprefix(MERGED_PREFIX)
    if number != text and number.isdigit():
        return _t(N_("merged into ticket %(id)s"), id=number)
    return text


def clock_left(left: TimeLeft | None) -> str:
    """A clock's time left in its target's own time (`services.sla_left`): office hours, working days or
    wall time."""
    if left is None:
        return ""
    if left.unit == "office_seconds":
        span = _span(left.amount, days=False)  # an office day is not 24 hours
        return _t(N_("%(time)s late in office hours"), time=span) if left.late else \
            _t(N_("%(time)s left in office hours"), time=span)
    if left.unit == "working_days":
        days = _t(N_("1 working day")) if left.amount == 1 else _t(N_("%(num)d working days"), num=left.amount)
        return _t(N_("%(time)s late"), time=days) if left.late else _t(N_("%(time)s left"), time=days)
    span = _span(left.amount)
    return _t(N_("%(time)s late"), time=span) if left.late else _t(N_("%(time)s left"), time=span)


def _span(seconds: float, *, days: bool = True) -> str:
    # gettext per form instead of ngettext: the catalog test reads singular messages only
    minutes = round(seconds / 60)
    if minutes < 90:
        return _t(N_("1 minute")) if minutes == 1 else _t(N_("%(num)d minutes"), num=minutes)
    hours = round(seconds / 3600)
    if hours < 36 or not days:
        return _t(N_("%(num)d hours"), num=hours)
    whole_days = round(seconds / 86400)
    return _t(N_("1 day")) if whole_days == 1 else _t(N_("%(num)d days"), num=whole_days)


def short_time(value: datetime | None) -> str:
    """Day, month and time in the configured zone, cheap enough for every row of a list ("27-11 14:05")."""
    if value is None:
        return ""
    return value.astimezone(_zone(current_app.config["WEBCARE_TIMEZONE"])).strftime("%d-%m %H:%M")


def dated_time(value: datetime | None) -> str:
    """Day, month, year and time in the configured zone, for long lists ("27-11-2026 14:05")."""
    if value is None:
        return ""
    return value.astimezone(_zone(current_app.config["WEBCARE_TIMEZONE"])).strftime("%d-%m-%Y %H:%M")


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def feedback_level(ticket) -> str:
    """The level of the department-feedback clock alone (a list row's level is the worst of all clocks)."""
    return clock_level(ticket, "department_feedback", utcnow())


def retry_url(message) -> str | None:
    """The retry route of failed deliveries, if the delivery area provides one (`deliveries.retry`)."""
    if "deliveries.retry" not in current_app.view_functions:
        return None
    for key in ("message_id", "id"):
        try:
            return url_for("deliveries.retry", **{key: message.id})
        except BuildError:
            continue
    return None
