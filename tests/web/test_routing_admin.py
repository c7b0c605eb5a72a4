"""The /admin/rules pages: list, order, enable, edit with validation, try it, dry run."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests import factories as f
from webcare.models import RoutingRule


def admin_client(client, session, role="admin"):
    f.seeded(session)
    user = f.user(session, role)
    session.commit()
    f.login(client, user.email)
    return client


def token(client, path="/admin/rules") -> str:
    return f.csrf_token(client.get(path).get_data(as_text=True))


def rule_named(session, name) -> RoutingRule:
    session.expire_all()
    return session.scalar(select(RoutingRule).where(RoutingRule.name == name))


def form(**overrides) -> dict:
    data = {"name": "Krokodillen", "description": "", "position": "", "enabled": "y",
            "conditions": json.dumps({"words": ["krokodil*"]}), "category": "", "department": "DIER",
            "priority": "high", "labels": "exoot, dier", "assignee": "", "action": "save"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_only_administrators_see_the_rules(client, session):
    admin_client(client, session, "agent")
    assert client.get("/admin/rules").status_code == 403


def test_list_shows_rules_in_order_and_is_on_the_admin_index(client, session):
    admin_client(client, session)
    page = client.get("/admin/rules").get_data(as_text=True)
    assert page.index("Bedreiging en intimidatie") < page.index("Straatverlichting") < page.index("Onkruid")
    assert 'href="/admin/rules"' in client.get("/admin/").get_data(as_text=True)


def test_try_it_box(client, session):
    admin_client(client, session)
    page = client.post("/admin/rules", data={"csrf_token": token(client), "text": "Wespennest bij de school",
                                             "platform": "x", "kind": "mention"}).get_data(as_text=True)
    assert "Wespen en hoornaars" in page and "DIER" in page
    empty = client.post("/admin/rules", data={"csrf_token": token(client), "text": "", "platform": "x",
                                              "kind": "mention"})
    assert empty.status_code == 400 and "field-error" in empty.get_data(as_text=True)
    assert client.get("/admin/rules").status_code == 200


def test_a_rule_form_its_checks_refuse_is_a_400(client, session):
    """A new or edited rule without a name answered 200; a refusal of the service already answered 400."""
    admin_client(client, session)
    csrf = token(client, "/admin/rules/new")
    for url in ("/admin/rules/new", "/admin/rules/1"):
        response = client.post(url, data={**form(name=""), "csrf_token": csrf})
        assert response.status_code == 400, url
        assert "field-error" in response.get_data(as_text=True)
        assert client.get(url).status_code == 200
    assert rule_named(session, "") is None


def test_create_edit_and_refuse_bad_rules(client, session):
    admin_client(client, session)
    csrf = token(client, "/admin/rules/new")
    response = client.post("/admin/rules/new", data={**form(), "csrf_token": csrf})
    assert response.status_code == 302
    rule = rule_named(session, "Krokodillen")
    assert rule.actions == {"department": "DIER", "priority": "high", "labels": ["exoot", "dier"]}
    bad = client.post(f"/admin/rules/{rule.id}", data={**form(conditions='{"regex": "(krokodil"}'), "csrf_token": csrf})
    assert bad.status_code == 400 and "invalid regular expression" in bad.get_data(as_text=True)
    not_json = client.post(f"/admin/rules/{rule.id}", data={**form(conditions="{words"), "csrf_token": csrf})
    assert not_json.status_code == 400 and "JSON" in not_json.get_data(as_text=True)
    assert rule_named(session, "Krokodillen").conditions == {"words": ["krokodil*"]}
    edited = client.post(f"/admin/rules/{rule.id}", data={**form(priority="urgent"), "csrf_token": csrf})
    assert edited.status_code == 302 and rule_named(session, "Krokodillen").actions["priority"] == "urgent"


def test_move_enable_and_delete(client, session):
    admin_client(client, session)
    csrf = token(client)
    second = session.scalar(select(RoutingRule).where(RoutingRule.position == 2))
    rule_id, name = second.id, second.name
    assert client.post(f"/admin/rules/{rule_id}/move/up", data={"csrf_token": csrf}).status_code == 302
    assert rule_named(session, name).position == 1
    assert "Regel verplaatst" in client.get("/admin/rules/").get_data(as_text=True)
    client.post(f"/admin/rules/{rule_id}/enabled/0", data={"csrf_token": csrf})
    assert rule_named(session, name).enabled is False
    assert "Regel uitgezet." in client.get("/admin/rules/").get_data(as_text=True)
    client.post(f"/admin/rules/{rule_id}/delete", data={"csrf_token": csrf})
    assert rule_named(session, name) is None
    assert client.post(f"/admin/rules/{rule_id}/delete", data={"csrf_token": "nope"}).status_code == 400


def test_dry_run_shows_the_tickets_that_would_move(client, session):
    admin_client(client, session)
    ticket = f.ticket(session, text="Er zwemt een krokodil in de vijver")
    session.commit()
    page = client.post("/admin/rules/new", data={**form(action="dry_run", position="1"),
                                                 "csrf_token": token(client, "/admin/rules/new")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"/tickets/{ticket.id}" in html and "KCC → DIER: 1" in html
    assert rule_named(session, "Krokodillen") is None  # a dry run saves nothing
