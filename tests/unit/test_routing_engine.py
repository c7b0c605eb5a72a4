"""The rule engine without a database: condition trees, ordering, continue rules, flags, validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webcare.services.routing.conditions import RuleError
from webcare.services.routing.decision import RouteInput
from webcare.services.routing.default_rules import all_rules, offline_catalog
from webcare.services.routing.engine import Catalog, RuleSet, RuleSpec


def catalog() -> Catalog:
    base = offline_catalog()
    return Catalog(base.categories, base.departments, {"piet@voorbeeldstad.nl": 7})


def ruleset(*rules: tuple) -> RuleSet:
    specs = [RuleSpec(i, name, conditions, actions, cont) for i, (name, conditions, actions, cont)
             in enumerate(rules, 1)]
    return RuleSet(specs, catalog())


def decide(rs: RuleSet, text: str, **kwargs):
    return rs.decide(RouteInput(text=text, **kwargs))


LAMP = ("lamp", {"words": ["lantaarnpaal", "*lamp"]}, {"category": "wegen.straatverlichting", "auto_ack": True}, False)
DANGER = ("danger", {"words": ["gaslucht", "kabel*"]}, {"priority": "urgent", "labels": ["gevaar"]}, True)
ANYTHING_OW = ("ow", {"words": ["kapot"]}, {"department": "OW", "priority": "low"}, False)


def test_first_match_wins_and_department_follows_category():
    d = decide(ruleset(LAMP, ANYTHING_OW), "De straatlamp is kapot")
    assert (d.rule, d.department, d.category, d.priority, d.auto_ack) == \
        ("lamp", "OVL", "wegen.straatverlichting", "normal", True)
    assert d.matched_rules == ("lamp",)


def test_unmatched_stays_with_kcc():
    d = decide(ruleset(LAMP), "Hoe laat is het gemeentehuis open?")
    assert (d.rule, d.department, d.category, d.priority, d.auto_ack) == (None, "KCC", "vragen-overig", "normal", False)


def test_continue_rule_adds_labels_and_priority_and_later_rule_decides():
    d = decide(ruleset(DANGER, ANYTHING_OW, LAMP), "Kabels hangen los, lamp kapot")
    assert (d.rule, d.department, d.priority, d.labels) == ("ow", "OW", "urgent", ("gevaar",))
    assert d.matched_rules == ("danger", "ow")


def test_labels_of_earlier_rules_are_seen_by_later_rules():
    needs_label = ("after", {"labels": ["gevaar"]}, {"department": "VB"}, False)
    assert decide(ruleset(DANGER, needs_label), "gaslucht").department == "VB"
    assert decide(ruleset(DANGER, needs_label), "niets").department == "KCC"


def test_threat_is_urgent_and_never_acknowledged():
    threat = ("threat", {"words": ["ik weet waar je woont"]}, {"department": "VB", "threat": True, "auto_ack": True}, False)
    d = decide(ruleset(threat), "Ik weet waar je woont.")
    assert (d.department, d.threat, d.priority, d.auto_ack) == ("VB", True, "urgent", False)


@pytest.mark.parametrize("conditions, item, expected", [
    ({"all": [{"words": ["gat"]}, {"words": ["weg", "stoep"]}]}, {"text": "gat in de stoep"}, True),
    ({"all": [{"words": ["gat"]}, {"words": ["weg", "stoep"]}]}, {"text": "gat in de heg"}, False),
    ({"any": [{"words": ["gat"]}, {"platform": ["x"]}]}, {"text": "niets", "platform": "x"}, True),
    ({"all": [{"words": ["bom"]}, {"none": [{"words": ["bom geld"]}]}]}, {"text": "dat kost een bom geld"}, False),
    ({"kind": ["dm"]}, {"text": "hoi", "kind": "dm"}, True),
    ({"visibility": ["private"]}, {"text": "hoi", "visibility": "public"}, False),
    ({"author": ["@Piet"]}, {"text": "hoi", "author": "piet"}, True),
    ({"channel": [3]}, {"text": "hoi", "channel_id": 3}, True),
    ({"regex": r"\b\d{4} ?[a-z]{2}\b"}, {"text": "Ik woon op 1234 AB"}, True),
    ({"regex": "cafe"}, {"text": "Het Café"}, True),             # regexes see the normalised text
    ({"language": ["en"]}, {"text": "The lamp is broken in our street"}, True),
    ({"language": ["en"]}, {"text": "whatever", "language": "en-GB"}, True),
    ({"labels": ["vip"]}, {"text": "hoi", "labels": ("vip",)}, True),
    ({}, {"text": "alles"}, True),
])
def test_conditions(conditions, item, expected):
    rs = ruleset(("r", conditions, {"department": "OW"}, False))
    assert (decide(rs, **item).rule == "r") is expected


@pytest.mark.parametrize("when, at, expected", [
    ({"time": {"from": "22:00", "to": "07:00"}}, datetime(2026, 7, 1, 21, 30, tzinfo=UTC), True),   # 23:30 CEST
    ({"time": {"from": "22:00", "to": "07:00"}}, datetime(2026, 7, 1, 19, 30, tzinfo=UTC), False),  # 21:30 CEST
    ({"time": {"from": "08:30", "to": "17:00"}}, datetime(2026, 1, 5, 7, 45, tzinfo=UTC), True),    # 08:45 CET
    ({"weekday": ["sat", "zo"]}, datetime(2026, 3, 28, 23, 30, tzinfo=UTC), True),                  # Sun 00:30 CET
    ({"weekday": ["mon"]}, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), True),                        # Mon 00:30 CEST
])
def test_time_and_weekday_in_amsterdam(when, at, expected):
    rs = ruleset(("r", when, {"department": "OW"}, False))
    assert (decide(rs, "hoi", at=at).rule == "r") is expected


@pytest.mark.parametrize("conditions, actions, message", [
    ({"regex": "(unclosed"}, {}, "conditions.regex: invalid regular expression"),
    ({"all": [{"words": ["a*b"]}]}, {}, r"conditions.all\[0\].words"),
    ({"colour": ["red"]}, {}, "unknown condition 'colour'"),
    ({"platform": ["myspace"]}, {}, "unknown value"),
    ({"time": {"from": "25:00", "to": "07:00"}}, {}, "time of day"),
    ({"words": ["lamp"], "kind": ["dm"]}, {}, "exactly one key"),
    ({}, {"category": "nope"}, "unknown or inactive category 'nope'"),
    ({}, {"department": "XYZ"}, "unknown or inactive department"),
    ({}, {"priority": "asap"}, "priority"),
    ({}, {"assignee": "nobody@example.org"}, "no active user"),
    ({}, {"colour": "red"}, "unknown action"),
])
def test_invalid_rules_are_refused_with_a_path(conditions, actions, message):
    with pytest.raises(RuleError, match=message):
        ruleset(("bad", conditions, actions, False))


def test_assignee_by_email():
    d = decide(ruleset(("r", {}, {"department": "OW", "assignee": "Piet@voorbeeldstad.nl"}, False)), "x")
    assert (d.assignee, d.assignee_id) == ("piet@voorbeeldstad.nl", 7)


def test_default_rules_compile_offline():
    rs = RuleSet([RuleSpec(i, r["name"], r["conditions"], r["actions"], r["continue_matching"])
                  for i, r in enumerate(all_rules(), 1)], offline_catalog())
    assert not rs.broken and len(rs.rules) == len(all_rules())
    assert len({r["key"] for r in all_rules()}) == len(all_rules())
    assert len({r["name"] for r in all_rules()}) == len(all_rules())
