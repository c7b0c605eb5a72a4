"""Hostile webhook deliveries: junk bodies and signatures are refused with 403 and leave nothing behind,
oversized bodies get 413, replays are answered without new work; a signed junk body fails its job loudly
(recorded on the delivery) instead of creating tickets.

`WEBHOOK_PARSERS` lists the webhook parsers of pushing platforms (their `WebhookHandler.parse`) with a
realistic body; each must turn any body into checked messages or raise the platform error taxonomy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests import factories as f
from tests.fuzz.strategies import budget, hostile_text, json_values
from webcare.models import WebhookDelivery
from webcare.platforms import meta_webhooks
from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.errors import PlatformError

SECRET = "app-secret"

# (name, a realistic body, parse(body, headers, credentials)); pushing platforms add theirs here.
_META_COMMENT = json.dumps({"object": "page", "entry": [{"id": "104123456789012", "time": 1795250043, "changes": [
    {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "1_2", "post_id": "104123456789012_1",
                                "parent_id": "104123456789012_1", "created_time": 1795250040, "message": "Lamp kapot",
                                "from": {"id": "2468", "name": "Jan"}}}]}]}).encode()
_IG_MESSAGE = json.dumps({"object": "instagram", "entry": [{"id": "17841400000000001", "time": 1795250043, "messaging": [
    {"sender": {"id": "135"}, "recipient": {"id": "17841400000000001"}, "timestamp": 1795250040000,
     "message": {"mid": "m_1", "text": "Wanneer wordt het grofvuil opgehaald?"}}]}]}).encode()
WEBHOOK_PARSERS: list[tuple[str, bytes, Callable[[bytes, dict], list[InboundMessage]]]] = [
    ("facebook", _META_COMMENT, meta_webhooks.parser("facebook")),
    ("instagram", _IG_MESSAGE, meta_webhooks.parser("instagram")),
]


def _sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def channel(session, runtime):
    """A Facebook channel with the real Meta webhook handler (signature with the app secret)."""
    f.seeded(session)
    record = f.channel(session, "facebook", credentials_encrypted=runtime.secrets.encrypt_json({"app_secret": SECRET}))
    session.commit()
    return record


bodies = st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                   hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
signatures = st.one_of(st.none(), hostile_text.map(  # what an HTTP header can carry: latin-1, one line
    lambda t: t.encode("latin-1", "replace").decode("latin-1").replace("\r", "").replace("\n", "")),
                       st.sampled_from(["sha256=", "sha256=" + "0" * 64, "sha1=abc", "SHA256=zz", "sha256=é" * 3]))


def test_junk_bodies_with_bad_signatures_are_refused_and_nothing_is_stored(client, session, channel):
    @budget(slow=False, fast=80)
    @given(body=bodies, signature=signatures)
    def post(body, signature):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        response = client.post(f"/webhooks/facebook/{channel.id}", data=body, headers=headers)
        assert response.status_code == 403, response.get_data(as_text=True)[:300]

    post()
    assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_a_signature_of_another_body_or_secret_is_refused(client, channel):
    body = b'{"entries": []}'
    assert client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={
        "X-Hub-Signature-256": _sign(b'{"entries": [1]}')}).status_code == 403
    assert client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={
        "X-Hub-Signature-256": _sign(body, "other")}).status_code == 403
    assert client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={
        "X-Hub-Signature-256": _sign(body)[:-1]}).status_code == 403
    assert client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={
        "X-Hub-Signature-256": _sign(body).upper().replace("SHA256=", "sha256=")}).status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(client, session, channel):
    body = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    response = client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={"X-Hub-Signature-256": _sign(body)})
    assert response.status_code == 413
    assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_a_replayed_delivery_is_answered_without_new_work(client, channel):
    body = b'{"entries": []}'
    first = client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={"X-Hub-Signature-256": _sign(body)})
    again = client.post(f"/webhooks/facebook/{channel.id}", data=body, headers={"X-Hub-Signature-256": _sign(body)})
    assert (first.json, again.json) == ({"status": "received"}, {"status": "duplicate"})


@pytest.mark.parametrize("name, sample, parse", WEBHOOK_PARSERS, ids=[p[0] for p in WEBHOOK_PARSERS])
def test_webhook_parsers_take_any_body(name, sample, parse):
    @budget(slow=False, fast=150)
    @given(st.one_of(bodies, st.just(sample)))
    def run(body):
        try:
            messages = parse(body, {}, {})
        except PlatformError:
            return
        assert all(checked(m) == m for m in messages)

    run()
