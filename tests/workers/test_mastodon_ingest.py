"""Mastodon -> tickets, end to end: a real mock server, the real poll and ingest jobs, real rq workers."""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.fakes.mastodon import mastodon  # noqa: F401  (fixture)
from webcare.db import utcnow
from webcare.models import Channel, Contact, Message, Ticket, TicketEvent
from webcare.services import compose, polling, replies
from workers.heartbeat import BeatingWorker


def work(redis) -> None:
    BeatingWorker(["poll", "ingest", "replies"], connection=redis).work(burst=True)


def poll_now(runtime, redis, channel_id: int) -> None:
    """What the scheduler does: the sweep enqueues a poll, a worker runs it and the ingest jobs."""
    with runtime.transaction() as s:
        s.get(Channel, channel_id).last_polled_at = None
    polling.sweep(runtime)
    work(redis)


def tickets(session) -> list[Ticket]:
    session.expire_all()
    return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def inbound(session) -> int:
    """Citizens' messages (routing may add automatic acknowledgements as outbound messages)."""
    return session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def events(session, ticket_id: int) -> list[str]:
    return list(session.scalars(select(TicketEvent.type).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id)))


@pytest.fixture
def channel(session, mastodon):  # noqa: F811
    f.seeded(session)
    return mastodon.channel(session)


def test_public_mention_becomes_one_ticket(runtime, redis, session, mastodon, channel):  # noqa: F811
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe("webcare:events")
    status = mastodon.post("jan", "De lantaarnpaal in de Dorpsstraat is al een week kapot.")
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    [message] = session.scalars(select(Message).where(Message.direction == "in")).all()
    assert (ticket.kind, ticket.visibility, ticket.status) == ("mention", "public", "new")
    assert ticket.thread_key == ticket.current_thread_key == f"status:{status['id']}"
    assert ticket.subject == "De lantaarnpaal in de Dorpsstraat is al een week kapot."
    assert ticket.department.code == "OVL" and ticket.first_response_due_at is not None  # routed
    assert message.external_id == str(status["id"]) and message.ticket_id == ticket.id
    assert message.text.startswith("@gemeente De lantaarnpaal")
    assert ticket.contact.handle == message.author_handle == "@jan@mock.local"
    assert events(session, ticket.id)[:2] == ["created", "routed"]
    # `in`, not `==`: pub/sub is not per Redis database, and the test server may be shared
    assert {"type": "ticket_created", "ticket_id": ticket.id, "department_id": ticket.department_id,
            "threat": False, "message_id": message.id} in _published(pubsub)
    with runtime.transaction() as s:
        polled = s.get(Channel, channel.id)
        assert polled.last_success_at is not None and polled.cursor["min_id"]


def test_a_new_channel_reads_every_page_of_its_backfill_window(runtime, redis, session, mastodon, channel):  # noqa: F811
    """More than a page (40 on the mock) waiting at the first poll, e.g. a channel added while the server
    answered 429: the first poll pages back through the backfill window, later polls go on from the newest."""
    texts = [f"Melding {n}: de lantaarnpaal is kapot" for n in range(95)]
    for n, text in enumerate(texts):
        mastodon.post(("jan", "fatima", "piet")[n % 3], text)
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 95
    stored = set(session.scalars(select(Message.text).where(Message.direction == "in")))
    assert all(any(text in found for found in stored) for text in texts)
    mastodon.post("jan", "Nog een melding")
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 96


def test_a_first_poll_that_finds_nothing_still_starts_the_cursor(runtime, redis, session, mastodon, channel):  # noqa: F811
    poll_now(runtime, redis, channel.id)  # a new account: no mention yet
    for n in range(45):  # more than a page (40) before the next poll
        mastodon.post("jan", f"Melding {n}: de stoep bij nummer {n} ligt open.")
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 45  # not only the newest page


def _published(pubsub) -> list[dict]:
    found, deadline = [], time.monotonic() + 1.5
    while time.monotonic() < deadline:
        item = pubsub.get_message(timeout=0.2)
        if item is not None:
            event = json.loads(item["data"])  # an event, or a batch's events
            found.extend(event if isinstance(event, list) else [event])
    return found


def test_a_poll_s_options_and_the_descriptions_of_media_are_in_the_text(runtime, redis, session, mastodon, channel):  # noqa: F811
    """Neither is in a status's HTML content: the agent should see what the citizen asks to choose from, and
    what a photo shows without opening it."""
    jan = mastodon.citizen("jan")
    jan.status_post("@gemeente Welke oversteek moet eerst veiliger?",
                    poll=jan.make_poll(["Kerkstraat", "Stationsweg"], expires_in=3600))
    photo = jan.media_post(io.BytesIO(_png()), mime_type="image/png", description="Omgevallen lantaarnpaal")
    jan.status_post("@gemeente Zie foto.", media_ids=[photo["id"]])
    poll_now(runtime, redis, channel.id)

    texts = sorted(session.scalars(select(Message.text).where(Message.direction == "in")))
    assert texts == ["@gemeente Welke oversteek moet eerst veiliger?\n\n- Kerkstraat\n- Stationsweg",
                     f"@gemeente Zie foto.\n\nOmgevallen lantaarnpaal ({photo['url']})"]


def _png() -> bytes:
    """A 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_filtered_dm_becomes_one_ticket_and_the_request_is_accepted(runtime, redis, session, mastodon, channel):  # noqa: F811
    mastodon.post("fatima", "Mijn adres is Dorpsstraat 1, wanneer wordt de container geleegd?", visibility="direct")
    assert mastodon.municipality.notifications(types=["mention"]) == []  # filtered, as on a real server
    assert len(mastodon.municipality.notification_requests()) == 1

    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    assert (ticket.kind, ticket.visibility) == ("dm", "private")
    assert ticket.thread_key.startswith("dm:")
    assert mastodon.municipality.notification_requests() == []
    assert len(mastodon.municipality.notifications(types=["mention"])) == 1  # accepted: visible in Mastodon too


def test_a_followers_only_mention_is_private_and_answered_privately(runtime, redis, session, mastodon, channel):  # noqa: F811
    """A followers-only post (`private`) is no public post: its ticket is private and the acknowledgement a
    direct status to the citizen, never a public reply that shows their report to everyone."""
    status = mastodon.post("piet", "Alleen voor volgers: mijn buurman parkeert steeds op de stoep.", visibility="private")
    poll_now(runtime, redis, channel.id)
    work(redis)  # the acknowledgement's delivery

    [ticket] = tickets(session)
    assert (ticket.kind, ticket.visibility, ticket.thread_key) == ("mention", "private", f"status:{status['id']}")
    [ack] = [s for s in mastodon.statuses_by_municipality() if str(s["in_reply_to_id"]) == str(status["id"])]
    assert ack["visibility"] == "direct" and "@piet" in ack["content"]
    assert not [s for s in mastodon.statuses_by_municipality() if s["visibility"] != "direct"]


def test_an_unlisted_mention_is_answered_unlisted(runtime, redis, session, mastodon, channel):  # noqa: F811
    """An unlisted post is public but kept off the public timelines; the answer keeps it off them too."""
    status = mastodon.post("jan", "De lantaarnpaal bij de speeltuin is al een week kapot.", visibility="unlisted")
    poll_now(runtime, redis, channel.id)
    work(redis)  # the acknowledgement's delivery

    [ticket] = tickets(session)
    assert (ticket.kind, ticket.visibility) == ("mention", "public")
    [ack] = [s for s in mastodon.statuses_by_municipality() if str(s["in_reply_to_id"]) == str(status["id"])]
    assert ack["visibility"] == "unlisted" and "@jan" in ack["content"]


def test_policy_mode_sets_the_account_to_accept_private_mentions(runtime, redis, session, mastodon, channel):  # noqa: F811
    with runtime.transaction() as s:
        s.get(Channel, channel.id).settings = {"adapter": {"dm_requests": "policy"}}
    mastodon.post("piet", "Er ligt een dode kat op de stoep bij de school.", visibility="direct")
    poll_now(runtime, redis, channel.id)
    assert len(tickets(session)) == 1
    assert mastodon.municipality.notifications_policy()["for_private_mentions"] == "accept"


def test_second_message_in_a_thread_joins_its_ticket(runtime, redis, session, mastodon, channel):  # noqa: F811
    first = mastodon.post("jan", "Grofvuil gedumpt naast de container aan de Kerkstraat.")
    dm = mastodon.post("piet", "Hoe vraag ik een parkeervergunning aan?", visibility="direct")
    poll_now(runtime, redis, channel.id)
    mastodon.post("jan", "Inmiddels ligt er nog meer, ook een matras.", in_reply_to=first["id"])
    mastodon.post("piet", "En wat kost dat?", visibility="direct", in_reply_to=dm["id"])
    mastodon.post("piet", "Nog een vraag: geldt dat ook voor bezoek?", visibility="direct")
    poll_now(runtime, redis, channel.id)

    public, private = sorted(tickets(session), key=lambda t: t.kind != "mention")
    assert count(session, Ticket) == 2 and inbound(session) == 5
    citizen = lambda t: [m for m in t.messages if m.direction == "in"]  # noqa: E731  (not the acknowledgement)
    assert len(citizen(public)) == 2 and len(citizen(private)) == 3
    without_ack = lambda t: [e for e in events(session, t.id) if e not in ("auto_ack_sent",  # noqa: E731
                                                                              "reply_sent")]
    assert without_ack(public) == ["created", "routed", "message_in"]
    assert without_ack(private) == ["created", "routed", "message_in", "message_in"]
    ours = len([m for m in public.messages if m.direction == "out" and m.delivery_state == "sent"])
    assert public.activity_seq == 2 + ours and public.last_inbound_at >= public.created_at


def test_a_citizen_answering_our_private_reply_stays_in_the_ticket_of_their_post(runtime, redis, session, mastodon,  # noqa: F811
                                                                                    channel):
    """Asked privately for an address under a public post, or acknowledged with a direct status under a
    followers-only one, the citizen answers with a DM in that thread: it joins the post's ticket, not a new one."""
    agent = f.user(session, "agent")
    session.commit()
    mastodon.post("jan", "De lantaarnpaal bij de school is kapot.")
    mastodon.post("piet", "Alleen voor volgers: de stoep bij nummer 5 ligt open.", visibility="private")
    poll_now(runtime, redis, channel.id)
    work(redis)  # the acknowledgements (public to jan, direct to piet)
    public, private = tickets(session)
    replies.queue_reply(session, public, agent, "Bij welk huisnummer staat de paal?", "private")
    session.commit()
    work(redis)
    for name in ("jan", "piet"):
        [ours] = [s for s in mastodon.statuses_by_municipality()
                  if s["visibility"] == "direct" and s["mentions"][0]["acct"] == name]
        mastodon.citizen(name).status_post("@gemeente Bij nummer 5.", visibility="direct", in_reply_to_id=ours["id"])
    poll_now(runtime, redis, channel.id)

    assert count(session, Ticket) == 2 and inbound(session) == 4
    for ticket in tickets(session):
        [_, answer] = [m for m in ticket.messages if m.direction == "in"]
        assert (answer.text, answer.visibility) == ("@gemeente Bij nummer 5.", "private")
        assert compose.default_visibility(ticket) == "private"  # a private answer is not answered in public

    [to_jan] = [s for s in mastodon.statuses_by_municipality() if s["content"].endswith("staat de paal?</p>")]
    mastodon.post("fatima", "Die paal staat voor mijn deur.", visibility="direct", in_reply_to=to_jan["id"])
    poll_now(runtime, redis, channel.id)
    assert tickets(session)[-1].thread_key.startswith("dm:")  # another citizen's DM: not in jan's ticket


def test_a_reply_under_our_own_post_is_a_comment_thread_of_its_own(runtime, redis, session, mastodon, channel):  # noqa: F811
    announcement = mastodon.municipality.status_post("Vanaf maandag is de Dorpsstraat afgesloten.")
    mastodon.citizen("jan").status_post("@gemeente Hoe lang duurt dat?", in_reply_to_id=announcement["id"])
    mastodon.citizen("fatima").status_post("@gemeente En de bus?", in_reply_to_id=announcement["id"])
    poll_now(runtime, redis, channel.id)
    found = tickets(session)
    assert [t.kind for t in found] == ["comment", "comment"]
    assert len({t.thread_key for t in found}) == 2


def test_the_same_message_delivered_twice_is_stored_once(runtime, redis, session, mastodon, channel):  # noqa: F811
    mastodon.post("jan", "Er hangt een wespennest bij de speeltuin.")
    poll_now(runtime, redis, channel.id)
    with runtime.transaction() as s:  # forget the cursor: the platform delivers everything again
        s.get(Channel, channel.id).cursor = {}
    poll_now(runtime, redis, channel.id)
    assert inbound(session) == 1 and count(session, Ticket) == 1 and count(session, Contact) == 1


def test_citizen_writing_again_reopens_a_recently_resolved_ticket(runtime, redis, session, mastodon, channel):  # noqa: F811
    first = mastodon.post("jan", "De stoeptegels liggen los voor nummer 12.")
    poll_now(runtime, redis, channel.id)
    _resolve(session, days_ago=3)
    mastodon.post("jan", "Ze liggen er nog steeds los!", in_reply_to=first["id"])
    poll_now(runtime, redis, channel.id)

    [ticket] = tickets(session)
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == ("open", 1, None)
    assert events(session, ticket.id)[-2:] == ["reopened", "message_in"]


def test_citizen_writing_after_the_reopen_window_opens_a_linked_ticket(runtime, redis, session, mastodon, channel):  # noqa: F811
    first = mastodon.post("jan", "De stoeptegels liggen los voor nummer 12.")
    poll_now(runtime, redis, channel.id)
    old = _resolve(session, days_ago=runtime.settings.reopen_days + 1)
    mastodon.post("jan", "Ze liggen er weer los!", in_reply_to=first["id"])
    poll_now(runtime, redis, channel.id)

    closed, new = tickets(session)
    assert closed.id == old and closed.status == "resolved" and closed.current_thread_key is None
    assert new.previous_ticket_id == old and new.current_thread_key == closed.thread_key == new.thread_key
    assert new.status == "new" and events(session, new.id) == ["created", "routed"]


def _resolve(session, days_ago: int) -> int:
    [ticket] = tickets(session)
    ticket.status, ticket.resolved_at = "resolved", utcnow() - timedelta(days=days_ago)
    session.commit()
    return ticket.id
