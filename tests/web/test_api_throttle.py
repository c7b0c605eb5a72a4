"""API throttling (per token and per IP, 429 with Retry-After, counted in Redis) and revoking API tokens
from the command line and the admin pages (refused at once)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import access_world as w
from tests import factories as f
from webcare.app import create_app
from webcare.errors import TooManyRequests
from webcare.models import ApiToken
from webcare.runtime import Runtime
from webcare.services import throttle


def _app(runtime, **limits):
    limited = Runtime(settings=runtime.settings.replace(**limits), engine=runtime.engine, redis_override=runtime.redis)
    return create_app(runtime=limited)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(session):
    return w.build_world(session)


def test_per_token_limit_gives_429_with_retry_after(runtime, world):
    client = _app(runtime, api_rate_limit_per_minute=5).test_client()
    answers = [client.get("/api/v1/departments", headers=_bearer(world.tokens["agent"])).status_code
               for _ in range(7)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
    blocked = client.get("/api/v1/departments", headers=_bearer(world.tokens["agent"]))
    assert blocked.get_json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # another token is counted on its own
    assert client.get("/api/v1/departments", headers=_bearer(world.tokens["manager"])).status_code == 200


def test_per_ip_limit_counts_before_authentication(runtime, world):
    client = _app(runtime, api_rate_limit_per_ip_per_minute=4).test_client()
    for _ in range(4):
        assert client.get("/api/v1/departments", headers=_bearer("wc_guessing")).status_code == 401
    assert client.get("/api/v1/departments", headers=_bearer(world.tokens["agent"])).status_code == 429
    other_ip = client.get("/api/v1/departments", headers=_bearer(world.tokens["agent"]),
                          environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_ip.status_code == 200


def test_window_resets(redis):
    for _ in range(3):
        throttle.hit(redis, "test", 3, now=600.0)
    with pytest.raises(TooManyRequests) as caught:
        throttle.hit(redis, "test", 3, now=630.0)
    assert caught.value.retry_after == 30
    throttle.hit(redis, "test", 3, now=660.0)  # the next minute starts from zero


def test_no_redis_lets_requests_through():
    throttle.hit(None, "anything", 1)
    throttle.hit(None, "anything", 1)


def test_web_pages_are_not_api_throttled(runtime, world):
    client = _app(runtime, api_rate_limit_per_minute=1, api_rate_limit_per_ip_per_minute=1).test_client()
    f.login(client, world.users["agent"].email)
    assert [client.get("/inbox").status_code for _ in range(3)] == [200, 200, 200]


def test_revoke_token_from_the_command_line(client, cli, world):
    headers = _bearer(world.tokens["agent"])
    assert client.get("/api/v1/departments", headers=headers).status_code == 200
    listed = json.loads(cli("list-tokens", world.users["agent"].email).output)
    assert [t["name"] for t in listed] == ["matrix"] and listed[0]["revoked_at"] is None
    assert "wc_" not in json.dumps(listed).replace(listed[0]["prefix"], "")  # never the token itself
    result = cli("revoke-token", listed[0]["prefix"])
    assert result.exit_code == 0 and json.loads(result.output)["revoked_at"]
    refused = client.get("/api/v1/departments", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"


def test_revoke_unknown_token_is_a_clear_error(cli, world):
    result = cli("revoke-token", "999999")
    assert result.exit_code == 2 and "999999" in result.output


def test_revoke_token_in_the_admin_pages(client, session, world):
    headers = _bearer(world.tokens["dep_a"])
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == world.users["dep_a"].id))
    admin = client.application.test_client()
    f.login(admin, world.users["admin"].email)
    csrf = w.csrf_for(admin, "admin")
    page = admin.post(f"/admin/users/{world.users['dep_a'].id}/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert page.status_code == 302
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401
