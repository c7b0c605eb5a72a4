"""LinkedIn -> tickets -> comments, end to end: the fake Community Management API as a real HTTP server,
the real poll, ingest and reply jobs (rq SimpleWorker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.fakes.linkedin import CLIENT_ID, CLIENT_SECRET, MEMBERS, ORG, REFRESH, TOKEN, linkedin  # noqa: F401
from tests.workers.pipeline import (
    as_if_the_commit_was_lost,
    assert_poll_retried_by_rq,
    automatic_ids,
    citizen_messages,
    count,
    inbound,
    poll_now,
    reload,
    reply,
    run_delivery_again,
    tickets,
    work,
)
from webcare.models import Channel, Contact, Message, Ticket
from webcare.services import channels, polling


@pytest.fixture
def channel(session, linkedin):  # noqa: F811
    f.seeded(session)
    return linkedin.channel(session)


@pytest.fixture
def agent(session):
    user = f.user(session, "agent")
    session.commit()
    return user


def ours(linkedin, session, target: str) -> list[dict]:  # noqa: F811
    automatic = automatic_ids(session)
    return [c for c in linkedin.ours_under(target) if c["commentUrn"] not in automatic]


@pytest.mark.parametrize("source", ["notifications", "posts"])
def test_a_comment_on_the_pages_post_becomes_one_ticket(runtime, redis, session, linkedin, channel, source):  # noqa: F811
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"source": source}}
    post = linkedin.announce("Vanaf maandag is de Dorpsstraat afgesloten.")
    comment = linkedin.comment("jan", post, "De lantaarnpaal in de Dorpsstraat is al een week kapot.")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    [message] = citizen_messages(ticket)
    assert (ticket.kind, ticket.visibility) == ("comment", "public")
    assert ticket.thread_key == f"post:{post['id']}|{MEMBERS['jan']}"
    assert message.external_id == comment["commentUrn"] and message.text.startswith("De lantaarnpaal")
    assert message.url == f"https://www.linkedin.com/feed/update/{post['id']}/?commentUrn={comment['commentUrn']}"
    assert ticket.contact.platform_user_id == MEMBERS["jan"]
    seen = linkedin.seen("/comments$", "GET")[0]
    assert seen.headers["X-Restli-Protocol-Version"] == "2.0.0" and seen.headers["Linkedin-Version"]


def test_a_post_mentioning_the_page_is_a_mention_ticket(runtime, redis, session, linkedin, channel):  # noqa: F811
    post = linkedin.member_post("fatima", "Wanneer wordt het grofvuil opgehaald in Noord?")
    poll_now(runtime, redis, channel.id)
    [ticket] = tickets(session)
    assert (ticket.kind, ticket.thread_key) == ("mention", f"post:{post['id']}")
    assert citizen_messages(ticket)[0].text == "@Gemeente Voorbeeldstad Wanneer wordt het grofvuil opgehaald in Noord?"


def test_a_duplicate_fetch_changes_nothing_and_replies_join_their_ticket(runtime, redis, session, linkedin,  # noqa: F811
                                                                         channel):
    post = linkedin.announce("Informatieavond over de nieuwe wijk.")
    first = linkedin.comment("jan", post, "Waar is die avond?")
    linkedin.comment("piet", post, "Komt er ook een livestream?")
    poll_now(runtime, redis, channel.id)
    with runtime.transaction() as s:  # forget the cursor: the notifications come again
        s.get(Channel, channel.id).cursor = {}
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 2 and count(session, Ticket) == 2 and count(session, Contact) == 2

    linkedin.comment("jan", post, "En hoe laat begint het?", parent=first)  # a reply under his own comment
    poll_now(runtime, redis, channel.id)
    jan = next(t for t in tickets(session) if t.contact.platform_user_id == MEMBERS["jan"])
    assert inbound(session) == 3 and len(citizen_messages(jan)) == 2


def test_a_public_reply_is_a_comment_under_the_citizens_comment_exactly_once(runtime, redis, session, linkedin,  # noqa: F811
                                                                            channel, agent):
    post = linkedin.announce("De gemeente zoekt vrijwilligers.")
    comment = linkedin.comment("jan", post, "Hoe meld ik me aan?")
    poll_now(runtime, redis, channel.id)
    [ticket] = tickets(session)
    message = reply(session, ticket, agent, "Via voorbeeldstad.nl/vrijwilligers, dank voor uw interesse!", "public")
    work(redis)

    [posted] = ours(linkedin, session, comment["commentUrn"])
    assert posted["message"]["text"] == "Via voorbeeldstad.nl/vrijwilligers, dank voor uw interesse!"
    session.expire_all()
    sent = session.get(Message, message.id)
    assert (sent.delivery_state, sent.external_id) == ("sent", posted["commentUrn"])
    body = linkedin.seen("/comments$", "POST")[-1].body
    assert body["actor"] == ORG and body["object"] == post["id"] and body["parentComment"] == comment["commentUrn"]

    as_if_the_commit_was_lost(session, message.id)  # LinkedIn took it, the worker died before recording it
    run_delivery_again(runtime, redis, message.id)
    assert len(ours(linkedin, session, comment["commentUrn"])) == 1
    session.expire_all()
    assert session.get(Message, message.id).external_id == posted["commentUrn"]

    poll_now(runtime, redis, channel.id)  # our own comment is not a citizen's message
    assert inbound(session) == 1


def test_an_answer_to_a_reply_goes_under_its_top_comment(runtime, redis, session, linkedin, channel, agent):  # noqa: F811
    post = linkedin.announce("Nieuwe afvalkalender.")
    top = linkedin.comment("piet", post, "Klopt de datum voor papier?")
    poll_now(runtime, redis, channel.id)
    linkedin.comment("fatima", post, "Bij mij staat iets anders.", parent=top)
    poll_now(runtime, redis, channel.id)
    fatima = next(t for t in tickets(session) if t.contact.platform_user_id == MEMBERS["fatima"])
    reply(session, fatima, agent, "Dank u, we zoeken het uit.", "public")
    work(redis)
    assert [c["message"]["text"] for c in ours(linkedin, session, top["commentUrn"])] == ["Dank u, we zoeken het uit."]


def test_a_daily_quota_429_waits_until_midnight_utc(runtime, redis, session, linkedin, channel):  # noqa: F811
    linkedin.rate_limited("/rest/organizationalEntityNotifications")
    poll_now(runtime, redis, channel.id)
    waiting = reload(runtime, channel.id)
    midnight = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
    assert waiting.rate_limited_until == midnight
    assert "APPLICATION DAY limit" in waiting.last_error and "429" in waiting.last_error
    assert polling.sweep(runtime) == []


def test_an_outage_is_retried_with_back_off(runtime, redis, session, linkedin, channel):  # noqa: F811
    post = linkedin.announce("Werkzaamheden aan de brug.")
    linkedin.comment("jan", post, "Hoe lang gaat dat duren?")
    linkedin.outage("/comments$", method="GET")
    polling.sweep(runtime)
    work(redis)
    assert "504" in reload(runtime, channel.id).last_error
    assert count(session, Ticket) == 0
    assert_poll_retried_by_rq(runtime, redis, channel.id)
    work(redis)
    assert count(session, Ticket) == 1


def test_a_revoked_token_needs_reauthorisation_and_a_refresh_token_renews_it(runtime, redis, session, linkedin,  # noqa: F811
                                                                               channel):
    linkedin.revoke_tokens()
    poll_now(runtime, redis, channel.id)
    assert reload(runtime, channel.id).needs_reauth and "401" in reload(runtime, channel.id).last_error

    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token=TOKEN, extra={
            "refresh_token": REFRESH, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    post = linkedin.announce("Kermis op het plein.")
    linkedin.comment("jan", post, "Is er ook een rommelmarkt?")
    poll_now(runtime, redis, channel.id)
    assert count(session, Ticket) == 1 and not reload(runtime, channel.id).needs_reauth
    stored = runtime.secrets.decrypt_json(reload(runtime, channel.id).credentials_encrypted)
    assert stored["access_token"] != TOKEN and stored["organization"] == ORG and stored["expires_at"]


def test_a_sunset_api_version_says_which_option_to_change(runtime, redis, session, linkedin, channel):  # noqa: F811
    linkedin.sunset_versions.add("202611")
    poll_now(runtime, redis, channel.id)
    assert "api_version" in reload(runtime, channel.id).last_error


def test_the_composer_refuses_a_private_reply_clearly(session, linkedin, channel, agent):  # noqa: F811
    from webcare.errors import ValidationFailed
    from webcare.services import compose

    ticket = f.ticket(session, session.get(Channel, channel.id), department_code="KCC")
    with pytest.raises(ValidationFailed) as refused:
        compose.send_reply(session, ticket, agent, "Stuur ons een bericht", "private")
    assert "LinkedIn has no private messages" in refused.value.message
    rules = compose.rules_for(ticket)
    assert (rules.limit, rules.private_allowed) == (1250, False)
    assert session.scalars(select(Message).where(Message.direction == "out")).all() == []


def test_an_idle_poll_costs_one_call_of_the_daily_quota(linkedin):  # noqa: F811
    from webcare import platforms

    adapter = platforms.build_adapter("linkedin", base_url=linkedin.base_url,
                                      credentials={"access_token": TOKEN, "organization": ORG})
    post = linkedin.announce("Afvalkalender 2027 staat online.")
    linkedin.comment("jan", post, "Waar vind ik die?")
    first = adapter.fetch({})
    assert [m.kind for m in first.messages] == ["comment"] and len(linkedin.requests) == 2
    adapter.fetch(first.cursor)
    assert len(linkedin.requests) == 4  # the overlap re-reads the post with the recent comment (ingest drops it)
    later = {**first.cursor, "since_ms": first.cursor["since_ms"] + 10 * 60_000}
    adapter.fetch(later)
    assert len(linkedin.requests) == 5  # nothing new: only the notification call
