"""Connecting Facebook and Instagram channels: the admin form, the CLI, the stored credentials, and the
webhook URL and verify token the channel page shows for Meta's app dashboard."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.fakes.meta import APP_SECRET, IG, PAGE, TOKEN, meta  # noqa: F401  (fixture)
from webcare.errors import ValidationFailed
from webcare.models import Channel
from webcare.services import channel_credentials


def test_admin_connects_a_page_and_sees_the_webhook_setup(client, session, admin, runtime, meta):  # noqa: F811
    response = f.form_post(client, "/admin/channels/new", {
        "platform": "facebook", "name": "Facebook gemeente", "base_url": meta.base_url, "handle": "",
        "poll_interval_seconds": "300", "token": TOKEN, "meta_page_id": PAGE["id"], "meta_app_secret": APP_SECRET})
    assert response.status_code == 302, response.get_data(as_text=True)
    channel = session.scalars(select(Channel)).one()
    stored = runtime.secrets.decrypt_json(channel.credentials_encrypted)
    assert stored["page_id"] == PAGE["id"] and stored["app_secret"] == APP_SECRET and len(stored["verify_token"]) > 20

    edit = client.get(f"/admin/channels/{channel.id}/edit").get_data(as_text=True)
    assert f"http://localhost/webhooks/facebook/{channel.id}" in edit and stored["verify_token"] in edit
    assert "feed, mention, messages" in edit
    assert TOKEN not in edit and APP_SECRET not in edit
    handshake = client.get(f"/webhooks/facebook/{channel.id}?hub.mode=subscribe&hub.challenge=7"
                           f"&hub.verify_token={stored['verify_token']}")
    assert handshake.get_data(as_text=True) == "7"
    tested = client.post(f"/admin/channels/{channel.id}/test", data={"csrf_token": f.csrf_token(edit)},
                         follow_redirects=True)
    assert "@gemeentevoorbeeldstad" in tested.get_data(as_text=True)


def test_the_cli_adds_an_instagram_channel_with_the_secret_on_stdin(cli, meta):  # noqa: F811
    result = cli("channels", "add", "--platform", "instagram", "--name", "Instagram gemeente", "--base-url",
                 meta.base_url, "--page-id", PAGE["id"], "--ig-user-id", IG["id"], "--verify-token", "vt-123",
                 "--token-stdin", input=f"{TOKEN}\n{APP_SECRET}\n")
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    assert added["webhook"] == {"path": f"/webhooks/instagram/{added['id']}", "verify_token": "vt-123",
                                "fields": ["comments", "mentions", "messages"]}
    assert APP_SECRET not in result.output and TOKEN not in result.output
    tested = cli("channels", "test", str(added["id"]))
    assert tested.exit_code == 0 and json.loads(tested.output)["account"]["handle"] == "@gemeentevoorbeeldstad"
    missing = cli("channels", "add", "--platform", "instagram", "--name", "I2", "--page-id", PAGE["id"],
                  "--token-stdin", input=f"{TOKEN}\n{APP_SECRET}\n")
    assert missing.exit_code == 2 and "ig_user_id" in missing.output


def test_credentials_keep_what_is_not_given_again():
    first = channel_credentials.build("facebook", "t1", {"page_id": "1", "app_secret": "s"})
    again = channel_credentials.build("facebook", "t2", {}, previous=first)
    assert again == {**first, "access_token": "t2"}
    with pytest.raises(ValidationFailed, match="app_secret"):
        channel_credentials.build("facebook", "t", {"page_id": "1"})
