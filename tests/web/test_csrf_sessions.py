"""CSRF on every state-changing route, sessions at login and logout, and `next=` that only leads home.

The CSRF test enumerates `app.url_map` like the access matrix: every POST/PUT/PATCH/DELETE route refuses
a request from a logged-in browser without the token (400), except the declared exemptions, which
authenticate otherwise (webhooks by signature; the API by Bearer token: with the browser's session the
API needs the token too).
"""

from __future__ import annotations

import pytest

from tests import access_world as w
from tests import factories as f

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {"POST /webhooks/<platform>/<int:channel_id>"}  # signed by the platform (test_webhooks.py)
CSRF_PAGE = "Het formulier is verlopen of kwam van elders"
EVIL = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:evil.example",
        "/\t/evil.example", "\\\\evil.example", "https:/evil.example"]


def _unsafe_routes(app) -> list[str]:
    keys = {f"{m} {r.rule}" for r in app.url_map.iter_rules() for m in r.methods & UNSAFE}
    return sorted(keys - CSRF_EXEMPT)


def test_every_state_changing_route_needs_the_csrf_token(app, session):
    world = w.build_world(session)
    client = app.test_client()
    f.login(client, world.users["admin"].email)
    accepted = []
    for key in _unsafe_routes(app):
        method, rule = key.split(" ", 1)
        url, _ = w.fill(rule, world, "admin")
        world.commit()
        if rule.startswith("/api/"):
            response = client.open(url, method=method, json={"text": "x"})
            refused = response.status_code == 400 and response.get_json()["error"]["code"] == "csrf"
        else:
            response = client.open(url, method=method, data={"text": "x"})
            refused = response.status_code == 400 and CSRF_PAGE in response.get_data(as_text=True)
        if not refused:
            accepted.append(f"{key}: {response.status_code}")
    assert len(_unsafe_routes(app)) > 50
    assert not accepted, "state-changing routes that work without a CSRF token:\n" + "\n".join(accepted)
    assert client.get("/").status_code == 200  # still logged in: POST /logout without a token did nothing


def test_api_with_session_needs_csrf_but_bearer_does_not(app, session):
    world = w.build_world(session)
    ticket = f.ticket(session, department_code="OW")
    session.commit()
    client = app.test_client()
    f.login(client, world.users["agent"].email)
    url = f"/api/v1/tickets/{ticket.id}/notes"
    refused = client.post(url, json={"text": "notitie"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf"
    csrf = w.csrf_for(client, "agent")
    assert client.post(url, json={"text": "notitie"}, headers={"X-CSRFToken": csrf}).status_code == 201
    bearer = {"Authorization": f"Bearer {world.tokens['agent']}"}
    assert app.test_client().post(url, json={"text": "notitie"}, headers=bearer).status_code == 201


def test_login_gives_a_new_session_and_drops_what_was_in_it(app, session):
    world = w.build_world(session)
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    before = client.get_cookie("webcare_session").value
    f.login(client, world.users["agent"].email)
    assert client.get_cookie("webcare_session").value != before
    with client.session_transaction() as fresh:
        assert "planted" not in fresh and fresh.get("_user_id")


def test_logout_clears_the_session_and_ends_it_on_the_server(app, session):
    world = w.build_world(session)
    client = app.test_client()
    f.login(client, world.users["agent"].email)
    stolen = client.get_cookie("webcare_session").value
    csrf = w.csrf_for(client, "agent")
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    with client.session_transaction() as after:
        assert "_user_id" not in after
    replay = app.test_client()
    replay.set_cookie("webcare_session", stolen)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("target", EVIL)
def test_login_next_never_leaves_the_site(app, session, target):
    world = w.build_world(session)
    client = app.test_client()
    csrf = w.csrf_for(client, "anon")
    response = client.post("/login", query_string={"next": target},
                           data={"email": world.users["agent"].email, "password": f.PASSWORD, "csrf_token": csrf})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
@pytest.mark.parametrize("path", ["/language/en", "/notifications/read"])
def test_other_next_parameters_never_leave_the_site(app, session, path, target):
    world = w.build_world(session)
    client = app.test_client()
    f.login(client, world.users["agent"].email)
    csrf = w.csrf_for(client, "agent")
    response = client.post(path, query_string={"next": target}, data={"csrf_token": csrf})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_local_next_is_kept(app, session):
    world = w.build_world(session)
    client = app.test_client()
    f.login(client, world.users["agent"].email)
    csrf = w.csrf_for(client, "agent")
    response = client.post("/language/nl", query_string={"next": "/inbox?view=mine"}, data={"csrf_token": csrf})
    assert response.headers["Location"] == "/inbox?view=mine"
