"""Webhook intake: verified, stored raw once, answered at once, processed by the ingest pipeline."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from tests import factories as f
from tests.workers.pipeline import run_scheduled_now
from webcare.db import utcnow
from webcare.models import Ticket, WebhookDelivery
from webcare.platforms.base import InboundMessage
from webcare.services import deadletters, webhooks
from workers.heartbeat import BeatingWorker
from workers.webhooks import recover_lost_deliveries

SECRET = "app-secret"


def _parse(body: bytes, headers, credentials) -> list[InboundMessage]:
    """A platform's payload shape, as a pushing platform's adapter would parse it."""
    return [InboundMessage(external_id=item["id"], thread_key=f"post:{item['post']}", kind="comment",
                           visibility="public", text=item["text"], author_id=item["from"]["id"],
                           author_handle=item["from"]["name"], author_name=item["from"]["name"])
            for item in json.loads(body)["entries"]]


def _challenge(query, credentials) -> str | None:
    if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == credentials.get("verify_token"):
        return query.get("hub.challenge")
    return None


@pytest.fixture
def channel(session, runtime):
    previous = webhooks.register(webhooks.WebhookHandler(
        platform="facebook", parse=_parse, challenge=_challenge,
        verify=lambda headers, body, creds: webhooks.hmac_sha256_valid(creds.get("app_secret"), body,
                                                                      headers.get("x-hub-signature-256"))))
    f.seeded(session)
    record = f.channel(session, "facebook", credentials_encrypted=runtime.secrets.encrypt_json(
        {"app_secret": SECRET, "verify_token": "vt"}))
    session.commit()
    yield record
    webhooks.register(previous)  # the real Meta handler


def signed(body: bytes, secret: str = SECRET) -> dict:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            "Content-Type": "application/json"}


BODY = json.dumps({"entries": [{"id": "c-1", "post": "p-9", "text": "Wanneer gaat het zwembad weer open?",
                                "from": {"id": "u-5", "name": "Sanne"}}]}).encode()


def test_a_signed_delivery_is_stored_answered_and_ingested_once(client, session, redis, channel):
    response = client.post(f"/webhooks/facebook/{channel.id}", data=BODY, headers=signed(BODY))
    assert response.status_code == 200 and response.json == {"status": "received"}
    again = client.post(f"/webhooks/facebook/{channel.id}", data=BODY, headers=signed(BODY))
    assert again.json == {"status": "duplicate"}
    [delivery] = session.scalars(select(WebhookDelivery)).all()
    assert delivery.body == BODY and delivery.processed_at is None
    assert len(Queue("ingest", connection=redis)) == 1

    BeatingWorker(["ingest"], connection=redis).work(burst=True)
    session.expire_all()
    [ticket] = session.scalars(select(Ticket)).all()
    assert ticket.kind == "comment" and ticket.thread_key == "post:p-9"
    assert session.get(WebhookDelivery, delivery.id).processed_at is not None


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client, session, channel):
    response = client.post(f"/webhooks/facebook/{channel.id}", data=BODY, headers=signed(BODY, "fout"))
    assert response.status_code == 403 and "signature" in response.json["error"]["message"]
    assert session.scalars(select(WebhookDelivery)).all() == []
    assert client.post("/webhooks/tiktok/1", data=BODY).status_code == 404


def test_subscription_handshake(client, channel):
    ok = client.get(f"/webhooks/facebook/{channel.id}?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42")
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "42"
    assert client.get(f"/webhooks/facebook/{channel.id}?hub.verify_token=nee&hub.challenge=42").status_code == 403


def test_a_discarded_dead_letter_of_a_delivery_stays_discarded(client, session, runtime, redis, channel):
    """The recovery sweep puts back the job of an unprocessed delivery that has none; it must not bring back
    a job that an administrator discarded on the dead-letter page (it did, every minute, for two days)."""
    body = json.dumps({"entries": [{"id": "c-2"}]}).encode()  # no post and no author: the parser fails
    assert client.post(f"/webhooks/facebook/{channel.id}", data=body, headers=signed(body)).status_code == 200
    for _ in range(6):  # the first try and rq's five retries
        BeatingWorker(["ingest"], connection=redis).work(burst=True)
        run_scheduled_now(redis, "ingest")
    [letter] = deadletters.dead_letters(redis)
    admin = f.user(session, "admin")
    session.commit()
    f.login(client, admin.email)
    f.form_post(client, f"/admin/dead-letters/{letter.job_id}/discard", page="/admin/dead-letters/")
    assert deadletters.dead_letters(redis) == []
    with runtime.transaction() as s:  # long enough ago to count as lost, were it not discarded
        s.scalars(select(WebhookDelivery)).one().received_at = utcnow() - timedelta(minutes=5)
    assert recover_lost_deliveries()["webhook_deliveries_requeued"] == []
    assert Queue("ingest", connection=redis).job_ids == []
    session.expire_all()
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert delivery.processed_at is not None and delivery.error.startswith("discarded by an administrator")
