"""The rule form's condition builder: its texts and choices, translated on the server for `js/rule_conditions.js`.

The builder edits the same JSON condition tree the form posts (services/routing/conditions.py); the page
keeps the JSON text area (without JavaScript it is the only editor) and the server validates as before.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webcare.models.channel import PLATFORMS
from webcare.platforms import DISPLAY_NAMES

_TEXTS = {
    "all": _l("All conditions below apply"),
    "any": _l("At least one condition below applies"),
    "none": _l("None of the conditions below applies"),
    "words": _l("The text contains one of these words"),
    "regex": _l("The text matches this regular expression"),
    "platform": _l("The platform is"),
    "channel": _l("The channel (number) is"),
    "kind": _l("The kind of message is"),
    "visibility": _l("The message is"),
    "author": _l("The sender is"),
    "language": _l("The language is"),
    "time": _l("The time of day is"),
    "weekday": _l("The day is"),
    "labels": _l("The ticket has the label"),
    "words_hint": _l("One word or phrase per line; *lamp: words ending in lamp, container*: words starting with "
                     "container."),
    "lines_hint": _l("One per line."),
    "channel_hint": _l("Channel numbers, separated by commas."),
    "time_from": _l("from"),
    "time_to": _l("to"),
    "add_condition": _l("+ Condition"),
    "add_group": _l("+ Group"),
    "remove": _l("Remove"),
    "condition_type": _l("Kind of condition"),
    "group_kind": _l("How the conditions combine"),
    "empty": _l("No conditions: the rule applies to every message."),
    "unsupported": _l("These conditions do not fit the builder; edit them as JSON."),
    "invalid": _l("The JSON is not valid; the builder follows as soon as it is."),
}

_CHOICES = {
    "kind": {"mention": _l("mention"), "comment": _l("comment"), "dm": _l("private message"), "reply": _l("reply")},
    "visibility": {"public": _l("public"), "private": _l("private")},
    "weekday": {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
                "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday")},
}


def builder_config() -> dict:
    """Texts and choices as plain strings (the page hands them to the script as JSON)."""
    choices = {name: {key: str(label) for key, label in options.items()} for name, options in _CHOICES.items()}
    choices["platform"] = {platform: DISPLAY_NAMES.get(platform, platform) for platform in PLATFORMS}
    return {"texts": {key: str(text) for key, text in _TEXTS.items()}, "choices": choices}
