"""The rule form's condition builder in a real browser: it shows a rule's JSON conditions as groups and
conditions, its changes are what the form saves, and JSON it cannot show stays editable as JSON."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.e2e.conftest import HOW_TO_ENABLE
from tests.e2e.test_inbox_browser import login
from webcare.models import RoutingRule

expect = pytest.importorskip("playwright.sync_api", reason=HOW_TO_ENABLE).expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(session):
    f.seeded(session)
    user = f.user(session, "admin", email="ada@voorbeeldstad.nl")
    session.commit()
    return user


def _rule(session, name: str) -> RoutingRule:
    session.expire_all()
    return session.scalars(select(RoutingRule).where(RoutingRule.name == name)).one()


def test_the_builder_edits_what_the_form_saves(live_server, new_page, session, admin):
    rule = session.scalars(select(RoutingRule).order_by(RoutingRule.position)).first()
    rule.conditions = {"all": [{"words": ["lantaarnpaal", "*lamp"]}, {"none": [{"words": ["kerstverlichting"]}]}]}
    name = rule.name
    session.commit()
    page = new_page(live_server)
    login(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/rules/{rule.id}")

    builder = page.locator(".condition-builder")
    expect(builder).to_be_visible()
    expect(page.locator("details.json-conditions")).not_to_have_attribute("open", "")
    words = builder.get_by_label("De tekst bevat een van deze woorden", exact=True)
    expect(words.first).to_have_value("lantaarnpaal\n*lamp")
    words.first.fill("lantaarnpaal\n*lamp\nstraatverlichting")
    builder.locator(".cond-group .cond-group select").first.select_option("any")  # the inner group
    builder.locator(":scope > .cond-group > .cond-add").get_by_role("button", name="+ Voorwaarde").click()
    last = builder.locator(":scope > .cond-group > .cond-list > li").last
    last.get_by_label("Soort voorwaarde").select_option("platform")
    last.get_by_label("Mastodon").check()
    last.get_by_label("Bluesky").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".flash-success")).to_be_visible()

    assert _rule(session, name).conditions == {"all": [
        {"words": ["lantaarnpaal", "*lamp", "straatverlichting"]}, {"any": [{"words": ["kerstverlichting"]}]},
        {"platform": ["mastodon", "bluesky"]}]}
    assert page.errors == []


def test_json_the_builder_cannot_show_stays_editable_as_json(live_server, new_page, session, admin):
    rule = session.scalars(select(RoutingRule).order_by(RoutingRule.position)).first()
    rule.conditions = {"words": ["zwerfvuil"]}  # a single condition: shown inside an "all" group
    session.commit()
    page = new_page(live_server)
    login(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/rules/{rule.id}")
    expect(page.locator(".condition-builder")).to_be_visible()

    page.locator("details.json-conditions > summary").click()
    area = page.locator('textarea[name="conditions"]')
    area.fill('{"all": [{"words": ["zwerfvuil"]}, {"unknown": 1}]}')
    expect(page.locator(".condition-builder")).to_be_hidden()
    expect(page.locator(".builder-note")).to_have_text("Deze voorwaarden passen niet in de bouwer; bewerk ze als JSON.")
    area.fill('{"any": [{"kind": ["dm"]}, {"time": {"from": "22:00", "to": "07:00"}}]}')
    expect(page.locator(".condition-builder")).to_be_visible()
    expect(page.locator(".condition-builder").get_by_label("privébericht")).to_be_checked()
    assert json.loads(area.input_value()) == {"any": [{"kind": ["dm"]}, {"time": {"from": "22:00", "to": "07:00"}}]}
    assert page.errors == []
