"""Bluesky -> tickets, end to end: the fake PDS and chat service as a real HTTP server, the real jobs."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from rq.job import Job
from sqlalchemy import select

from tests import factories as f
from tests.fakes.bluesky import CHAT_PROXY, CITIZENS, MUNICIPALITY, bluesky  # noqa: F401  (fixture)
from tests.workers.pipeline import (
    assert_poll_retried_by_rq,
    citizen_messages,
    count,
    events,
    inbound,
    poll_now,
    reload,
    tickets,
    work,
)
from webcare.models import Channel, Contact, Message, Notification, Ticket
from webcare.services import channels, polling


@pytest.fixture
def channel(session, bluesky):  # noqa: F811
    f.seeded(session)
    return bluesky.channel(session)


def stored_credentials(runtime, channel_id: int) -> dict:
    return runtime.secrets.decrypt_json(reload(runtime, channel_id).credentials_encrypted)


def test_a_mention_becomes_one_ticket(runtime, redis, session, bluesky, channel):  # noqa: F811
    post = bluesky.post("jan", "De lantaarnpaal in de Dorpsstraat is al een week kapot.")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    [message] = citizen_messages(ticket)
    assert (ticket.kind, ticket.visibility, ticket.status) == ("mention", "public", "new")
    assert ticket.thread_key == f"post:{post['uri']}" and ticket.department.code == "OVL"
    assert message.external_id == post["uri"] and message.url.startswith("https://bsky.app/profile/jan.bsky.social/post/")
    assert ticket.contact.handle == "@jan.bsky.social" and ticket.contact.platform_user_id == CITIZENS["jan"]
    assert message.raw["root"] == message.raw["parent"] == {"uri": post["uri"], "cid": post["cid"]}
    assert events(session, ticket.id)[:2] == ["created", "routed"]
    [listed] = bluesky.seen("listNotifications")
    assert sorted(listed.args) == ["limit", "reasons"]


def test_a_chat_message_becomes_one_ticket_through_the_chat_proxy(runtime, redis, session, bluesky, channel):  # noqa: F811
    message = bluesky.chat("fatima", "Mijn adres is Lindelaan 4, wanneer komt de grofvuilwagen?")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    assert (ticket.kind, ticket.visibility) == ("dm", "private")
    assert ticket.thread_key == f"convo:{message['convoId']}" and ticket.contact.handle == "@fatima.bsky.social"
    assert all(r.headers.get("Atproto-Proxy") == CHAT_PROXY for r in bluesky.seen("chat.bsky"))
    assert reload(runtime, channel.id).cursor["chat_cursor"]


def test_the_same_messages_delivered_twice_are_stored_once(runtime, redis, session, bluesky, channel):  # noqa: F811
    bluesky.post("jan", "Er hangt een wespennest bij de speeltuin.")
    bluesky.chat("piet", "Hoe vraag ik een parkeervergunning aan?")
    poll_now(runtime, redis, channel.id)
    with runtime.transaction() as s:
        s.get(Channel, channel.id).cursor = {}
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 2 and count(session, Ticket) == 2 and count(session, Contact) == 2


def test_second_messages_join_their_tickets(runtime, redis, session, bluesky, channel):  # noqa: F811
    first = bluesky.post("jan", "Grofvuil gedumpt naast de container aan de Kerkstraat.")
    bluesky.chat("piet", "Hoe vraag ik een parkeervergunning aan?")
    poll_now(runtime, redis, channel.id)
    bluesky.post("jan", "Inmiddels ligt er ook een matras.", reply_to=first["uri"])
    bluesky.chat("piet", "En wat kost dat?")
    poll_now(runtime, redis, channel.id)

    public, private = sorted(tickets(session), key=lambda t: t.kind != "mention")
    assert count(session, Ticket) == 2 and inbound(session) == 4
    assert len(citizen_messages(public)) == 2 and len(citizen_messages(private)) == 2
    assert "message_in" in events(session, public.id) and "message_in" in events(session, private.id)


def test_replies_under_our_own_post_are_a_comment_thread_per_citizen(runtime, redis, session, bluesky, channel):  # noqa: F811
    announcement = bluesky.announce("Vanaf maandag is de Dorpsstraat afgesloten.")
    bluesky.post("jan", "Hoe lang duurt dat?", reply_to=announcement["uri"], mention=False)
    bluesky.post("fatima", "En de bus?", reply_to=announcement["uri"], mention=False)
    poll_now(runtime, redis, channel.id)
    found = tickets(session)
    assert [t.kind for t in found] == ["comment", "comment"]
    assert {t.thread_key for t in found} == {f"post:{announcement['uri']}:{CITIZENS['jan']}",
                                             f"post:{announcement['uri']}:{CITIZENS['fatima']}"}


def test_a_long_backlog_is_read_page_by_page_and_continues_where_it_stopped(runtime, redis, session, bluesky,  # noqa: F811
                                                                             channel):
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"page_size": 4, "max_pages": 2}}
    bluesky.post("piet", "Eerste melding.")
    poll_now(runtime, redis, channel.id)  # the first poll sets the mark
    posts = [bluesky.post(name, f"Melding {n}: losse stoeptegel.") for n, name in enumerate(["jan", "fatima"] * 6)]
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 1 + 8
    poll_now(runtime, redis, channel.id)  # due at once: the rest, then the mark moves
    session.expire_all()
    stored = set(session.scalars(select(Message.external_id).where(Message.direction == "in")))
    assert {p["uri"] for p in posts} <= stored and inbound(session) == 13
    cursor = reload(runtime, channel.id).cursor
    assert "notifications_pending" not in cursor and cursor["notifications_seen"]["uris"] == [posts[-1]["uri"]]


def test_a_chat_history_longer_than_one_poll_keeps_the_72_hour_window(runtime, redis, session, bluesky, channel):  # noqa: F811
    """The chat log is read from its start: a history that takes several polls must not become tickets."""
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"max_pages": 2}}  # 2 x 100 log entries a poll
    old = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for n in range(230):
        bluesky.chat("jan", f"Oud bericht {n}")
    for entry in bluesky.logs:
        if "message" in entry:
            entry["message"]["sentAt"] = old
    new = bluesky.chat("fatima", "Wanneer komt de grofvuilwagen?")
    for _ in range(3):
        poll_now(runtime, redis, channel.id)
    assert [m.external_id for m in citizen_messages(tickets(session)[0])] == [new["id"]]
    assert count(session, Ticket) == 1


def test_the_session_is_created_once_and_reused(runtime, redis, session, bluesky, channel):  # noqa: F811
    for n in range(3):
        bluesky.post("jan", f"Melding {n}.")
        poll_now(runtime, redis, channel.id)
    assert len(bluesky.seen("createSession")) == 1 and count(session, Ticket) == 3
    kept = stored_credentials(runtime, channel.id)
    assert kept["identifier"] == MUNICIPALITY["handle"] and kept["session"].count(":::") == 4
    assert "session" not in reload(runtime, channel.id).cursor  # tokens stay encrypted, never in the cursor


def test_an_expired_session_is_refreshed_not_recreated(runtime, redis, session, bluesky, channel):  # noqa: F811
    poll_now(runtime, redis, channel.id)
    before = stored_credentials(runtime, channel.id)["session"]
    bluesky.expire_sessions()
    bluesky.post("jan", "Lantaarnpaal knippert.")
    poll_now(runtime, redis, channel.id)
    assert count(session, Ticket) == 1
    assert len(bluesky.seen("refreshSession")) == 1 and len(bluesky.seen("createSession")) == 1
    assert stored_credentials(runtime, channel.id)["session"] != before


def test_a_revoked_refresh_token_falls_back_to_the_app_password(runtime, redis, session, bluesky, channel):  # noqa: F811
    poll_now(runtime, redis, channel.id)
    bluesky.expire_sessions()
    bluesky.refresh.clear()
    bluesky.post("jan", "Bankje vernield.")
    poll_now(runtime, redis, channel.id)
    assert count(session, Ticket) == 1 and len(bluesky.seen("createSession")) == 2
    assert not reload(runtime, channel.id).needs_reauth


def test_a_revoked_app_password_needs_reauthorisation(runtime, redis, session, bluesky, channel):  # noqa: F811
    admin = f.user(session, "admin")
    session.commit()
    bluesky.app_password = "nieuw-wachtwoord"
    poll_now(runtime, redis, channel.id)
    broken = reload(runtime, channel.id)
    assert broken.needs_reauth and "AuthenticationRequired" in broken.last_error
    assert polling.sweep(runtime) == []
    [note] = session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    assert note.kind == "channel_reauth"
    with runtime.transaction() as s:  # an administrator enters the new app password
        channels.update_channel(s, s.get(Channel, channel.id), token="nieuw-wachtwoord")
    poll_now(runtime, redis, channel.id)
    assert reload(runtime, channel.id).last_success_at is not None


def test_429_makes_the_channel_wait_until_the_reset(runtime, redis, session, bluesky, channel):  # noqa: F811
    reset = int(time.time()) + 600
    bluesky.rate_limited("app.bsky.notification.listNotifications", reset)
    poll_now(runtime, redis, channel.id)
    waiting = reload(runtime, channel.id)
    assert waiting.rate_limited_until == datetime.fromtimestamp(reset, UTC)
    assert "RateLimitExceeded" in waiting.last_error
    assert polling.sweep(runtime) == []


def test_a_nearly_used_up_quota_waits_without_a_429(runtime, redis, session, bluesky, channel):  # noqa: F811
    bluesky.remaining = 3
    poll_now(runtime, redis, channel.id)
    assert reload(runtime, channel.id).rate_limited_until is not None and reload(runtime, channel.id).last_error is None


def test_503_is_retried_by_rq_with_back_off(runtime, redis, session, bluesky, channel):  # noqa: F811
    bluesky.post("jan", "Het riool stinkt in de Molenstraat.")
    bluesky.fault("listNotifications", 503, {"error": "ServiceUnavailable", "message": "Service Unavailable"})
    polling.sweep(runtime)
    work(redis)
    assert "503" in reload(runtime, channel.id).last_error
    assert count(session, Ticket) == 0
    assert_poll_retried_by_rq(runtime, redis, channel.id)
    work(redis)
    assert count(session, Ticket) == 1
    assert not Job.exists("poll-channel-1", connection=redis)


def test_after_a_first_poll_without_notifications_everything_new_is_read(runtime, redis, session, bluesky,  # noqa: F811
                                                                          channel):
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"page_size": 4}}
    poll_now(runtime, redis, channel.id)  # nothing yet
    for n in range(6):
        bluesky.post(["jan", "fatima"][n % 2], f"Melding {n} over losliggende tegels.")
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 6


def test_two_processes_with_a_refused_session_renew_it_once(runtime, redis, session, bluesky, channel):  # noqa: F811
    poll_now(runtime, redis, channel.id)  # logs in once and stores the session
    with runtime.transaction() as s:
        first, second = (channels.connection_for(s, channels.get_channel(s, channel.id)).adapter() for _ in range(2))
    bluesky.expire_sessions()
    assert first.verify().handle == second.verify().handle == "@voorbeeldstad.nl"
    assert len(bluesky.seen("refreshSession")) == 1 and len(bluesky.seen("createSession")) == 1
