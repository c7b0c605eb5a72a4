"""Meta -> tickets, end to end: signed webhook deliveries to our endpoint, the real ingest jobs, and the
Graph backfill poll after downtime (the fake Graph API as a real HTTP server)."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.fakes.meta import APP_SECRET, CITIZENS, IG, PAGE, FakeMeta, meta  # noqa: F401  (fixture)
from tests.workers.pipeline import citizen_messages, count, inbound, poll_now, reload, tickets, work
from webcare.db import utcnow
from webcare.models import WebhookDelivery
from workers.webhooks import recover_lost_deliveries


@pytest.fixture
def facebook(session, meta):  # noqa: F811
    f.seeded(session)
    return meta.channel(session, "facebook")


@pytest.fixture
def instagram(session, meta):  # noqa: F811
    f.seeded(session)
    return meta.channel(session, "instagram")


def deliver(client, redis, meta, platform, channel, payload):  # noqa: F811
    response = meta.deliver(client, platform, channel.id, payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    work(redis, ("ingest", "replies"))
    return response


def test_a_page_comment_becomes_one_ticket_per_citizen(client, redis, session, meta, facebook):  # noqa: F811
    post = meta.announce("Vanaf maandag is de Dorpsstraat afgesloten.")
    payload = meta.comment("jan", post["id"], "Hoe lang duurt de afsluiting van de Dorpsstraat?")
    deliver(client, redis, meta, "facebook", facebook, payload)

    [ticket] = tickets(session)
    [message] = citizen_messages(ticket)
    comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
    assert (ticket.kind, ticket.visibility) == ("comment", "public")
    assert ticket.thread_key == f"post:{post['id']}:{CITIZENS['jan'][0]}"
    assert message.external_id == comment_id and message.raw["post_id"] == post["id"]
    assert ticket.contact.platform_user_id == CITIZENS["jan"][0]

    deliver(client, redis, meta, "facebook", facebook, meta.comment("fatima", post["id"], "En de bus?"))
    assert len(tickets(session)) == 2  # another citizen under the same announcement: her own ticket


def test_a_duplicate_delivery_changes_nothing(client, redis, session, meta, facebook):  # noqa: F811
    post = meta.announce("Het zwembad is open.")
    payload = meta.comment("jan", post["id"], "Tot hoe laat is het zwembad open?")
    deliver(client, redis, meta, "facebook", facebook, payload)
    again = deliver(client, redis, meta, "facebook", facebook, payload)  # byte-identical replay
    assert again.json == {"status": "duplicate"}
    payload["entry"][0]["time"] += 60  # Meta's retry: the same event in a new envelope
    assert deliver(client, redis, meta, "facebook", facebook, payload).json == {"status": "received"}
    assert len(tickets(session)) == 1 and inbound(session) == 1
    assert count(session, WebhookDelivery) == 2


def test_own_comments_edits_and_receipts_are_ignored(client, redis, session, meta, facebook):  # noqa: F811
    post = meta.announce("Nieuws")
    comment = {"id": f"{post['id']}_1", "post_id": post["id"], "message": "Bedankt!", "created_time": time.time(),
               "from": {"id": PAGE["id"], "name": PAGE["name"]}, "parent": None}
    deliver(client, redis, meta, "facebook", facebook, meta.feed_notification(comment))
    citizen = {**comment, "from": {"id": CITIZENS["jan"][0], "name": "Jan"}}
    deliver(client, redis, meta, "facebook", facebook, meta.feed_notification(citizen, verb="edited"))
    receipt = {"object": "page", "entry": [{"id": PAGE["id"], "time": 1, "messaging": [
        {"sender": {"id": CITIZENS["jan"][0]}, "recipient": {"id": PAGE["id"]}, "timestamp": 1,
         "delivery": {"mids": ["m_1"], "watermark": 1}},
        {"sender": {"id": PAGE["id"]}, "recipient": {"id": CITIZENS["jan"][0]}, "timestamp": 2,
         "message": {"mid": "m_2", "text": "echo", "is_echo": True}}]}]}
    deliver(client, redis, meta, "facebook", facebook, receipt)
    assert tickets(session) == []


def test_a_page_mention_becomes_a_mention_ticket(client, redis, session, meta, facebook):  # noqa: F811
    post = meta.announce("Koningsdag")
    deliver(client, redis, meta, "facebook", facebook, meta.mention("piet", post["id"], "@Gemeente Voorbeeldstad de "
                                                                    "lantaarnpaal is kapot"))
    [ticket] = tickets(session)
    assert ticket.kind == "mention" and "lantaarnpaal" in citizen_messages(ticket)[0].text


def test_a_messenger_dm_becomes_one_private_ticket(client, redis, session, meta, facebook):  # noqa: F811
    deliver(client, redis, meta, "facebook", facebook, meta.dm("fatima", "Wanneer wordt mijn container geleegd? \u00e9"))
    deliver(client, redis, meta, "facebook", facebook, meta.dm("fatima", "Het is Lindelaan 4."))
    [ticket] = tickets(session)
    assert (ticket.kind, ticket.visibility, ticket.thread_key) == ("dm", "private", f"dm:{CITIZENS['fatima'][0]}")
    assert [m.text for m in citizen_messages(ticket)] == ["Wanneer wordt mijn container geleegd? \u00e9",
                                                          "Het is Lindelaan 4."]


def test_instagram_comment_mention_and_dm_each_become_one_ticket(client, redis, session, meta, instagram):  # noqa: F811
    media = meta.ig_post("Nieuwe speeltuin in het park")
    comment = meta.ig_comment("jan", media["id"], "Wanneer gaat de speeltuin open?")
    deliver(client, redis, meta, "instagram", instagram, comment)
    comment_id = comment["entry"][0]["changes"][0]["value"]["id"]
    deliver(client, redis, meta, "instagram", instagram, meta.ig_mention(media["id"], "179000111"))
    deliver(client, redis, meta, "instagram", instagram, meta.dm("piet", "Hoi, mijn paspoort is verlopen",
                                                                 platform="instagram"))
    found = {t.kind: t for t in tickets(session)}
    assert set(found) == {"comment", "mention", "dm"}
    assert found["comment"].thread_key == f"media:{media['id']}:{CITIZENS['jan'][0]}"
    assert citizen_messages(found["comment"])[0].external_id == comment_id
    assert found["dm"].thread_key == f"dm:{CITIZENS['piet'][0]}" and found["dm"].visibility == "private"
    assert found["mention"].visibility == "public"


def test_a_facebook_delivery_to_an_instagram_channel_is_ignored(client, redis, session, meta, instagram):  # noqa: F811
    deliver(client, redis, meta, "instagram", instagram, meta.dm("jan", "hallo"))  # object "page"
    assert tickets(session) == []


def test_batched_entries_of_another_page_of_the_same_app_go_to_that_pages_channel(client, redis, session, meta,  # noqa: F811
                                                                                   facebook):
    """Meta calls one callback URL per app: a batch can hold entries of every Page the app is installed on.
    Each Page's entries are its own channel's messages (a reply would otherwise go out as the wrong Page); a
    Page of another app (another app secret) or without a channel gets nothing."""
    other_page = meta.channel(session, "facebook", name="Gemeente afval", extra={"page_id": "104999999999999"})
    other_app = meta.channel(session, "facebook", name="Ander app", extra={"page_id": "104888888888888",
                                                                           "app_secret": "een-ander-geheim"})
    post = meta.announce("Werk aan de weg")
    ours = meta.comment("jan", post["id"], "Hoe lang duurt het?")
    for page, citizen in (("104999999999999", "fatima"), ("104888888888888", "piet"), ("104777777777777", "jan")):
        entry = meta.dm(citizen, f"Bericht aan Pagina {page}")["entry"][0]
        entry["id"] = entry["messaging"][0]["recipient"]["id"] = page
        ours["entry"].append(entry)
    deliver(client, redis, meta, "facebook", facebook, ours)
    assert [(t.channel_id, t.kind) for t in tickets(session)] == [(facebook.id, "comment"), (other_page.id, "dm")]
    assert other_app.id not in {t.channel_id for t in tickets(session)}


def test_backfill_after_downtime_reads_comments_and_conversations_once(runtime, redis, session, meta, facebook):  # noqa: F811
    post = meta.announce("Afvalkalender 2027")
    meta.comment("jan", post["id"], "Waar vind ik de afvalkalender?")  # webhooks missed: we were down
    meta.comment("piet", post["id"], "Komt er een papieren versie?", at=time.time() - 5 * 24 * 3600)  # too old
    meta.dm("fatima", "Is het milieustation zaterdag open?")
    poll_now(runtime, redis, facebook.id)
    poll_now(runtime, redis, facebook.id)

    found = {t.kind: t for t in tickets(session)}
    assert set(found) == {"comment", "dm"} and inbound(session) == 2
    polled = reload(runtime, facebook.id)
    assert polled.cursor["since"] and polled.last_success_at is not None and polled.last_error is None
    feed = meta.seen(rf"/{PAGE['id']}/feed")[-1]
    assert "comments.limit(50)" in feed.args["fields"] and feed.args["limit"] == "10"


def test_instagram_backfill_reads_media_comments(runtime, redis, session, meta, instagram):  # noqa: F811
    media = meta.ig_post("Stadsfeest")
    meta.ig_comment("jan", media["id"], "Hoe laat begint het stadsfeest?")
    poll_now(runtime, redis, instagram.id)
    [ticket] = tickets(session)
    assert ticket.kind == "comment" and ticket.contact.handle == "@jan"
    assert meta.seen(rf"/{IG['id']}/media")


def test_usage_headers_make_the_poll_wait(runtime, redis, session, meta, facebook):  # noqa: F811
    meta.buc_usage = {"type": "pages", "call_count": 97, "total_cputime": 10, "total_time": 10,
                      "estimated_time_to_regain_access": 19}
    poll_now(runtime, redis, facebook.id)
    waited = reload(runtime, facebook.id)
    assert waited.rate_limited_until is not None


def test_signature_must_match_and_nothing_is_stored(client, session, meta, facebook):  # noqa: F811
    payload = meta.dm("jan", "hallo")
    bad = meta.deliver(client, "facebook", facebook.id, payload, secret="wrong")
    assert bad.status_code == 403 and "signature" in bad.get_data(as_text=True)
    body, headers = FakeMeta.signed(payload)
    headers.pop("X-Hub-Signature-256")
    assert client.post(f"/webhooks/facebook/{facebook.id}", data=body, headers=headers).status_code == 403
    assert session.scalars(select(WebhookDelivery)).all() == []


@pytest.mark.parametrize("body", [b"not json", b"", b"[1, 2]", b"hub.mode=subscribe", b'{"object": "page", "entry": 5}'])
def test_a_signed_body_that_is_no_notification_is_refused_not_stored(client, redis, session, facebook, body):
    """Meta signs what it sends, so this is a broken sender: a 400 that says why, and no dead letter later."""
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(f"/webhooks/facebook/{facebook.id}", data=body,
                           headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})
    assert response.status_code == 400 and "not" in response.json["error"]["message"]
    assert session.scalars(select(WebhookDelivery)).all() == []


def test_handshake_answers_the_challenge_only_with_the_verify_token(client, facebook):
    url = f"/webhooks/facebook/{facebook.id}?hub.mode=subscribe&hub.challenge=1158201444"
    ok = client.get(url + "&hub.verify_token=verify-me")
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "1158201444"
    assert client.get(url + "&hub.verify_token=nope").status_code == 403
    assert client.get(f"/webhooks/facebook/{facebook.id}?hub.mode=unsubscribe&hub.challenge=1"
                      "&hub.verify_token=verify-me").status_code == 403


def test_oversized_bodies_are_refused(client, session, meta, facebook):  # noqa: F811
    body, headers = FakeMeta.signed({"object": "page", "entry": [], "pad": "x" * (1024 * 1024 + 10)})
    assert client.post(f"/webhooks/facebook/{facebook.id}", data=body, headers=headers).status_code == 413
    assert session.scalars(select(WebhookDelivery)).all() == []


def test_a_signed_body_nested_too_deep_is_refused_with_400(client, session, meta, facebook):  # noqa: F811
    """The JSON parser gives up on a body nested some 100,000 levels deep (RecursionError, no ValueError): it
    was a 500; it is a malformed body like any other."""
    body = b'{"object": "page", "entry": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {"X-Hub-Signature-256": "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()}
    response = client.post(f"/webhooks/facebook/{facebook.id}", data=body, headers=headers)
    assert response.status_code == 400 and "nests too deep" in response.json["error"]["message"]
    assert session.scalars(select(WebhookDelivery)).all() == []


def test_a_delivery_whose_job_was_lost_is_processed_once(runtime, client, redis, session, meta, facebook):  # noqa: F811
    """Redis lost the processing job of a stored delivery: the recovery sweep puts it back, once."""
    post = meta.announce("De markt gaat door.")
    response = meta.deliver(client, "facebook", facebook.id, meta.comment("jan", post["id"], "Ook bij regen?"))
    assert response.status_code == 200
    redis.delete(*redis.keys("rq:*"))  # the job is gone (e.g. Redis restarted without its data)
    assert recover_lost_deliveries()["webhook_deliveries_requeued"] == []  # too recent to call lost
    [delivery] = session.scalars(select(WebhookDelivery)).all()
    with runtime.transaction() as s:
        s.get(WebhookDelivery, delivery.id).received_at = utcnow() - timedelta(minutes=5)
    assert recover_lost_deliveries()["webhook_deliveries_requeued"] == [delivery.id]
    assert recover_lost_deliveries()["webhook_deliveries_requeued"] == []  # its job is queued now: not twice
    work(redis, ("ingest", "replies"))
    assert len(tickets(session)) == 1 and inbound(session) == 1
    assert recover_lost_deliveries()["webhook_deliveries_requeued"] == []  # processed: nothing to recover
