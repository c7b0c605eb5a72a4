"""The routing API: route preview for staff, rules for administrators only, in the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories as f
from webcare.models import RoutingRule


def auth(cli, user) -> dict:
    return {"Authorization": f"Bearer {cli('create-token', user.email).output.strip()}"}


def setup(session, cli, role="admin"):
    f.seeded(session)
    user = f.user(session, role)
    session.commit()
    return auth(cli, user)


def test_route_preview_for_any_staff_member(client, session, cli):
    headers = setup(session, cli, "agent")
    response = client.post("/api/v1/route-preview", headers=headers,
                           json={"text": "Container bij de Aldi zit vol", "platform": "facebook", "kind": "comment"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["department"], body["category"], body["rule"], body["threat"]) == \
        ("AFV", "afval.container-vol", "Container vol", False)
    assert client.post("/api/v1/route-preview", headers=headers, json={"text": ""}).status_code == 400
    bad = client.post("/api/v1/route-preview", headers=headers, json={"text": "x", "platform": "myspace"})
    assert bad.status_code == 400 and "platform" in bad.get_json()["error"]["fields"]


def test_rules_are_for_administrators_only(client, session, cli):
    headers = setup(session, cli, "manager")
    assert client.get("/api/v1/rules", headers=headers).status_code == 403
    assert client.post("/api/v1/rules", headers=headers, json={"name": "x", "actions": {}}).status_code == 403
    assert client.delete("/api/v1/rules/1", headers=headers).status_code == 403


def test_rules_crud(client, session, cli):
    headers = setup(session, cli)
    listed = client.get("/api/v1/rules", headers=headers).get_json()["items"]
    assert listed[0]["name"] == "Bedreiging en intimidatie" and [r["position"] for r in listed] == \
        list(range(1, len(listed) + 1))
    created = client.post("/api/v1/rules", headers=headers, json={
        "name": "Krokodillen", "position": 2, "conditions": {"words": ["krokodil*"]},
        "actions": {"department": "DIER", "priority": "high"}})
    assert created.status_code == 201
    rule = created.get_json()
    assert rule["position"] == 2 and rule["version"] == 1
    preview = client.post("/api/v1/route-preview", headers=headers, json={"text": "Krokodillen in de gracht!"})
    assert preview.get_json()["department"] == "DIER"
    changed = client.put(f"/api/v1/rules/{rule['id']}", headers=headers, json={"enabled": False})
    assert changed.status_code == 200 and changed.get_json()["enabled"] is False
    assert changed.get_json()["conditions"] == {"words": ["krokodil*"]} and changed.get_json()["version"] == 2
    assert client.get(f"/api/v1/rules/{rule['id']}", headers=headers).get_json()["enabled"] is False
    assert client.delete(f"/api/v1/rules/{rule['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/rules/{rule['id']}", headers=headers).status_code == 404


def test_a_bad_rule_is_refused_with_a_message_and_not_saved(client, session, cli):
    headers = setup(session, cli)
    count = session.scalar(select(func.count()).select_from(RoutingRule))
    response = client.post("/api/v1/rules", headers=headers, json={
        "name": "Kapot", "conditions": {"any": [{"words": ["kapot"]}, {"regex": "[a-"}]}, "actions": {}})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "conditions.any[1].regex: invalid regular expression" in error["message"] and "conditions" in error["fields"]
    missing = client.post("/api/v1/rules", headers=headers, json={"name": "Zonder acties"})
    assert missing.status_code == 400 and "actions" in missing.get_json()["error"]["fields"]
    unknown = client.put("/api/v1/rules/1", headers=headers, json={"actions": {"department": "NOPE"}})
    assert unknown.status_code == 400 and "NOPE" in unknown.get_json()["error"]["message"]
    assert client.post("/api/v1/rules", headers=headers, data="nonsense").status_code == 400
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(RoutingRule)) == count
    assert session.get(RoutingRule, 1).actions["department"] == "VB"


def test_routing_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= set(paths["/route-preview"]) and {"get", "post"} <= set(paths["/rules"])
    assert {"get", "put", "delete"} <= set(paths["/rules/{rule_id}"])
