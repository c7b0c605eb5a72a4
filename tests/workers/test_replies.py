"""Replies land on the (mock) Mastodon server in the citizen's thread exactly once, whatever goes wrong."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler
from sqlalchemy import select

from tests import factories as f
from tests.fakes.mastodon import MUNICIPALITY_TOKEN, RATE_LIMIT, mastodon, rate_limited_mastodon  # noqa: F401
from webcare.db import utcnow
from webcare.errors import ValidationFailed
from webcare.models import Channel, Message, Notification, Ticket, TicketEvent
from webcare.queue import QUEUE_REPLIES
from webcare.services import compose, polling, replies
from workers.heartbeat import BeatingWorker
from workers.replies import recover_stuck_replies


def work(redis, queues=("poll", "ingest", "replies")) -> None:
    BeatingWorker(list(queues), connection=redis).work(burst=True)


def after_the_limit(redis, reset: int, margin: float) -> None:
    """Wait until `margin` seconds after the platform's reset, let rq's scheduler move the waiting reply jobs
    to their queue, then work them."""
    time.sleep(max(0.0, reset + margin - time.time()))
    scheduler = RQScheduler([QUEUE_REPLIES], connection=redis)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()
    work(redis)


def ticket_from(runtime, redis, session, mastodon, channel, **post) -> tuple[Ticket, dict]:  # noqa: F811
    status = mastodon.post(**post)
    with runtime.transaction() as s:
        s.get(Channel, channel.id).last_polled_at = None
    polling.sweep(runtime)
    work(redis)
    session.expire_all()
    return session.scalars(select(Ticket).order_by(Ticket.id.desc())).first(), status


def our_replies(mastodon, to_status, session) -> list:  # noqa: F811
    """Our statuses in reply to the citizen's, without the automatic acknowledgement routing sent."""
    session.expire_all()
    automatic = set(session.scalars(select(Message.external_id).where(Message.is_automatic.is_(True))))
    return [s for s in mastodon.statuses_by_municipality()
            if str(s["in_reply_to_id"]) == str(to_status["id"]) and str(s["id"]) not in automatic]


@pytest.fixture
def channel(session, mastodon):  # noqa: F811
    f.seeded(session)
    return mastodon.channel(session)


@pytest.fixture
def agent(session):
    user = f.user(session, "agent")
    session.commit()
    return user


def reply(session, ticket, agent, text, visibility) -> Message:
    message = replies.queue_reply(session, ticket, agent, text, visibility)
    session.commit()
    return message


def test_public_reply_lands_in_the_thread_once(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan",
                                 text="De lantaarnpaal bij de school is kapot.")
    message = reply(session, ticket, agent, "Dank voor uw melding, we geven het door aan Openbare Verlichting.",
                    "public")
    work(redis)

    [posted] = our_replies(mastodon, status, session)
    assert posted["visibility"] == "public" and "@jan" in posted["content"]
    session.expire_all()
    sent = session.get(Message, message.id)
    assert (sent.delivery_state, sent.external_id, sent.delivery_attempts) == ("sent", str(posted["id"]), 1)
    assert session.get(Ticket, ticket.id).last_outbound_at == sent.sent_at
    [event] = [e for e in session.scalars(select(TicketEvent).where(TicketEvent.type == "reply_sent"))
               if not e.data["automatic"]]
    assert event.actor_id == agent.id and event.data == {"message_id": message.id, "visibility": "public",
                                                          "automatic": False}
    assert session.get(Ticket, ticket.id).first_response_met_at == event.at


def test_private_reply_is_a_direct_message_to_the_citizen(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="fatima",
                                 text="Mijn adres is Lindelaan 4, wanneer komt de grofvuilwagen?", visibility="direct")
    reply(session, ticket, agent, "De grofvuilwagen komt donderdag bij u langs.", "private")
    work(redis)

    [posted] = our_replies(mastodon, status, session)
    assert posted["visibility"] == "direct"
    assert [m["acct"] for m in posted["mentions"]] == ["fatima"]
    assert any(str(n["status"]["id"]) == str(posted["id"])
               for n in mastodon.citizen("fatima").notifications(types=["mention"]))


def test_a_private_reply_mentions_the_citizen_whatever_lookalikes_the_text_holds(runtime, redis, session, mastodon,  # noqa: F811
                                                                                    channel, agent):
    """A direct status reaches only the accounts it mentions: `@jan` inside an e-mail address or a longer name is
    no mention of jan, so the reply still starts with one."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Vraag over bouwafval.",
                                 visibility="direct")
    reply(session, ticket, agent, "Mail de foto's naar afval@jansen-bouw.nl, of stuur ze aan @jansen.", "private")
    work(redis)

    [posted] = our_replies(mastodon, status, session)
    assert posted["visibility"] == "direct" and "jan" in [m["acct"] for m in posted["mentions"]]


def test_a_reply_as_long_as_the_composer_allows_fits_on_the_server_with_its_mention(runtime, redis, session,
                                                                                      mastodon, channel, agent):  # noqa: F811
    """The @mention in front counts against the server's 500 characters: the composer leaves room for it."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="fatima", text="Vraag over afval.")
    limit = compose.rules_for(ticket).limit
    with pytest.raises(ValidationFailed):
        compose.send_reply(session, ticket, agent, "a" * (limit + 1), "public")
    message = compose.send_reply(session, ticket, agent, "a" * limit, "public")
    session.commit()
    work(redis)

    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sent"
    [posted] = our_replies(mastodon, status, session)
    assert "@fatima" in posted["content"]


def test_a_private_reply_to_a_group_dm_goes_to_everyone_in_it(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    """A DM to us and a neighbour is one conversation (one ticket): the answer mentions both, as Mastodon's apps
    do, so the citizen's answer to it, which mentions the same accounts, stays in that ticket."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan",
                                 text="@piet Onze gezamenlijke schutting is omgewaaid.", visibility="direct")
    reply(session, ticket, agent, "Staat de schutting op gemeentegrond?", "private")
    work(redis)
    [posted] = our_replies(mastodon, status, session)
    assert posted["visibility"] == "direct" and {m["acct"] for m in posted["mentions"]} == {"jan", "piet"}

    answer, _ = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="@piet Ja, langs het fietspad.",
                            visibility="direct", in_reply_to=posted["id"])
    assert answer.id == ticket.id and session.scalars(select(Ticket)).all() == [answer]
    assert [m.text for m in answer.messages if m.direction == "in"][-1].endswith("fietspad.")


def test_a_job_that_died_after_posting_does_not_post_twice(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    """Posted, then the worker died before committing `sent`: the rerun finds the same post."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Hondenpoep overal!")
    message = reply(session, ticket, agent, "We sturen een handhaver langs.", "public")
    work(redis)
    [posted] = our_replies(mastodon, status, session)
    for window_passed in (False, True):
        _as_if_the_commit_was_lost(session, message.id, hours_ago=2 if window_passed else 0)
        replies_queue_job(runtime, message.id)
        work(redis)
        assert len(our_replies(mastodon, status, session)) == 1
        session.expire_all()
        again = session.get(Message, message.id)
        assert (again.delivery_state, again.external_id) == ("sent", str(posted["id"]))
    events = session.scalars(select(TicketEvent.type).where(TicketEvent.type == "reply_sent")).all()
    assert events == ["reply_sent"]


def _as_if_the_commit_was_lost(session, message_id: int, hours_ago: int) -> None:
    message = session.get(Message, message_id)
    first = (utcnow() - timedelta(hours=hours_ago)).isoformat()
    message.delivery_state, message.external_id, message.sent_at = "sending", None, None
    message.raw = {"delivery": {"first_attempt_at": first, "last_attempt_at": first}}
    if hours_ago:  # beyond Mastodon's idempotency window: prove the lookup, not the key, prevents a repeat
        message.idempotency_key = "a-key-the-server-has-forgotten"
    session.query(TicketEvent).filter(TicketEvent.type == "reply_sent").delete()
    session.commit()


def replies_queue_job(runtime, message_id: int) -> None:
    runtime.broker.enqueue_now([replies_job_spec(message_id)])


def replies_job_spec(message_id: int):
    from workers.replies import _delivery_spec

    return _delivery_spec(message_id)


def test_a_refused_reply_is_failed_visibly_and_can_be_retried(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Graffiti op de brug.")
    mastodon.fault("/api/v1/statuses", {"type": "status", "status": 422,
                                        "body": {"error": "Validation failed: Text character limit of 500 exceeded"}},
                   methods=["POST"])
    message = reply(session, ticket, agent, "We verwijderen de graffiti deze week.", "public")
    work(redis)

    session.expire_all()
    failed = session.get(Message, message.id)
    assert failed.delivery_state == "failed" and "character limit" in failed.delivery_error
    event = session.scalars(select(TicketEvent).where(TicketEvent.type == "reply_failed")).one()
    assert event.data["permanent"] is True and "character limit" in event.data["error"]
    [note] = session.scalars(select(Notification).where(Notification.user_id == agent.id)).all()
    assert note.kind == "delivery_failed"
    assert our_replies(mastodon, status, session) == []

    replies.retry_delivery(session, message.id, agent)
    session.commit()
    work(redis)
    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sent"
    assert len(our_replies(mastodon, status, session)) == 1


def test_a_reply_whose_job_was_lost_is_recovered(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Drijfvuil in de gracht.")
    message = reply(session, ticket, agent, "We halen het weg.", "public")
    redis.delete(*redis.keys("rq:*"))  # the job is gone (e.g. Redis lost its data)
    assert recover_stuck_replies()["requeued"] == []  # too recent to call stuck
    with runtime.transaction() as s:
        s.get(Message, message.id).received_at = utcnow() - timedelta(minutes=5)
    assert recover_stuck_replies()["requeued"] == [message.id]
    assert recover_stuck_replies()["requeued"] == []  # its job is queued now: not twice
    work(redis)
    assert len(our_replies(mastodon, status, session)) == 1


def test_a_delivery_knows_only_our_other_replies_to_the_same_post(runtime, redis, session, mastodon, channel,  # noqa: F811
                                                                   agent):
    """What `find_sent_reply` may return instead of this reply: not the whole channel's history."""
    ticket, _ = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Losse tegel op de stoep")
    other, _ = ticket_from(runtime, redis, session, mastodon, channel, name="piet", text="Wespennest in de boom")
    first = reply(session, ticket, agent, "We komen kijken.", "public")
    elsewhere = reply(session, other, agent, "We sturen iemand.", "public")
    work(redis)
    second = reply(session, ticket, agent, "We komen vandaag nog.", "public")
    session.expire_all()
    ours = {m.id: m for m in session.scalars(select(Message).where(Message.direction == "out"))}
    ack = next(m for m in ours.values() if m.is_automatic and m.ticket_id == ticket.id)
    assert ours[first.id].external_id and ours[elsewhere.id].external_id and ack.external_id
    with runtime.transaction() as s:
        attempt = replies.begin_delivery(s, second.id)
    assert attempt.known_external_ids == {ours[first.id].external_id, ack.external_id}


def test_a_rate_limited_reply_waits_for_the_limit_and_is_sent_once(runtime, redis, session, mastodon, channel,  # noqa: F811
                                                                    agent, client, monkeypatch):
    """A 429 is no failure: the reply waits, `queued`, until the platform's reset, without using up the retries
    kept for failures; a reply written meanwhile does not call the platform at all; both go once afterwards."""
    monkeypatch.setattr("workers.replies.WAIT_SPREAD_SECONDS", 1)
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Losse tegel, Dorpsstraat.")
    reset = int(time.time()) + 2
    mastodon.fault("/api/v1/statuses", {"type": "ratelimit", "headers": {"X-RateLimit-Reset": str(reset)}},
                   methods=["POST"])
    first = reply(session, ticket, agent, "We leggen de tegel deze week recht.", "public")
    work(redis)
    second = reply(session, ticket, agent, "De tegel ligt inmiddels op de planning.", "public")
    work(redis)

    session.expire_all()
    held = [session.get(Message, m.id) for m in (first, second)]
    assert [(m.delivery_state, m.delivery_attempts) for m in held] == [("queued", 1), ("queued", 0)]  # 2nd: no call
    assert all(m.waits_until == datetime.fromtimestamp(reset, UTC) for m in held)
    assert session.get(Channel, channel.id).rate_limited_until == datetime.fromtimestamp(reset, UTC)
    jobs = [Job.fetch(replies.delivery_job_id(m.id), connection=redis) for m in held]
    assert [(j.get_status(), j.retries_left) for j in jobs] == [(JobStatus.SCHEDULED, 5)] * 2
    assert our_replies(mastodon, status, session) == []
    f.login(client, agent.email)
    assert "Het platform vraagt ons even te wachten" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)

    after_the_limit(redis, reset, margin=1.2)
    session.expire_all()
    assert [session.get(Message, m.id).delivery_state for m in held] == ["sent", "sent"]
    assert all(session.get(Message, m.id).waits_until is None for m in held)
    assert len(our_replies(mastodon, status, session)) == 2
    assert session.scalars(select(TicketEvent).where(TicketEvent.type == "reply_failed")).all() == []


def test_a_poll_that_is_rate_limited_does_not_hold_the_replies(runtime, redis, session, mastodon, channel, agent):  # noqa: F811
    """The poll's hold (`rate_limited_until`, e.g. X's mentions budget) is not the posting budget."""
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text="Boom over de weg.")
    with runtime.transaction() as s:
        s.get(Channel, channel.id).rate_limited_until = utcnow() + timedelta(minutes=10)
    message = reply(session, ticket, agent, "We zagen de boom vandaag nog weg.", "public")
    work(redis)
    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sent"
    assert len(our_replies(mastodon, status, session)) == 1



def test_replies_leave_the_last_of_a_shared_quota_to_the_polls(runtime, redis, session, rate_limited_mastodon,  # noqa: F811
                                                                agent):
    """Mastodon counts polls and posts of a token together: once an answer says only a tenth of the quota is
    left, the channel's replies wait for its renewal (without a 429) and its polls go on."""
    f.seeded(session)
    channel = rate_limited_mastodon.channel(session)
    ticket, status = ticket_from(runtime, redis, session, rate_limited_mastodon, channel, name="jan",
                                 text="Geluidsoverlast van de bouwplaats.")
    burn = requests.Session()  # other calls of the municipality's token use up the quota, but for one more
    burn.headers["Authorization"] = f"Bearer {MUNICIPALITY_TOKEN}"
    remaining = RATE_LIMIT
    while remaining > RATE_LIMIT // 10 + 1:  # the next post leaves the reserve (a tenth of the limit)
        remaining = int(burn.get(rate_limited_mastodon.base_url + "/api/v1/instance").headers["X-RateLimit-Remaining"])
    first = reply(session, ticket, agent, "We kijken of de bouwtijden worden nageleefd.", "public")
    work(redis)
    second = reply(session, ticket, agent, "De aannemer is gebeld.", "public")
    work(redis)

    session.expire_all()
    assert session.get(Message, first.id).delivery_state == "sent"
    held = session.get(Message, second.id)
    assert (held.delivery_state, held.delivery_attempts) == ("queued", 0) and held.waits_until is not None
    assert session.get(Channel, channel.id).rate_limited_until is None  # the polls are not held
    assert len(our_replies(rate_limited_mastodon, status, session)) == 1


def test_people_s_replies_get_the_renewed_quota_before_the_acknowledgements(runtime, redis, session, mastodon,  # noqa: F811
                                                                             channel, agent):
    """A new ticket's acknowledgement and an agent's reply on another ticket wait for the same reset: the agent's
    goes first. (An acknowledgement on the ticket the agent answers is not sent at all: test_acknowledgement_skips.)"""
    earlier, _ = ticket_from(runtime, redis, session, mastodon, channel, name="piet", text="Container vol.")
    mastodon.post(name="jan", text="Lantaarnpaal kapot.")
    reset = int(time.time()) + 120
    mastodon.fault("/api/v1/statuses", {"type": "ratelimit", "headers": {"X-RateLimit-Reset": str(reset)}},
                   methods=["POST"])  # after the citizen's post: the acknowledgement meets it
    with runtime.transaction() as s:
        s.get(Channel, channel.id).last_polled_at = None
    polling.sweep(runtime)
    work(redis)
    session.expire_all()
    ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    ack = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.is_automatic.is_(True)))
    person = reply(session, earlier, agent, "We legen de container morgen.", "public")
    work(redis)
    registry = ScheduledJobRegistry(QUEUE_REPLIES, connection=redis)
    at = {m.id: registry.get_scheduled_time(replies.delivery_job_id(m.id)) for m in (ack, person)}
    assert datetime.fromtimestamp(reset, UTC) <= at[person.id] < at[ack.id]
