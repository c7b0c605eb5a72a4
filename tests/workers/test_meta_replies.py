"""Replies land on the fake Graph API in the citizen's thread exactly once (real rq SimpleWorker pipeline),
the Messenger window (24 hours, 7 days as human agent) holds, and Meta's refusals show on the ticket."""

from __future__ import annotations

import time

import pytest

from tests import factories as f
from tests.fakes.meta import CITIZENS, DAY, IG, PAGE, TOKEN, graph_error, meta  # noqa: F401  (fixture)
from tests.workers.pipeline import (
    as_if_the_commit_was_lost,
    automatic_ids,
    reply,
    run_delivery_again,
    tickets,
    work,
)
from webcare import platforms
from webcare.models import Message
from webcare.platforms.base import ReplyRequest
from webcare.platforms.errors import PermanentError
from webcare.platforms.meta_http import OUTSIDE_WINDOW


@pytest.fixture
def facebook(session, meta):  # noqa: F811
    f.seeded(session)
    return meta.channel(session, "facebook")


@pytest.fixture
def instagram(session, meta):  # noqa: F811
    f.seeded(session)
    return meta.channel(session, "instagram")


@pytest.fixture
def agent(session):
    user = f.user(session, "agent")
    session.commit()
    return user


def ticket_from(client, redis, session, meta, platform, channel, payload):  # noqa: F811
    assert meta.deliver(client, platform, channel.id, payload).status_code == 200
    work(redis)
    return tickets(session)[-1]


def ours(meta, session, target: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [c for c in meta.replies_to(target) if c["id"] not in automatic]


def our_messages(meta, session, user: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [m for m in meta.sent_to(user) if m["id"] not in automatic]


def test_public_reply_to_a_page_comment_lands_under_it_once(client, redis, session, meta, facebook, agent):  # noqa: F811
    post = meta.announce("Werkzaamheden aan de brug")
    payload = meta.comment("jan", post["id"], "Hoe lang is de brug dicht?")
    comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
    ticket = ticket_from(client, redis, session, meta, "facebook", facebook, payload)
    message = reply(session, ticket, agent, "De brug is tot vrijdag dicht.", "public")
    work(redis)

    [posted] = ours(meta, session, comment_id)
    assert posted["message"] == "De brug is tot vrijdag dicht."
    session.expire_all()
    sent = session.get(Message, message.id)
    assert (sent.delivery_state, sent.external_id) == ("sent", posted["id"])
    assert meta.seen(rf"/{comment_id}/comments", "POST")[-1].body == {"message": "De brug is tot vrijdag dicht."}


def test_a_retry_after_meta_accepted_finds_the_comment_instead_of_posting_twice(  # noqa: F811
        runtime, client, redis, session, meta, facebook, agent):  # noqa: F811
    post = meta.announce("Snoeiwerk")
    payload = meta.comment("piet", post["id"], "Wanneer wordt de boom gesnoeid?")
    comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
    ticket = ticket_from(client, redis, session, meta, "facebook", facebook, payload)
    message = reply(session, ticket, agent, "Volgende week dinsdag.", "public")
    work(redis)
    [posted] = ours(meta, session, comment_id)
    as_if_the_commit_was_lost(session, message.id)
    run_delivery_again(runtime, redis, message.id)
    assert len(ours(meta, session, comment_id)) == 1
    session.expire_all()
    assert session.get(Message, message.id).external_id == posted["id"]


def test_private_reply_to_a_messenger_dm_is_a_response_in_that_conversation(client, redis, session, meta, facebook,  # noqa: F811
                                                                            agent):
    ticket = ticket_from(client, redis, session, meta, "facebook", facebook, meta.dm("fatima", "Mijn pas is kwijt."))
    message = reply(session, ticket, agent, "U kunt een nieuwe pas aanvragen via de website.", "private")
    work(redis)
    [sent] = our_messages(meta, session, CITIZENS["fatima"][0])
    assert sent["message"] == "U kunt een nieuwe pas aanvragen via de website."
    body = meta.seen(rf"/{PAGE['id']}/messages", "POST")[-1].body
    assert body["recipient"] == {"id": CITIZENS["fatima"][0]} and body["messaging_type"] == "RESPONSE"
    session.expire_all()
    assert session.get(Message, message.id).external_id == sent["id"]


def test_private_reply_to_a_page_comment_uses_the_comment_id_once(client, redis, session, meta, facebook, agent):  # noqa: F811
    post = meta.announce("Parkeervergunningen")
    payload = meta.comment("jan", post["id"], "Mijn kenteken is AB-123-C, klopt mijn vergunning?")
    comment_id = payload["entry"][0]["changes"][0]["value"]["comment_id"]
    ticket = ticket_from(client, redis, session, meta, "facebook", facebook, payload)
    reply(session, ticket, agent, "We sturen u een bericht.", "private")
    work(redis)
    assert meta.private_replies[comment_id]["message_id"]
    body = meta.seen(rf"/{PAGE['id']}/messages", "POST")[-1].body
    assert body["recipient"] == {"comment_id": comment_id} and ours(meta, session, comment_id) == []


def test_the_messenger_window(meta):  # noqa: F811
    adapter = platforms.build_adapter("facebook", base_url=meta.base_url, credentials={
        "access_token": TOKEN, "page_id": PAGE["id"], "app_secret": "meta-app-secret"})
    cls = platforms.adapter_class("facebook")
    for days, tagged in ((0.5, False), (3, True)):
        meta.dm("piet", "Hallo?", at=time.time() - days * DAY)
        at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - days * DAY))
        assert cls.can_reply_privately("dm", {"last_inbound_at": at})
        request = ReplyRequest(text="Antwoord", visibility="private", in_reply_to=None, recipient=None,
                               idempotency_key="k", thread_key=f"dm:{CITIZENS['piet'][0]}",
                               context={"sender_id": CITIZENS["piet"][0], "last_inbound_at": at})
        adapter.send_reply(request)
        body = meta.seen("/messages", "POST")[-1].body
        assert (body.get("tag") == "HUMAN_AGENT") is tagged
        meta.messages.clear()
    old = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 8 * DAY))
    assert not cls.can_reply_privately("dm", {"last_inbound_at": old})
    with pytest.raises(PermanentError, match="7-day window"):
        adapter.send_reply(ReplyRequest(text="Te laat", visibility="private", in_reply_to=None, recipient=None,
                                        idempotency_key="k", thread_key="dm:1", context={"created_at": old}))


def test_meta_refusing_outside_the_window_shows_on_the_ticket(client, redis, session, meta, facebook, agent):  # noqa: F811
    ticket = ticket_from(client, redis, session, meta, "facebook", facebook, meta.dm("jan", "Hoi"))
    meta.fault("/messages", 400, graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278),
               method="POST")
    message = reply(session, ticket, agent, "Sorry voor de late reactie.", "private")
    work(redis)
    session.expire_all()
    failed = session.get(Message, message.id)
    assert (failed.delivery_state, failed.delivery_error) == ("failed", OUTSIDE_WINDOW)
    f.login(client, agent.email)
    assert "Human Agent" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def test_instagram_public_and_private_replies(client, redis, session, meta, instagram, agent):  # noqa: F811
    media = meta.ig_post("Markt op zaterdag")
    payload = meta.ig_comment("fatima", media["id"], "Is de markt ook bij regen?")
    comment_id = payload["entry"][0]["changes"][0]["value"]["id"]
    ticket = ticket_from(client, redis, session, meta, "instagram", instagram, payload)
    reply(session, ticket, agent, "Ja, de markt gaat altijd door.", "public")
    work(redis)
    [posted] = ours(meta, session, comment_id)
    assert posted["text"] == "Ja, de markt gaat altijd door."

    dm = ticket_from(client, redis, session, meta, "instagram", instagram,
                     meta.dm("piet", "Waar haal ik een parkeerkaart?", platform="instagram"))
    reply(session, dm, agent, "Bij het stadskantoor.", "private")
    work(redis)
    [sent] = our_messages(meta, session, CITIZENS["piet"][0])
    assert sent["message"] == "Bij het stadskantoor." and sent["from"]["id"] == IG["id"]


def test_a_public_reply_in_a_messenger_conversation_is_refused_before_meta_is_asked(meta):  # noqa: F811
    adapter = platforms.build_adapter("facebook", base_url=meta.base_url, credentials={
        "access_token": TOKEN, "page_id": PAGE["id"], "app_secret": "meta-app-secret"})
    request = ReplyRequest(text="Hallo", visibility="public", in_reply_to="m_1", recipient=None, idempotency_key="k",
                           thread_key="dm:6123456789012345")
    with pytest.raises(PermanentError, match="only be answered privately"):
        adapter.send_reply(request)
    assert meta.seen("/comments", "POST") == []


def test_capabilities_for_the_reply_composer():
    assert platforms.capabilities("facebook").max_reply_length == 8000
    assert platforms.capabilities("instagram").max_reply_length == 2200
    cls = platforms.adapter_class("instagram")
    assert not cls.can_reply_privately("mention", {"mention": True, "media_id": "1"})
    assert cls.can_reply_privately("comment", {"comment_id": "1", "created_at": None})
    old = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 8 * DAY))
    assert not cls.can_reply_privately("comment", {"comment_id": "1", "created_at": old})
    assert platforms.adapter_class("facebook").can_reply_privately("mention", {"post_id": "1_2"})


def test_a_retried_messenger_reply_is_found_in_the_conversation(runtime, client, redis, session, meta,  # noqa: F811
                                                                facebook, agent):
    ticket = ticket_from(client, redis, session, meta, "facebook", facebook, meta.dm("jan", "Is de bieb open?"))
    message = reply(session, ticket, agent, "Ja, tot 17.00 uur.", "private")
    work(redis)
    [sent] = our_messages(meta, session, CITIZENS["jan"][0])
    as_if_the_commit_was_lost(session, message.id)
    run_delivery_again(runtime, redis, message.id)
    assert len(our_messages(meta, session, CITIZENS["jan"][0])) == 1
    session.expire_all()
    assert session.get(Message, message.id).external_id == sent["id"]
    assert meta.seen(rf"/{PAGE['id']}/conversations")[-1].args["user_id"] == CITIZENS["jan"][0]


def test_an_instagram_mention_is_answered_on_the_mentions_edge(meta):  # noqa: F811
    adapter = platforms.build_adapter("instagram", base_url=meta.base_url, credentials={
        "access_token": TOKEN, "page_id": PAGE["id"], "ig_user_id": IG["id"], "app_secret": "meta-app-secret"})
    context = {"media_id": "1790001", "comment_id": "1790002", "mention": True}
    sent = adapter.send_reply(ReplyRequest(text="Dank voor de vermelding!", visibility="public", in_reply_to="1790002",
                                           recipient=None, idempotency_key="k", thread_key="media:1790001:mention:1790002",
                                           context=context))
    assert meta.seen(rf"/{IG['id']}/mentions", "POST")[-1].body == {
        "media_id": "1790001", "comment_id": "1790002", "message": "Dank voor de vermelding!"}
    assert sent.external_id and meta.comments[sent.external_id]["reply_to"] == "1790002"
