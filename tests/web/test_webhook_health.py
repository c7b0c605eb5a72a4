"""A channel that receives webhooks shows their health: refused calls, failed deliveries, the last one
received, on the channels page, in `GET /api/v1/channels` and in `webcare channels list`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.web.test_webhooks import BODY, SECRET, _challenge, _parse, signed
from webcare.models import WebhookDelivery
from webcare.services import webhooks
from workers.heartbeat import BeatingWorker


def _failing_parse(body: bytes, headers, credentials):
    if b"kapot" in body:
        raise ValueError("the entry has no author")
    return _parse(body, headers, credentials)


@pytest.fixture
def channel(session, runtime):
    previous = webhooks.register(webhooks.WebhookHandler(
        platform="facebook", parse=_failing_parse, challenge=_challenge,
        verify=lambda headers, body, creds: webhooks.hmac_sha256_valid(creds.get("app_secret"), body,
                                                                      headers.get("x-hub-signature-256"))))
    f.seeded(session)
    record = f.channel(session, "facebook", name="Facebook gemeente",
                       credentials_encrypted=runtime.secrets.encrypt_json({"app_secret": SECRET, "verify_token": "vt"}))
    session.commit()
    yield record
    webhooks.register(previous)  # the real Meta handler


def _channels_api(client) -> dict[str, dict]:
    return {c["name"]: c for c in client.get("/api/v1/channels").get_json()["items"]}


def test_refused_calls_are_shown_on_the_channel(client, session, admin, channel):
    assert _channels_api(client)["Facebook gemeente"]["webhooks"]["refused_at"] is None
    for _ in range(2):
        assert client.post(f"/webhooks/facebook/{channel.id}", data=BODY, headers=signed(BODY, "fout")).status_code == 403
    assert client.get(f"/webhooks/facebook/{channel.id}?hub.mode=subscribe&hub.verify_token=nee").status_code == 403

    health = _channels_api(client)["Facebook gemeente"]["webhooks"]
    assert health["refused_count"] == 3 and health["refused_status"] == 403
    assert "verify_token" in health["refused_reason"] and health["refused_at"] is not None
    assert health["failing"] == 0 and health["last_received_at"] is None
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "3 aanroepen geweigerd" in page and "klopt niet met het app-geheim" in page
    assert "Niets ontvangen in 30 dagen" in page


def test_a_failed_delivery_is_counted_until_it_is_done(client, session, admin, redis, channel):
    broken = BODY.replace(b"Wanneer", b"kapot: wanneer")
    for body in (BODY, broken):
        assert client.post(f"/webhooks/facebook/{channel.id}", data=body, headers=signed(body)).status_code == 200
    BeatingWorker(["ingest"], connection=redis).work(burst=True)  # the broken one fails (a retry is scheduled)

    health = _channels_api(client)["Facebook gemeente"]["webhooks"]
    assert health["failing"] == 1 and health["last_received_at"] is not None
    assert health["last_failed_at"] is not None and health["refused_count"] == 0
    assert datetime.fromisoformat(health["last_received_at"]).utcoffset() == timedelta(0)  # aware, UTC
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "1 levering mislukt" in page and "/admin/dead-letters" in page

    failed = session.scalars(select(WebhookDelivery).where(WebhookDelivery.error.is_not(None))).one()
    webhooks.give_up(session, failed.id)  # as Discard on the dead-letter page does
    session.commit()
    assert _channels_api(client)["Facebook gemeente"]["webhooks"]["failing"] == 0


def test_channels_that_do_not_push_have_no_webhook_health(client, session, admin, channel, cli):
    f.channel(session, "mastodon", name="Mastodon gemeente")
    session.commit()
    assert _channels_api(client)["Mastodon gemeente"]["webhooks"] is None
    listed = {c["name"]: c for c in json.loads(cli("channels", "list").output)}
    assert listed["Mastodon gemeente"]["webhooks"] is None
    assert listed["Facebook gemeente"]["webhooks"]["failing"] == 0
