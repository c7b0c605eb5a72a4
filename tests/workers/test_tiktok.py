"""TikTok -> tickets -> comment replies, end to end: the fake API for Business as a real HTTP server,
the real poll, ingest and reply jobs (rq SimpleWorker)."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.fakes.tiktok import APP_ID, APP_SECRET, BUSINESS_ID, CITIZENS, REFRESH, TOKEN, tiktok  # noqa: F401
from tests.workers.pipeline import (
    as_if_the_commit_was_lost,
    assert_poll_retried_by_rq,
    automatic_ids,
    citizen_messages,
    count,
    events,
    inbound,
    poll_now,
    reload,
    reply,
    run_delivery_again,
    tickets,
    work,
)
from webcare import platforms
from webcare.db import utcnow
from webcare.errors import ValidationFailed
from webcare.models import Channel, Contact, Message, Ticket
from webcare.services import channels, compose, polling, routing


@pytest.fixture
def channel(session, tiktok):  # noqa: F811
    f.seeded(session)
    return tiktok.channel(session)


@pytest.fixture
def agent(session):
    user = f.user(session, "agent")
    session.commit()
    return user


def ours(tiktok, session, comment_id: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [c for c in tiktok.ours_under(comment_id) if c["comment_id"] not in automatic]


def test_a_comment_on_a_video_becomes_one_ticket(runtime, redis, session, tiktok, channel):  # noqa: F811
    video = tiktok.video("Zo scheid je je afval in Voorbeeldstad")
    comment = tiktok.comment("jan", video, "Waar laat ik frituurvet?")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    [message] = citizen_messages(ticket)
    assert (ticket.kind, ticket.visibility) == ("comment", "public")
    assert ticket.thread_key == f"video:{video['item_id']}:{CITIZENS['jan']}"
    assert message.external_id == comment["comment_id"] and message.url == video["share_url"]
    assert ticket.contact.handle == "@jan" and ticket.contact.platform_user_id == CITIZENS["jan"]
    assert tiktok.seen("/business/comment/list/")[0].headers["Access-Token"] == TOKEN


def test_a_duplicate_fetch_changes_nothing_and_unchanged_videos_are_not_read(runtime, redis, session, tiktok,  # noqa: F811
                                                                             channel):
    video = tiktok.video("Nieuwe speeltuin geopend")
    first = tiktok.comment("jan", video, "Is die ook toegankelijk voor rolstoelen?")
    tiktok.comment("fatima", video, "Wat leuk!")
    poll_now(runtime, redis, channel.id)
    poll_now(runtime, redis, channel.id)  # nothing new: the comment count did not change
    assert len(tiktok.seen("/business/comment/list/")) == 1
    with runtime.transaction() as s:  # forget the cursor: TikTok delivers everything again
        s.get(Channel, channel.id).cursor = {}
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 2 and count(session, Ticket) == 2 and count(session, Contact) == 2

    tiktok.comment("jan", video, "En is er schaduw?", parent=first)
    poll_now(runtime, redis, channel.id)
    jan = next(t for t in tickets(session) if t.contact.platform_user_id == CITIZENS["jan"])
    assert inbound(session) == 3 and len(citizen_messages(jan)) == 2


def test_a_public_reply_lands_under_the_comment_exactly_once(runtime, redis, session, tiktok, channel, agent):  # noqa: F811
    video = tiktok.video("Werkzaamheden Stationsplein")
    comment = tiktok.comment("piet", video, "Hoe lang duurt dit nog?")
    poll_now(runtime, redis, channel.id)
    [ticket] = tickets(session)
    message = reply(session, ticket, agent, "Tot eind maart, dank voor uw geduld!", "public")
    work(redis)

    [posted] = ours(tiktok, session, comment["comment_id"])
    session.expire_all()
    assert session.get(Message, message.id).external_id == posted["comment_id"]
    body = tiktok.seen("/business/comment/reply/create/", "POST")[-1].body
    assert body == {"business_id": BUSINESS_ID, "video_id": video["item_id"], "comment_id": comment["comment_id"],
                    "text": "Tot eind maart, dank voor uw geduld!"}

    as_if_the_commit_was_lost(session, message.id)
    run_delivery_again(runtime, redis, message.id)
    assert len(ours(tiktok, session, comment["comment_id"])) == 1
    session.expire_all()
    assert session.get(Message, message.id).external_id == posted["comment_id"]
    poll_now(runtime, redis, channel.id)  # our reply is not a citizen's comment
    assert inbound(session) == 1


def test_an_answer_to_a_reply_goes_under_its_top_comment(runtime, redis, session, tiktok, channel, agent):  # noqa: F811
    video = tiktok.video("Koningsdag programma")
    top = tiktok.comment("jan", video, "Is er een vrijmarkt?")
    tiktok.comment("fatima", video, "Ja toch? Waar dan?", parent=top)
    poll_now(runtime, redis, channel.id)
    fatima = next(t for t in tickets(session) if t.contact.platform_user_id == CITIZENS["fatima"])
    reply(session, fatima, agent, "Op het Marktplein, vanaf 6 uur.", "public")
    work(redis)
    assert [c["text"] for c in ours(tiktok, session, top["comment_id"])] == ["Op het Marktplein, vanaf 6 uur."]


def test_rate_limit_code_makes_the_channel_wait(runtime, redis, session, tiktok, channel):  # noqa: F811
    tiktok.rate_limited("/business/video/list/")
    poll_now(runtime, redis, channel.id)
    waiting = reload(runtime, channel.id)
    assert waiting.rate_limited_until > utcnow() and "40100" in waiting.last_error
    assert polling.sweep(runtime) == []


def test_an_internal_error_is_retried_with_back_off(runtime, redis, session, tiktok, channel):  # noqa: F811
    video = tiktok.video("Brandweer open dag")
    tiktok.comment("jan", video, "Mogen kinderen in de wagen?")
    tiktok.outage("/business/comment/list/")
    polling.sweep(runtime)
    work(redis)
    assert "50000" in reload(runtime, channel.id).last_error
    assert count(session, Ticket) == 0
    assert_poll_retried_by_rq(runtime, redis, channel.id)
    work(redis)
    assert count(session, Ticket) == 1


def test_an_invalid_token_needs_reauthorisation_unless_it_can_be_renewed(runtime, redis, session, tiktok,  # noqa: F811
                                                                         channel):
    tiktok.expire_tokens()
    poll_now(runtime, redis, channel.id)
    broken = reload(runtime, channel.id)
    assert broken.needs_reauth and "40105" in broken.last_error

    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token=TOKEN, extra={
            "refresh_token": REFRESH, "client_id": APP_ID, "client_secret": APP_SECRET})
    tiktok.video("Nieuwe bibliotheek")
    poll_now(runtime, redis, channel.id)
    assert not reload(runtime, channel.id).needs_reauth
    stored = runtime.secrets.decrypt_json(reload(runtime, channel.id).credentials_encrypted)
    assert stored["access_token"] != TOKEN and stored["refresh_token"] != REFRESH
    assert stored["business_id"] == BUSINESS_ID and REFRESH not in tiktok.refresh_tokens


def test_the_composer_refuses_a_private_reply_and_knows_the_150_limit(session, tiktok, channel, agent):  # noqa: F811
    ticket = f.ticket(session, session.get(Channel, channel.id), department_code="KCC")
    with pytest.raises(ValidationFailed) as refused:
        compose.send_reply(session, ticket, agent, "Stuur ons een DM", "private")
    assert "not available to accounts registered in the EEA" in refused.value.message
    with pytest.raises(ValidationFailed):
        compose.send_reply(session, ticket, agent, "a" * 151, "public")
    assert platforms.capabilities("tiktok").max_reply_length == 150


def test_an_idle_poll_costs_one_call(tiktok):  # noqa: F811
    adapter = platforms.build_adapter("tiktok", base_url=tiktok.base_url,
                                      credentials={"access_token": TOKEN, "business_id": BUSINESS_ID})
    video = tiktok.video("Verkeersveiligheid rond scholen")
    tiktok.comment("jan", video, "Komt er een zebrapad?")
    first = adapter.fetch({})
    assert len(first.messages) == 1 and len(tiktok.requests) == 2
    adapter.fetch(first.cursor)
    assert len(tiktok.requests) == 3  # the video's comment count did not change: only the video list


def test_an_acknowledgement_longer_than_the_platform_takes_is_not_sent_but_shown(runtime, redis, session,  # noqa: F811
                                                                                  tiktok, channel):  # noqa: F811
    """Routing asks for an acknowledgement, but neither its promise nor the default text fits in a reply on this
    channel (TikTok takes 150 characters; here the channel is set to 100): the platform would refuse it, so it
    is not sent and the ticket waits for an agent; the ticket shows the acknowledgement not sent, and why."""
    text = "De ondergrondse container aan de Populierenweg zit al dagen vol."
    decision = routing.decide(session, routing.RouteInput(text=text, platform="tiktok", kind="comment"))
    promise = routing.acknowledgement(session, decision, "nl", False)
    assert decision.auto_ack and 100 < len(promise.text) <= 150
    assert not routing.acknowledgement(session, decision, "nl", False, room=100).fits
    channel.settings = {**(channel.settings or {}), "max_chars": 100}
    session.commit()
    video = tiktok.video("Nieuwe containers in de wijk")
    comment = tiktok.comment("jan", video, text)
    poll_now(runtime, redis, channel.id)
    work(redis)

    [ticket] = tickets(session)
    assert ticket.category.code == decision.category
    assert ticket.auto_ack_sent_at is None and ticket.promise_text is None
    [unsent] = [m for m in ticket.messages if m.direction == "out"]
    assert (unsent.delivery_state, unsent.skipped_because, unsent.text) == ("skipped", "too_long", promise.text)
    assert events(session, ticket.id)[-1] == "auto_ack_skipped" and "auto_ack_sent" not in events(session, ticket.id)
    assert tiktok.ours_under(comment["comment_id"]) == []
