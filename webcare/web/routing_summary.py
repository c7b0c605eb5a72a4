"""A short human-readable summary of a rule's conditions and actions for the rules list."""

from __future__ import annotations

from flask_babel import gettext as _

MAX_WORDS = 8


def describe(conditions: dict) -> str:
    """E.g. "any of: words: lantaarnpaal, *lamp, … (+12); all of: words: …; platform: x"."""
    if not conditions:
        return _("always")
    ((key, value),) = conditions.items() if len(conditions) == 1 else (("?", conditions),)
    if key in ("all", "any", "none"):
        label = {"all": _("all of"), "any": _("any of"), "none": _("none of")}[key]
        return f"{label} ({'; '.join(describe(child) for child in value)})"
    if key == "words":
        shown = ", ".join(value[:MAX_WORDS])
        return _("words: %(words)s", words=shown) + (f" … (+{len(value) - MAX_WORDS})" if len(value) > MAX_WORDS else "")
    if isinstance(value, list):
        return f"{key}: {', '.join(str(v) for v in value)}"
    return f"{key}: {value}"
