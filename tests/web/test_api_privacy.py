"""POST /api/v1/privacy/scan: the composer asks what the guard would find, before sending."""

from __future__ import annotations

from tests import factories as f


def test_scan_endpoint(client, session, cli):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    headers = {"Authorization": f"Bearer {cli('create-token', user.email).output.strip()}"}
    response = client.post("/api/v1/privacy/scan", json={"text": "Bel 06-12345678"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"findings": [{"kind": "phone", "text": "06-12345678", "start": 4, "end": 15}]}
    bad = client.post("/api/v1/privacy/scan", json={"tekst": "x"}, headers=headers)
    assert bad.status_code == 400 and "text" in bad.get_json()["error"]["fields"]
    assert client.post("/api/v1/privacy/scan", json={"text": "x"}).status_code == 401
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/privacy/scan"]
