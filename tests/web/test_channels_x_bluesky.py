"""Connecting X and Bluesky channels: the admin form, the CLI, and the credentials they store."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.fakes.bluesky import APP_PASSWORD, MUNICIPALITY, bluesky  # noqa: F401  (fixture)
from tests.fakes.x import CLIENT_ID, REFRESH, TOKEN, x  # noqa: F401  (fixture)
from webcare.errors import ValidationFailed
from webcare.models import Channel
from webcare.services import channel_credentials


def credentials(runtime, session) -> dict:
    session.expire_all()
    return runtime.secrets.decrypt_json(session.scalars(select(Channel)).one().credentials_encrypted)


def test_admin_connects_x_with_token_renewal_and_nothing_is_shown_again(client, session, admin, runtime, x):  # noqa: F811
    page = client.get("/admin/channels/new").get_data(as_text=True)
    assert "offline.access" in page and "X-vernieuwingstoken" in page  # Dutch by default
    response = f.form_post(client, "/admin/channels/new", {
        "platform": "x", "name": "X gemeente", "base_url": x.base_url, "handle": "", "poll_interval_seconds": "60",
        "token": TOKEN, "x_refresh_token": REFRESH, "x_client_id": CLIENT_ID, "x_client_secret": "s3cret"})
    assert response.status_code == 302
    stored = credentials(runtime, session)
    assert stored == {"access_token": TOKEN, "refresh_token": REFRESH, "client_id": CLIENT_ID,
                      "client_secret": "s3cret", "expires_at": None}
    channel = session.scalars(select(Channel)).one()
    edit = client.get(f"/admin/channels/{channel.id}/edit").get_data(as_text=True)
    assert all(secret not in edit for secret in (TOKEN, REFRESH, "s3cret"))
    assert client.post(f"/admin/channels/{channel.id}/test", data={
        "csrf_token": f.csrf_token(client.get("/admin/channels/").get_data(as_text=True))}).status_code == 302
    session.expire_all()
    assert session.get(Channel, channel.id).handle == "@GemVoorbeeld"


def test_a_new_x_token_keeps_the_app_client_id(client, session, admin, runtime, x):  # noqa: F811
    f.form_post(client, "/admin/channels/new", {"platform": "x", "name": "X", "base_url": x.base_url,
                                              "poll_interval_seconds": "60", "token": "old",
                                              "x_refresh_token": "r1", "x_client_id": CLIENT_ID})
    channel = session.scalars(select(Channel)).one()
    f.form_post(client, f"/admin/channels/{channel.id}/edit", {"name": "X", "base_url": x.base_url,
                                                             "poll_interval_seconds": "60", "token": "new"})
    assert credentials(runtime, session) == {"access_token": "new", "client_id": CLIENT_ID, "expires_at": None}


def test_admin_connects_bluesky_with_handle_and_app_password(client, session, admin, runtime, bluesky):  # noqa: F811
    response = f.form_post(client, "/admin/channels/new", {
        "platform": "bluesky", "name": "Bluesky gemeente", "base_url": bluesky.base_url,
        "handle": "@voorbeeldstad.nl", "poll_interval_seconds": "60", "token": APP_PASSWORD})
    assert response.status_code == 302
    assert credentials(runtime, session) == {"identifier": "voorbeeldstad.nl", "app_password": APP_PASSWORD}


def test_cli_adds_x_from_the_token_endpoint_json_and_bluesky_from_an_app_password(cli, runtime, session, x,  # noqa: F811
                                                                                  bluesky):  # noqa: F811
    answer = json.dumps({"token_type": "bearer", "expires_in": 7200, "access_token": TOKEN,
                         "refresh_token": REFRESH, "client_id": CLIENT_ID})
    added = cli("channels", "add", "--platform", "x", "--name", "X", "--base-url", x.base_url, "--token-stdin",
                input=answer + "\n")
    assert added.exit_code == 0, added.output
    tested = cli("channels", "test", str(json.loads(added.output)["id"]))
    assert json.loads(tested.output)["account"]["handle"] == "@GemVoorbeeld"

    added = cli("channels", "add", "--platform", "bluesky", "--name", "Bluesky", "--base-url", bluesky.base_url,
                "--handle", MUNICIPALITY["handle"], "--token-stdin", input=APP_PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    tested = cli("channels", "test", str(json.loads(added.output)["id"]))
    assert tested.exit_code == 0 and json.loads(tested.output)["account"]["handle"] == "@voorbeeldstad.nl"
    no_handle = cli("channels", "add", "--platform", "bluesky", "--name", "B2", "--token-stdin", input="pw\n")
    assert no_handle.exit_code == 2 and "handle" in no_handle.output


@pytest.mark.parametrize("token, extra, message", [
    ("{not json", {}, "cannot be read"),
    ('{"refresh_token": "r"}', {}, "no access_token"),
    ("t", {"refresh_token": "r"}, "client ID"),
])
def test_bad_x_credentials_are_refused_with_a_clear_message(token, extra, message):
    with pytest.raises(ValidationFailed, match=message):
        channel_credentials.build("x", token, extra)
