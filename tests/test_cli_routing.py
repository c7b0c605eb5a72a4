"""`webcare route` and `webcare rules list`."""

from __future__ import annotations

import json

from tests import factories as f


def test_route_prints_the_decision(cli, session):
    f.seeded(session)
    session.commit()
    result = cli("route", "--text", "Er zit een gat in de weg", "--platform", "mastodon", "--kind", "comment")
    assert result.exit_code == 0
    decision = json.loads(result.output)
    assert {key: decision[key] for key in ("rule", "category", "department", "priority", "labels", "threat")} == {
        "rule": "Straat, stoep of fietspad", "category": "wegen.straat-stoep-fietspad", "department": "OW",
        "priority": "normal", "labels": [], "threat": False}


def test_route_bad_input_exits_2(cli, session):
    assert cli("route", "--text", " ").exit_code == 2
    assert cli("route", "--text", "x", "--at", "gisteren").exit_code == 2
    assert cli("route", "--text", "x", "--at", "2026-01-01T10:00").exit_code == 2
    assert cli("route", "--text", "x", "--kind", "reply").exit_code == 2


def test_rules_list(cli, session):
    f.seeded(session)
    session.commit()
    listed = json.loads(cli("rules", "list").output)
    assert listed[0]["name"] == "Bedreiging en intimidatie" and listed[0]["actions"]["threat"] is True
