"""/healthz and /readyz, including a stopped Redis."""

from __future__ import annotations

from webcare.app import create_app
from webcare.embedded import free_port
from webcare.runtime import build_runtime


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_readyz_reports_stopped_redis(settings):
    dead = settings.replace(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    runtime = build_runtime(dead)
    try:
        response = create_app(runtime=runtime).test_client().get("/readyz")
    finally:
        runtime.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_reports_unreachable_database(settings):
    broken = settings.replace(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    runtime = build_runtime(broken)
    try:
        response = create_app(runtime=runtime).test_client().get("/readyz")
    finally:
        runtime.dispose()
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_pages_name_an_icon_that_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" type="image/svg+xml" href="/static/img/favicon.svg"' in page
    with client.get("/static/img/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.data.startswith(b"<svg")
