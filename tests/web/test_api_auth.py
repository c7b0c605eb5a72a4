"""API authentication: Bearer tokens (stored hashed, revocable), the UI session with CSRF, JSON errors."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from webcare.models import ApiToken, AuditEntry
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
