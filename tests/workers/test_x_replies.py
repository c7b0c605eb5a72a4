"""Replies land on the fake X in the citizen's thread exactly once, and X's refusals show on the ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.fakes.x import MUNICIPALITY, NOT_SUMMONED, TOKEN, problem, x  # noqa: F401  (fixture)
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
from webcare.models import Message, Notification, TicketEvent
from webcare.platforms.base import ReplyRequest
from webcare.platforms.errors import PermanentError
from webcare.platforms.x_http import DM_REFUSED, ReplyNotSummoned
from webcare.platforms.x_http import NOT_SUMMONED as OUR_MESSAGE


@pytest.fixture
def channel(session, x):  # noqa: F811
    f.seeded(session)
    record = x.channel(session)
    record.settings = {"adapter": {"dm_poll_seconds": 0}}
    session.commit()
    return record


@pytest.fixture
def agent(session):
    user = f.user(session, "agent")
    session.commit()
    return user


def ticket_from(runtime, redis, session, channel, make):
    item = make()
    poll_now(runtime, redis, channel.id)
    return tickets(session)[-1], item


def ours(x, session, post_id: str) -> list[dict]:  # noqa: F811
    """Our posts in reply to the citizen's, without the automatic acknowledgement routing sent."""
    automatic = automatic_ids(session)
    return [p for p in x.replies_to(post_id) if p["id"] not in automatic]


def our_dms(x, session, name: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [e for e in x.dms_to(name) if e["id"] not in automatic]


def test_public_reply_lands_in_the_thread_once(runtime, redis, session, x, channel, agent):  # noqa: F811
    ticket, post = ticket_from(runtime, redis, session, channel,
                               lambda: x.post("jan", "De lantaarnpaal bij de school is kapot."))
    message = reply(session, ticket, agent, "Dank voor uw melding, we geven het door.", "public")
    work(redis)

    [posted] = ours(x, session, post["id"])
    assert posted["conversation_id"] == post["conversation_id"] and posted["in_reply_to_user_id"] == "1456789012"
    session.expire_all()
    sent = session.get(Message, message.id)
    assert (sent.delivery_state, sent.external_id, sent.delivery_attempts) == ("sent", posted["id"], 1)
    assert sent.url == f"https://x.com/i/web/status/{posted['id']}"
    assert len(x.seen("/2/users/me")) == 1  # the poll's account check; none per reply
    body = x.seen("/2/tweets", "POST")[-1].body
    assert body == {"text": "Dank voor uw melding, we geven het door.", "reply": {"in_reply_to_tweet_id": post["id"]}}


def test_private_reply_to_a_dm_is_a_dm_in_that_conversation(runtime, redis, session, x, channel, agent):  # noqa: F811
    ticket, _ = ticket_from(runtime, redis, session, channel,
                            lambda: x.dm("fatima", "Mijn adres is Lindelaan 4, wanneer komt de grofvuilwagen?"))
    message = reply(session, ticket, agent, "De grofvuilwagen komt donderdag bij u langs.", "private")
    work(redis)
    [sent_dm] = our_dms(x, session, "fatima")
    assert sent_dm["text"] == "De grofvuilwagen komt donderdag bij u langs."
    session.expire_all()
    assert session.get(Message, message.id).external_id == sent_dm["id"]


def test_private_reply_in_a_group_dm_goes_to_that_group_conversation(runtime, redis, session, x, channel, agent):  # noqa: F811
    """A group DM (numeric id) is answered in that conversation, not in a new 1:1 one with the sender
    (where the citizen's answer would become another ticket)."""
    ticket, event = ticket_from(runtime, redis, session, channel,
                                lambda: x.group_dm(["jan", "fatima"], "Wij wonen samen op Lindelaan 4: wanneer komt de wagen?"))
    assert ticket.thread_key == f"dm:{event['dm_conversation_id']}"
    message = reply(session, ticket, agent, "De wagen komt donderdag.", "private")
    work(redis)
    sent = [e for e in x.dm_events if e["sender_id"] == MUNICIPALITY["id"] and e["text"] == "De wagen komt donderdag."]
    assert [e["dm_conversation_id"] for e in sent] == [event["dm_conversation_id"]]
    session.expire_all()
    assert session.get(Message, message.id).external_id == sent[0]["id"]


def test_private_reply_to_a_public_mention_is_a_dm_to_its_author(runtime, redis, session, x, channel, agent):  # noqa: F811
    ticket, _ = ticket_from(runtime, redis, session, channel, lambda: x.post("piet", "Mijn paspoort is verlopen."))
    reply(session, ticket, agent, "Stuur ons uw postcode via een privébericht.", "private")
    work(redis)
    assert [e["text"] for e in our_dms(x, session, "piet")] == ["Stuur ons uw postcode via een privébericht."]


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_a_retry_after_x_accepted_the_reply_does_not_post_twice(runtime, redis, session, x, channel, agent,  # noqa: F811
                                                                visibility):
    ticket, post = ticket_from(runtime, redis, session, channel, lambda: x.post("jan", "Hondenpoep overal!"))
    message = reply(session, ticket, agent, "We sturen een handhaver langs.", visibility)
    work(redis)
    mine = (lambda: ours(x, session, post["id"])) if visibility == "public" else (lambda: our_dms(x, session, "jan"))
    [posted] = mine()

    as_if_the_commit_was_lost(session, message.id)
    run_delivery_again(runtime, redis, message.id)

    assert len(mine()) == 1
    session.expire_all()
    again = session.get(Message, message.id)
    assert (again.delivery_state, again.external_id) == ("sent", posted["id"])
    assert session.scalars(select(TicketEvent.type).where(TicketEvent.type == "reply_sent",
                                                          TicketEvent.ticket_id == ticket.id)).all() == ["reply_sent"]


def test_a_reply_x_refuses_because_we_were_not_summoned_shows_on_the_ticket(runtime, redis, session, x, channel,  # noqa: F811
                                                                            agent):
    ticket, post = ticket_from(runtime, redis, session, channel, lambda: x.post("jan", "Graffiti op de brug."))
    x.fault("/2/tweets", 403, problem(403, "Forbidden", NOT_SUMMONED), method="POST")
    message = reply(session, ticket, agent, "We verwijderen de graffiti deze week.", "public")
    work(redis)

    session.expire_all()
    failed = session.get(Message, message.id)
    assert (failed.delivery_state, failed.delivery_error) == ("failed", OUR_MESSAGE)
    assert "did not" in OUR_MESSAGE and "direct message" in OUR_MESSAGE
    event = session.scalars(select(TicketEvent).where(TicketEvent.type == "reply_failed")).one()
    assert event.data["permanent"] is True and event.data["error"] == OUR_MESSAGE
    [note] = session.scalars(select(Notification).where(Notification.user_id == agent.id)).all()
    assert note.kind == "delivery_failed" and OUR_MESSAGE in note.text
    assert not session.get(type(channel), channel.id).needs_reauth  # a refused reply is not a lost token
    assert ours(x, session, post["id"]) == []


def test_the_fake_enforces_the_summoned_rule_and_the_adapter_names_it(x):  # noqa: F811
    adapter = platforms.build_adapter("x", base_url=x.base_url, credentials={"access_token": TOKEN})
    unsummoned = x.post("jan", "Wat een mooie dag in het park.", mention=False)
    request = ReplyRequest(text="Fijn!", visibility="public", in_reply_to=unsummoned["id"], recipient=None,
                           idempotency_key="k")
    with pytest.raises(ReplyNotSummoned) as refused:
        adapter.send_reply(request)
    assert str(refused.value) == OUR_MESSAGE
    summoned = x.post("jan", "Wat een mooie dag in het park.")
    assert adapter.send_reply(ReplyRequest(**{**request.__dict__, "in_reply_to": summoned["id"]})).external_id


def test_a_dm_to_a_citizen_who_does_not_accept_ours_is_refused_clearly(runtime, redis, session, x, channel, agent):  # noqa: F811
    x.users["1456789014"]["receives_your_dm"] = False
    ticket, _ = ticket_from(runtime, redis, session, channel, lambda: x.post("piet", "Mijn rijbewijs is gestolen."))
    context = next(m for m in ticket.messages if m.direction == "in").raw
    assert platforms.adapter_class("x").can_reply_privately("mention", context) is False
    message = reply(session, ticket, agent, "Neem contact op via 14 020.", "private")
    work(redis)
    session.expire_all()
    assert session.get(Message, message.id).delivery_error == DM_REFUSED


def test_capabilities_for_the_reply_composer():
    assert platforms.capabilities("x").max_reply_length == 280
    cls = platforms.adapter_class("x")
    assert cls.can_reply_privately("dm", {}) and cls.can_reply_privately("mention", {"receives_your_dm": True})


def test_the_refusal_reads_as_dutch_on_the_ticket_page(runtime, redis, session, x, channel, agent, client):  # noqa: F811
    ticket, _ = ticket_from(runtime, redis, session, channel, lambda: x.post("jan", "Graffiti op de brug."))
    x.fault("/2/tweets", 403, problem(403, "Forbidden", NOT_SUMMONED), method="POST")
    reply(session, ticket, agent, "We verwijderen de graffiti deze week.", "public")
    work(redis)
    f.login(client, agent.email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "X weigert dit openbare antwoord" in page and "privébericht" in page


def test_a_public_reply_in_a_dm_conversation_is_refused_before_x_is_asked(x):  # noqa: F811
    adapter = platforms.build_adapter("x", base_url=x.base_url, credentials={"access_token": TOKEN})
    request = ReplyRequest(text="Hallo", visibility="public", in_reply_to="1", recipient=None, idempotency_key="k",
                           thread_key="dm:987654321-1456789012")
    with pytest.raises(PermanentError, match="only be answered privately"):
        adapter.send_reply(request)
    assert x.seen("/2/tweets", "POST") == []
