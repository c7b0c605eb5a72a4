"""X -> tickets, end to end: the fake X API v2 as a real HTTP server, the real poll and ingest jobs."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from rq.job import Job
from sqlalchemy import select

from tests import factories as f
from tests.fakes.x import CLIENT_ID, REFRESH, TOKEN, x  # noqa: F401  (fixture)
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
from webcare.db import utcnow
from webcare.models import Channel, Contact, Message, Notification, Ticket
from webcare.services import channels, polling


@pytest.fixture
def channel(session, x):  # noqa: F811
    f.seeded(session)
    record = x.channel(session)
    record.settings = {"adapter": {"dm_poll_seconds": 0}}  # read DMs on every poll in these tests
    session.commit()
    return record


def test_public_mention_becomes_one_ticket(runtime, redis, session, x, channel):  # noqa: F811
    post = x.post("jan", "De lantaarnpaal in de Dorpsstraat is al een week kapot.")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    [message] = citizen_messages(ticket)
    assert (ticket.kind, ticket.visibility, ticket.status) == ("mention", "public", "new")
    assert ticket.thread_key == f"conversation:{post['id']}"
    assert ticket.department.code == "OVL"  # routed
    assert message.external_id == post["id"] and message.url == f"https://x.com/jan/status/{post['id']}"
    assert ticket.contact.handle == "@jan" and ticket.contact.platform_user_id == "1456789012"
    assert message.raw["summoned"] is True and message.raw["receives_your_dm"] is True
    assert events(session, ticket.id)[:2] == ["created", "routed"]
    polled = reload(runtime, channel.id)
    assert polled.cursor["mentions_since_id"] == post["id"] and polled.last_success_at is not None
    [mentions] = x.seen(r"/mentions$")
    assert "author_id" in mentions.args["expansions"] and "receives_your_dm" in mentions.args["user.fields"]


def test_dm_becomes_one_ticket(runtime, redis, session, x, channel):  # noqa: F811
    event = x.dm("fatima", "Mijn adres is Lindelaan 4, wanneer komt de grofvuilwagen?")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    assert (ticket.kind, ticket.visibility) == ("dm", "private")
    assert ticket.thread_key == "dm:987654321-1456789013"
    assert citizen_messages(ticket)[0].external_id == event["id"]
    assert reload(runtime, channel.id).cursor["dm_last_event_id"] == event["id"]


def test_the_same_messages_delivered_twice_are_stored_once(runtime, redis, session, x, channel):  # noqa: F811
    x.post("jan", "Er hangt een wespennest bij de speeltuin.")
    x.dm("piet", "Hoe vraag ik een parkeervergunning aan?")
    poll_now(runtime, redis, channel.id)
    with runtime.transaction() as s:  # forget the cursor: X delivers everything again
        s.get(Channel, channel.id).cursor = {}
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 2 and count(session, Ticket) == 2 and count(session, Contact) == 2


def test_second_messages_join_their_tickets(runtime, redis, session, x, channel):  # noqa: F811
    first = x.post("jan", "Grofvuil gedumpt naast de container aan de Kerkstraat.")
    x.dm("piet", "Hoe vraag ik een parkeervergunning aan?")
    poll_now(runtime, redis, channel.id)
    x.post("jan", "Inmiddels ligt er ook een matras.", in_reply_to=first["id"])
    x.dm("piet", "En wat kost dat?")
    poll_now(runtime, redis, channel.id)

    public, private = sorted(tickets(session), key=lambda t: t.kind != "mention")
    assert count(session, Ticket) == 2 and inbound(session) == 4
    assert len(citizen_messages(public)) == 2 and len(citizen_messages(private)) == 2
    assert "message_in" in events(session, public.id) and "message_in" in events(session, private.id)


def test_a_long_post_arrives_whole_not_cut_off_at_280_characters(runtime, redis, session, x, channel):  # noqa: F811
    text = "De stoep in de Kerkstraat 🚧 is al weken opgebroken, " + "echt onbegaanbaar voor rolstoelen. " * 9 + "Einde."
    x.post("jan", text)
    poll_now(runtime, redis, channel.id)
    [message] = citizen_messages(tickets(session)[0])
    assert len(text) > 280 and message.text == f"@GemVoorbeeld {text}"


def test_an_edited_post_keeps_the_text_we_received_and_an_unseen_one_arrives_once(runtime, redis, session, x,  # noqa: F811
                                                                                   channel):
    """X gives every edit a new post id (`edit_history_tweet_ids`: the chain, oldest first) and the mentions
    timeline returns the newest version: an edit of a post we read is not a new message."""
    seen = x.post("jan", "De lantaarnpaal in de Dorpstraat is kapot.")
    poll_now(runtime, redis, channel.id)
    x.edit(seen, f"{seen['text']} (Dorpsstraat, sorry)")
    unseen = x.post("fatima", "Er ligt glas op het fietspad.")
    edited = x.edit(unseen, f"{unseen['text']} Bij de brug.")  # edited before we read it
    poll_now(runtime, redis, channel.id)
    session.expire_all()
    texts = sorted(session.scalars(select(Message.text).where(Message.direction == "in")))
    assert texts == sorted([seen["text"], edited["text"]])


def test_replies_under_our_own_post_are_a_comment_thread_per_citizen(runtime, redis, session, x, channel):  # noqa: F811
    announcement = x.announce("Vanaf maandag is de Dorpsstraat afgesloten.")
    x.post("jan", "Hoe lang duurt dat?", in_reply_to=announcement["id"])
    x.post("fatima", "En de bus?", in_reply_to=announcement["id"])
    poll_now(runtime, redis, channel.id)
    found = tickets(session)
    assert [t.kind for t in found] == ["comment", "comment"]
    assert {t.thread_key for t in found} == {f"conversation:{announcement['id']}:1456789012",
                                             f"conversation:{announcement['id']}:1456789013"}


def test_pages_are_followed_and_a_long_backlog_continues_where_it_stopped(runtime, redis, session, x, channel):  # noqa: F811
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"page_size": 5, "max_pages": 2, "dm_poll_seconds": 0}}
    poll_now(runtime, redis, channel.id)  # the first poll sets since_id
    posts = [x.post(name, f"Melding {n}: losse stoeptegel bij nummer {n}.")
             for n, name in enumerate(["jan", "fatima", "piet"] * 5)]
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 10  # two pages of five, newest first
    assert reload(runtime, channel.id).cursor["mentions_pending"]["newest_id"] == posts[-1]["id"]
    poll_now(runtime, redis, channel.id)  # due at once (the platform had more): the rest
    session.expire_all()
    stored = set(session.scalars(select(Message.external_id).where(Message.direction == "in")))
    assert stored == {p["id"] for p in posts}
    cursor = reload(runtime, channel.id).cursor
    assert "mentions_pending" not in cursor and cursor["mentions_since_id"] == posts[-1]["id"]
    assert any("pagination_token" in r.args for r in x.seen(r"/mentions$"))


def test_post_fields_and_renamed_includes_are_read_alike(runtime, redis, session, x, channel):  # noqa: F811
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"fields_param": "post.fields"}}
    announcement = x.announce("Informatieavond over de nieuwe wijk.")
    x.post("jan", "Waar is die avond?", in_reply_to=announcement["id"])
    poll_now(runtime, redis, channel.id)
    [ticket] = tickets(session)
    assert ticket.kind == "comment"  # the root's author came from `includes.posts` / `referenced_posts`
    assert "post.fields" in x.seen(r"/mentions$")[0].args


def test_dms_are_read_at_most_every_dm_poll_seconds(runtime, redis, session, x, channel):  # noqa: F811
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {}  # the default pace: 15 calls per 15 minutes allowed
    poll_now(runtime, redis, channel.id)
    x.dm("jan", "Is het stadhuis zaterdag open?")
    poll_now(runtime, redis, channel.id)
    assert len(x.seen("/2/dm_events")) == 1 and inbound(session) == 0
    with runtime.transaction() as s:
        channel_row = s.get(Channel, channel.id)
        channel_row.cursor = {**channel_row.cursor, "dm_next_at": (utcnow() - timedelta(seconds=1)).isoformat()}
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 1


def test_429_makes_the_channel_wait_until_the_reset(runtime, redis, session, x, channel):  # noqa: F811
    reset = int(time.time()) + 600
    x.rate_limited(r"/mentions$", reset)
    poll_now(runtime, redis, channel.id)
    waiting = reload(runtime, channel.id)
    assert waiting.rate_limited_until == datetime.fromtimestamp(reset, UTC)
    assert "Too Many Requests" in waiting.last_error and "429" in waiting.last_error
    assert polling.sweep(runtime) == []
    with runtime.transaction() as s:
        [health] = [h for h in channels.health(s) if h.channel.id == channel.id]
        assert health.state == "rate_limited"


def test_a_nearly_used_up_quota_waits_without_a_429(runtime, redis, session, x, channel):  # noqa: F811
    x.quota[r"/mentions$"] = 1
    poll_now(runtime, redis, channel.id)
    waiting = reload(runtime, channel.id)
    assert waiting.last_error is None and waiting.rate_limited_until > utcnow() + timedelta(minutes=10)


def test_a_429_of_the_24_hour_cap_waits_for_that_cap_not_the_15_minute_window(runtime, redis, session, x, channel):  # noqa: F811
    """X's 24-hour caps answer 429 while `x-rate-limit-*` (15 minutes) still has room: wait for the cap."""
    x.daily_cap_used_up(r"/mentions$")
    poll_now(runtime, redis, channel.id)
    assert reload(runtime, channel.id).rate_limited_until == datetime.fromtimestamp(x.daily_reset, UTC)


def test_a_nearly_used_up_24_hour_cap_waits_without_a_429(runtime, redis, session, x, channel):  # noqa: F811
    x.daily[r"/mentions$"] = 1
    poll_now(runtime, redis, channel.id)
    waiting = reload(runtime, channel.id)
    assert waiting.last_error is None and waiting.rate_limited_until == datetime.fromtimestamp(x.daily_reset, UTC)


def test_503_is_retried_by_rq_with_back_off(runtime, redis, session, x, channel):  # noqa: F811
    x.post("jan", "Het riool stinkt enorm in de Molenstraat.")
    x.outage(r"/mentions$")
    polling.sweep(runtime)
    work(redis)
    assert "503" in reload(runtime, channel.id).last_error
    assert count(session, Ticket) == 0
    assert_poll_retried_by_rq(runtime, redis, channel.id)
    work(redis)
    assert count(session, Ticket) == 1
    assert not Job.exists("poll-channel-1", connection=redis)


def test_401_without_a_refresh_token_needs_reauthorisation(runtime, redis, session, x, channel):  # noqa: F811
    admin = f.user(session, "admin")
    session.commit()
    x.expire_tokens()
    poll_now(runtime, redis, channel.id)
    broken = reload(runtime, channel.id)
    assert broken.needs_reauth and "401" in broken.last_error
    assert polling.sweep(runtime) == []
    [note] = session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    assert note.kind == "channel_reauth"


def test_an_expired_token_is_renewed_and_the_new_pair_is_stored(runtime, redis, session, x, channel):  # noqa: F811
    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token=TOKEN,
                                extra={"refresh_token": REFRESH, "client_id": CLIENT_ID})
    x.expire_tokens()
    x.post("jan", "Lantaarnpaal knippert.")
    poll_now(runtime, redis, channel.id)
    assert count(session, Ticket) == 1 and not reload(runtime, channel.id).needs_reauth
    stored = runtime.secrets.decrypt_json(reload(runtime, channel.id).credentials_encrypted)
    assert stored["access_token"] != TOKEN and stored["refresh_token"] != REFRESH
    assert stored["client_id"] == CLIENT_ID and stored["expires_at"] > time.time() + 3600
    assert REFRESH not in x.refresh_tokens  # X refresh tokens work once: the new one was kept

    x.expire_tokens()  # and the stored pair renews again next time
    x.post("fatima", "Bankje in het park is vernield.")
    poll_now(runtime, redis, channel.id)
    assert count(session, Ticket) == 2 and len(x.seen("/2/oauth2/token")) == 2


def test_a_refused_renewal_needs_reauthorisation(runtime, redis, session, x, channel):  # noqa: F811
    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token=TOKEN,
                                extra={"refresh_token": "revoked", "client_id": CLIENT_ID})
    x.expire_tokens()
    poll_now(runtime, redis, channel.id)
    broken = reload(runtime, channel.id)
    assert broken.needs_reauth and "refused to renew" in broken.last_error


def test_after_a_first_poll_without_dms_every_new_dm_is_read(runtime, redis, session, x, channel):  # noqa: F811
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"page_size": 5, "dm_poll_seconds": 0}}
    poll_now(runtime, redis, channel.id)  # nothing yet
    for n in range(8):
        x.dm(["jan", "fatima"][n % 2], f"Vraag {n} over de afvalkalender.")
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 8 and count(session, Ticket) == 2


def test_an_app_without_dm_permission_asks_for_reauthorisation_clearly(runtime, redis, session, x, channel):  # noqa: F811
    x.fault("/2/dm_events", 403, {"title": "Forbidden", "status": 403, "type": "about:blank",
                                  "detail": "Forbidden"})
    poll_now(runtime, redis, channel.id)
    broken = reload(runtime, channel.id)
    assert broken.needs_reauth and "dm.read" in broken.last_error and "dms to false" in broken.last_error


def test_two_processes_with_the_same_expired_token_renew_it_once(runtime, session, x, channel):  # noqa: F811
    """X refresh tokens work once: the second adapter finds the pair the first one stored and uses it."""
    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token=TOKEN,
                                extra={"refresh_token": REFRESH, "client_id": CLIENT_ID})
    with runtime.transaction() as s:
        first, second = (channels.connection_for(s, channels.get_channel(s, channel.id)).adapter() for _ in range(2))
    x.expire_tokens()
    assert first.verify().handle == second.verify().handle == "@GemVoorbeeld"
    assert len(x.seen("/2/oauth2/token")) == 1
    assert first.client.credentials["access_token"] == second.client.credentials["access_token"] != TOKEN


def test_the_account_is_checked_once_an_hour_and_another_account_starts_afresh(runtime, redis, session, x,  # noqa: F811
                                                                                channel):
    poll_now(runtime, redis, channel.id)
    poll_now(runtime, redis, channel.id)
    assert len(x.seen("/2/users/me")) == 1  # one check, not one per poll
    with runtime.transaction() as s:  # as if the cursor belonged to another account, checked long ago
        row = s.get(Channel, channel.id)
        row.cursor = {**row.cursor, "user_id": "111", "mentions_since_id": "9" * 19,
                      "me_checked_at": (utcnow() - timedelta(hours=2)).isoformat()}
    x.post("jan", "Losse stoeptegel bij de bibliotheek.")
    poll_now(runtime, redis, channel.id, queues=("poll", "ingest"))  # (a reply would look up our handle too)
    assert len(x.seen("/2/users/me")) == 2 and inbound(session) == 1
    assert reload(runtime, channel.id).cursor["user_id"] == "987654321"
