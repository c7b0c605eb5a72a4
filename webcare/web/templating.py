"""Template helpers: navigation, local times in Europe/Amsterdam, status labels in the user's language."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask, current_app, g
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from webcare.i18n import LANGUAGES, request_translations
from webcare.web.nav import items_for

STATUS_LABELS = {
    "new": _l("New"),
    "open": _l("In progress"),
    "with_department": _l("With department"),
    "waiting_citizen": _l("Waiting for citizen"),
    "forwarded_external": _l("Forwarded externally"),
    "resolved": _l("Resolved"),
    "cancelled": _l("Cancelled"),
}
ROLE_LABELS = {
    "agent": _l("Webcare agent"),
    "department": _l("Department staff"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}
PRIORITY_LABELS = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}


# Bidi embedding, override and isolate controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI): in a citizen's
# text they could reorder the page around it ("\u202egnp.exe"). Removed from everything a template shows;
# Arabic and Hebrew still read right to left by themselves, and the stored text keeps them (API, exports).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(value):
    """The `finalize` of every `{{ ... }}`: text (and markup) without bidi controls; other values as they are."""
    if isinstance(value, str) and _BIDI_CONTROLS.search(value):
        cleaned = _BIDI_CONTROLS.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def citizen_html(contact) -> Markup:
    """A citizen in lists and on the ticket: the name, then the @handle, which may break before its domain.
    A name that is only the handle (imports, platforms without names) is shown once."""
    if contact is None:
        return Markup("–")
    handle = (contact.handle or "").lstrip("@")
    user, at, domain = handle.partition("@")
    shown = Markup("@{}<wbr>@{}").format(user, domain) if at else Markup("@{}").format(handle) if handle else ""
    name = (contact.display_name or "").strip()
    if not name or name.lstrip("@") == handle:
        return shown or Markup("–")
    return Markup('{} <span class="muted">{}</span>').format(name, shown)


def init_templating(app: Flask) -> None:
    app.jinja_env.finalize = without_bidi_controls
    app.context_processor(_globals)
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(lambda s: STATUS_LABELS.get(s, s), "status_label")
    app.add_template_filter(lambda s: ROLE_LABELS.get(s, s), "role_label")
    app.add_template_filter(lambda s: PRIORITY_LABELS.get(s, s), "priority_label")
    app.add_template_filter(lambda handle: "@" + (handle or "").lstrip("@") if handle else "", "at_handle")
    app.add_template_filter(citizen_html, "citizen")


def _globals() -> dict:
    endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    nav = items_for(current_user.role, endpoints) if current_user.is_authenticated else []
    return {"nav_items": nav, "languages": LANGUAGES, "get_locale": get_locale}


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """Format an aware datetime in the configured time zone (Flask-Babel's timezone selector)."""
    if value is None:
        return "–"
    return format_datetime(value, fmt)


def text_once(message: str, **variables) -> str:
    """gettext, looked up once per request (a list of 50 rows asks for the same few texts again and again)."""
    cache = g.setdefault("webcare_texts", {})
    if message not in cache:
        cache[message] = request_translations().ugettext(message)
    return cache[message] % variables if variables else cache[message]
