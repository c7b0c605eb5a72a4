"""API authentication: Bearer tokens (stored hashed, revocable), the UI session with CSRF, JSON errors.

A request that carries an `Authorization` header is judged on it alone: a header that fails (not
`Bearer <token>`, an unknown or revoked token) is 401 whatever session cookie comes along, and a valid token
acts as its own user, not as the session's.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.test_structured_logs import captured
from webcare.logs import JsonFormatter
from webcare.models import ApiToken, AuditEntry, Note
from webcare.services.users import revoke_api_token, update_user


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_no_credentials_is_401_json(client):
    response = client.get("/api/v1/departments")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_bad_token_is_401(client, session):
    f.seeded(session)
    session.commit()
    assert client.get("/api/v1/departments", headers=auth("wc_nonsense")).status_code == 401


def test_valid_token(client, session, cli):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    token = cli("create-token", user.email, "--name", "script").output.strip()
    assert token.startswith("wc_")
    response = client.get("/api/v1/departments", headers=auth(token))
    assert response.status_code == 200
    codes = {d["code"] for d in response.get_json()["items"]}
    assert {"KCC", "OW", "VB"} <= codes
    stored = session.scalar(select(ApiToken))
    assert stored.token_hash != token and token not in stored.token_hash


def test_revoked_token_is_refused(client, session, cli):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    token = cli("create-token", user.email).output.strip()
    revoke_api_token(session, session.scalar(select(ApiToken.id)))
    session.commit()
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 401


def test_token_of_inactive_user_is_refused(client, session, cli):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    token = cli("create-token", user.email).output.strip()
    user.active = False
    session.commit()
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 401


def test_deactivation_through_the_service_revokes_the_tokens_for_good(client, session, cli):
    """users.update_user(active=False), whoever calls it, revokes the tokens: reactivated, they stay refused."""
    f.seeded(session)
    user = f.user(session, "department", ("OW",))
    session.commit()
    token = cli("create-token", user.email).output.strip()
    update_user(session, user, name=user.name, role="department", department_codes=["OW"], active=False)
    session.commit()
    update_user(session, user, name=user.name, role="department", department_codes=["OW"], active=True)
    session.commit()
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 401
    assert session.scalar(select(ApiToken.revoked_at)) is not None
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "token.revoke"))
    assert (entry.actor_id, entry.user_agent, entry.data["reason"]) == (None, "cli", "user_deactivated")


def test_ui_session_works_for_reads(client, session):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    f.login(client, user.email)
    assert client.get("/api/v1/categories").status_code == 200


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert "/tickets/{ticket_id}" in doc["paths"]


def test_openapi_nullable_enums_list_null(client):
    """OpenAPI 3.0 checks `enum` before `nullable`: a channel without an error (`last_error_kind` null) must
    still match its schema."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert None in schemas["Channel"]["properties"]["last_error_kind"]["enum"]
    for name, schema in schemas.items():
        for prop_name, prop in schema.get("properties", {}).items():
            if prop.get("nullable") and "enum" in prop:
                assert None in prop["enum"], f"{name}.{prop_name}"


def _logged_in_with_token(client, session, cli, session_role="agent", token_role=None):
    """A seeded database, a user of `session_role` logged in on `client`, and an API token: that user's own,
    or (with `token_role`) another user's."""
    f.seeded(session)
    browser_user = f.user(session, session_role)
    token_user = f.user(session, token_role) if token_role else browser_user
    session.commit()
    f.login(client, browser_user.email)
    token = cli("create-token", token_user.email).output.strip()
    return browser_user, token_user, token


def _is_401_json(response) -> bool:
    return response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_invalid_token_with_a_valid_session_is_401(client, session, cli):
    _logged_in_with_token(client, session, cli)
    assert client.get("/api/v1/departments").status_code == 200  # the session alone works
    assert _is_401_json(client.get("/api/v1/departments", headers=auth("wc_nonsense")))


def test_revoked_token_with_a_valid_session_is_401(client, session, cli):
    _, _, token = _logged_in_with_token(client, session, cli)
    revoke_api_token(session, session.scalar(select(ApiToken.id)))
    session.commit()
    assert _is_401_json(client.get("/api/v1/departments", headers=auth(token)))


@pytest.mark.parametrize("header", ["Basic YWdlbnQ6Z2VoZWlt", "Bearer", "Bearer   ", "Token wc_abc", "wc_abc", ""])
def test_a_malformed_authorization_header_with_a_valid_session_is_401(client, session, cli, header):
    _logged_in_with_token(client, session, cli)
    assert _is_401_json(client.get("/api/v1/departments", headers={"Authorization": header}))


def test_a_failed_token_is_refused_before_the_csrf_check_and_changes_nothing(client, session, cli):
    _logged_in_with_token(client, session, cli)
    ticket = f.ticket(session, department_code="OW")
    session.commit()
    response = client.post(f"/api/v1/tickets/{ticket.id}/notes", json={"text": "notitie"},
                           headers=auth("wc_nonsense"))
    assert _is_401_json(response)
    assert session.scalar(select(Note.id)) is None


def test_a_failed_token_is_logged_as_a_refused_request_of_nobody(client, session, cli):
    """As every refused API request: the request log's line with 401, not under the session's user."""
    _logged_in_with_token(client, session, cli)
    with captured(JsonFormatter(), "webcare.requests") as stream:
        client.get("/api/v1/departments", headers=auth("wc_nonsense"))
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["message"].startswith("GET /api/v1/departments 401")
    assert "user_id" not in line


def test_a_valid_token_acts_as_its_user_not_as_the_sessions(client, session, cli):
    _, _, token = _logged_in_with_token(client, session, cli, session_role="admin", token_role="agent")
    assert client.get("/api/v1/rules").status_code == 200  # the admin's session
    refused = client.get("/api/v1/rules", headers=auth(token))
    assert refused.status_code == 403  # the agent's token: no admin rights borrowed from the cookie


def test_a_valid_token_writes_as_its_user_without_csrf(client, session, cli):
    admin, agent, token = _logged_in_with_token(client, session, cli, session_role="admin", token_role="agent")
    ticket = f.ticket(session, department_code="OW")
    session.commit()
    response = client.post(f"/api/v1/tickets/{ticket.id}/notes", json={"text": "notitie"}, headers=auth(token))
    assert response.status_code == 201
    assert session.get(Note, response.get_json()["id"]).author_id == agent.id
    assert client.get("/").status_code == 200  # the browser is still logged in as the admin
    assert client.get("/api/v1/rules").status_code == 200
