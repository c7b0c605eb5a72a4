"""Replies land on the fake Bluesky in the citizen's thread exactly once, also when a job is repeated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.fakes.bluesky import CITIZENS, MUNICIPALITY, bluesky  # noqa: F401  (fixture)
from tests.workers.pipeline import (
    as_if_the_commit_was_lost,
    automatic_ids,
    poll_now,
    reply,
    run_delivery_again,
    tickets,
    work,
)
from webcare import platforms
from webcare.models import Message, TicketEvent
from webcare.platforms.base import ReplyRequest
from webcare.platforms.bluesky import CHAT_REFUSED


@pytest.fixture
def channel(session, bluesky):  # noqa: F811
    f.seeded(session)
    return bluesky.channel(session)


@pytest.fixture
def agent(session):
    user = f.user(session, "agent")
    session.commit()
    return user


def ticket_from(runtime, redis, session, channel, make):
    item = make()
    poll_now(runtime, redis, channel.id)
    return tickets(session)[-1], item


def ours(bluesky, session, uri: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [r for r in bluesky.replies_to(uri) if r["uri"] not in automatic]


def our_chats(bluesky, session, name: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [m for m in bluesky.chats_to(name) if m["id"] not in automatic]


def test_public_reply_is_a_post_in_the_thread_with_root_parent_and_mention(runtime, redis, session, bluesky,  # noqa: F811
                                                                            channel, agent):
    first = bluesky.post("jan", "De lantaarnpaal bij de school is kapot.")
    ticket, second = ticket_from(runtime, redis, session, channel,
                                 lambda: bluesky.post("jan", "Nog steeds kapot!", reply_to=first["uri"]))
    message = reply(session, ticket, agent, "Dank voor uw melding, we geven het door.", "public")
    work(redis)

    [posted] = ours(bluesky, session, second["uri"])
    record = posted["value"]
    refs = {key: (ref["uri"], ref["cid"]) for key, ref in record["reply"].items() if key != "$type"}
    assert refs == {"root": (first["uri"], first["cid"]), "parent": (second["uri"], second["cid"])}
    assert record["text"] == "@jan.bsky.social Dank voor uw melding, we geven het door."
    [facet] = record["facets"]
    assert (facet["index"]["byteStart"], facet["index"]["byteEnd"]) == (0, len("@jan.bsky.social"))
    assert [(f["$type"], f["did"]) for f in facet["features"]] == [("app.bsky.richtext.facet#mention", CITIZENS["jan"])]
    session.expire_all()
    sent = session.get(Message, message.id)
    assert (sent.delivery_state, sent.external_id) == ("sent", posted["uri"])
    assert sent.url == f"https://bsky.app/profile/{MUNICIPALITY['handle']}/post/{posted['uri'].rsplit('/', 1)[1]}"


def test_private_reply_to_a_chat_is_a_message_in_that_conversation(runtime, redis, session, bluesky, channel,  # noqa: F811
                                                                   agent):
    ticket, _ = ticket_from(runtime, redis, session, channel,
                            lambda: bluesky.chat("fatima", "Wanneer komt de grofvuilwagen?"))
    message = reply(session, ticket, agent, "De grofvuilwagen komt donderdag.", "private")
    work(redis)
    [sent_chat] = our_chats(bluesky, session, "fatima")
    assert sent_chat["text"] == "De grofvuilwagen komt donderdag."
    session.expire_all()
    assert session.get(Message, message.id).external_id == sent_chat["id"]


def test_private_reply_to_a_mention_starts_a_chat_when_the_citizen_allows_it(runtime, redis, session, bluesky,  # noqa: F811
                                                                             channel, agent):
    ticket, _ = ticket_from(runtime, redis, session, channel, lambda: bluesky.post("piet", "Mijn paspoort is verlopen."))
    reply(session, ticket, agent, "Stuur ons uw postcode in een chat.", "private")
    work(redis)
    assert [m["text"] for m in our_chats(bluesky, session, "piet")] == ["Stuur ons uw postcode in een chat."]


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_a_retry_after_bluesky_accepted_the_reply_does_not_post_twice(runtime, redis, session, bluesky, channel,  # noqa: F811
                                                                      agent, visibility):
    ticket, post = ticket_from(runtime, redis, session, channel, lambda: bluesky.post("jan", "Hondenpoep overal!"))
    message = reply(session, ticket, agent, "We sturen een handhaver langs.", visibility)
    work(redis)
    mine = (lambda: ours(bluesky, session, post["uri"])) if visibility == "public" \
        else (lambda: our_chats(bluesky, session, "jan"))
    [posted] = mine()

    as_if_the_commit_was_lost(session, message.id)
    run_delivery_again(runtime, redis, message.id)

    assert len(mine()) == 1
    session.expire_all()
    again = session.get(Message, message.id)
    assert again.delivery_state == "sent" and again.external_id == posted.get("uri", posted.get("id"))
    assert session.scalars(select(TicketEvent.type).where(TicketEvent.type == "reply_sent",
                                                          TicketEvent.ticket_id == ticket.id)).all() == ["reply_sent"]


def test_the_record_key_alone_prevents_a_second_post(runtime, redis, session, bluesky, channel, agent):  # noqa: F811
    """The look-up misses (an index lagging behind), so the post is created again with the same record key:
    the PDS refuses the existing key and the adapter then finds the record: still one post."""
    ticket, post = ticket_from(runtime, redis, session, channel, lambda: bluesky.post("jan", "Drijfvuil in de gracht."))
    message = reply(session, ticket, agent, "We halen het weg.", "public")
    work(redis)
    session.expire_all()
    sent = session.get(Message, message.id)
    adapter = platforms.build_adapter("bluesky", base_url=bluesky.base_url,
                                      credentials={"identifier": MUNICIPALITY["handle"],
                                                   "app_password": bluesky.app_password})
    request = ReplyRequest(text=sent.text, visibility="public", in_reply_to=post["uri"], recipient=None,
                           idempotency_key=sent.idempotency_key, written_at=sent.received_at,
                           context=next(m for m in ticket.messages if m.direction == "in").raw)
    bluesky.fault("getRecord", 400, {"error": "RecordNotFound", "message": "Could not locate record"})
    creates = len(bluesky.seen("createRecord"))

    again = adapter.send_reply(request)

    assert len(bluesky.seen("createRecord")) == creates + 1  # it did try, and was refused
    assert again.external_id == sent.external_id and len(ours(bluesky, session, post["uri"])) == 1


def test_a_chat_the_citizen_does_not_allow_is_refused_clearly(runtime, redis, session, bluesky, channel, agent):  # noqa: F811
    bluesky.accounts[CITIZENS["piet"]]["allowIncoming"] = "following"  # and piet does not follow us
    ticket, _ = ticket_from(runtime, redis, session, channel, lambda: bluesky.post("piet", "Mijn rijbewijs is weg."))
    context = next(m for m in ticket.messages if m.direction == "in").raw
    assert platforms.adapter_class("bluesky").can_reply_privately("mention", context) is False
    message = reply(session, ticket, agent, "Bel ons op 14 020.", "private")
    work(redis)
    session.expire_all()
    failed = session.get(Message, message.id)
    assert (failed.delivery_state, failed.delivery_error) == ("failed", CHAT_REFUSED)
    assert our_chats(bluesky, session, "piet") == []


def test_capabilities_for_the_reply_composer():
    cls = platforms.adapter_class("bluesky")
    assert platforms.capabilities("bluesky").max_reply_length == 300
    assert cls.can_reply_privately("dm", {})
    assert cls.can_reply_privately("mention", {"allow_incoming": "all"})
    assert cls.can_reply_privately("mention", {"allow_incoming": "following", "followed_by": True})
    assert not cls.can_reply_privately("mention", {"allow_incoming": "none", "followed_by": True})
    assert not cls.can_reply_privately("mention", {})  # no declaration: the app's default, "following"
