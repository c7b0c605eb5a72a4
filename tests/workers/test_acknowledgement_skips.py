"""An automatic acknowledgement held by a platform's rate limit is not sent once it would only confuse:
after a person's answer, on a closed ticket, or when it waited longer than `acknowledgement_max_wait_seconds`.
One that may already be on the platform is never skipped."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests import factories as f
from tests.fakes.mastodon import mastodon  # noqa: F401
from tests.workers.test_replies import after_the_limit, agent, channel, reply, work  # noqa: F401
from webcare.models import Message, Ticket, TicketEvent
from webcare.platforms.errors import RateLimited, TransientError
from webcare.services import polling, replies, reply_waits, ticket_actions


@pytest.fixture
def waiting_ack(runtime, redis, session, mastodon, channel, monkeypatch):  # noqa: F811
    """A new ticket whose acknowledgement met a 429 (reset in two seconds) and waits, `queued`."""
    monkeypatch.setattr("workers.replies.WAIT_SPREAD_SECONDS", 1)
    status = mastodon.post(name="jan", text="Lantaarnpaal kapot bij de Kerkstraat.")
    reset = int(time.time()) + 2
    mastodon.fault("/api/v1/statuses", {"type": "ratelimit", "headers": {"X-RateLimit-Reset": str(reset)}},
                   methods=["POST"])
    polling.sweep(runtime)
    work(redis)
    ticket = session.scalars(select(Ticket)).one()
    ack = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.is_automatic.is_(True)))
    assert (ack.delivery_state, ack.delivery_attempts, ack.waits_until is not None) == ("queued", 1, True)
    return ticket, ack, status, reset


def _posted_to(mastodon, status) -> list[str]:  # noqa: F811
    return [s["content"] for s in mastodon.statuses_by_municipality() if str(s["in_reply_to_id"]) == str(status["id"])]


def test_a_waiting_acknowledgement_is_not_sent_after_a_person_answered(runtime, redis, session, mastodon,  # noqa: F811
                                                                       waiting_ack, agent, client):  # noqa: F811
    ticket, ack, status, reset = waiting_ack
    person = reply(session, ticket, agent, "We repareren de lantaarnpaal morgen.", "public")

    session.expire_all()
    skipped = session.get(Message, ack.id)
    assert (skipped.delivery_state, skipped.skipped_because) == ("skipped", "answered")
    event = session.scalars(select(TicketEvent).where(TicketEvent.type == "auto_ack_skipped")).one()
    assert event.data == {"message_id": ack.id, "reason": "answered"}
    f.login(client, agent.email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Niet verstuurd: een collega had de inwoner al geantwoord." in page
    assert "Automatische ontvangstbevestiging niet verstuurd" in page
    delivery = {m["id"]: m["delivery"] for m in client.get(f"/api/v1/tickets/{ticket.id}").get_json()["messages"]}
    assert delivery[ack.id]["state"] == "failed"  # API.md's three states: it did not reach the citizen
    assert delivery[ack.id]["error"] == "not sent: a person answered the citizen first"
    assert delivery[person.id]["state"] == "queued"

    after_the_limit(redis, reset, margin=2.2)
    session.expire_all()
    assert session.get(Message, ack.id).delivery_state == "skipped"
    assert session.get(Message, person.id).delivery_state == "sent"
    posted = _posted_to(mastodon, status)
    assert len(posted) == 1 and "lantaarnpaal morgen" in posted[0]  # the answer only, once


def test_a_waiting_acknowledgement_of_a_closed_ticket_is_not_sent(runtime, redis, session, mastodon,  # noqa: F811
                                                                   waiting_ack, agent):  # noqa: F811
    ticket, ack, status, reset = waiting_ack
    ticket_actions.change_status(session, ticket, agent, "cancelled", "Dubbele melding.")
    session.commit()
    session.expire_all()
    assert session.get(Message, ack.id).delivery_state == "queued"  # decided when it would go

    after_the_limit(redis, reset, margin=2.2)
    session.expire_all()
    skipped = session.get(Message, ack.id)
    assert (skipped.delivery_state, skipped.skipped_because, skipped.external_id) == ("skipped", "closed", None)
    assert skipped.delivery_error == "not sent: the ticket was closed before it could be sent"
    assert _posted_to(mastodon, status) == []


def test_an_acknowledgement_held_longer_than_the_limit_is_not_sent(runtime, redis, session, mastodon,  # noqa: F811
                                                                     waiting_ack, agent, client):  # noqa: F811
    """An hour (the default) after it was written the acknowledgement would only take the renewed quota from
    the answers; a later reply of a person is sent as usual."""
    ticket, ack, status, reset = waiting_ack
    session.execute(update(Message).where(Message.id == ack.id).values(received_at=ack.received_at - timedelta(seconds=3601)))
    session.commit()

    after_the_limit(redis, reset, margin=2.2)
    session.expire_all()
    skipped = session.get(Message, ack.id)
    assert (skipped.delivery_state, skipped.skipped_because, skipped.external_id) == ("skipped", "late", None)
    assert "acknowledgement_max_wait_seconds" in skipped.delivery_error
    event = session.scalars(select(TicketEvent).where(TicketEvent.type == "auto_ack_skipped")).one()
    assert event.data == {"message_id": ack.id, "reason": "late"}
    assert _posted_to(mastodon, status) == []
    f.login(client, agent.email)
    assert "Niet verstuurd: het kon niet op tijd weg" in \
        client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    reply(session, session.get(Ticket, ticket.id), agent, "De lantaarnpaal wordt morgen gemaakt.", "public")
    work(redis)
    assert [p for p in _posted_to(mastodon, status) if "morgen gemaakt" in p]


def test_an_acknowledgement_within_the_limit_is_sent_after_the_wait(runtime, redis, session, mastodon,  # noqa: F811
                                                                      waiting_ack):  # noqa: F811
    ticket, ack, status, reset = waiting_ack
    session.execute(update(Message).where(Message.id == ack.id).values(received_at=ack.received_at - timedelta(seconds=3500)))
    session.commit()

    after_the_limit(redis, reset, margin=2.2)
    session.expire_all()
    assert session.get(Message, ack.id).delivery_state == "sent"
    assert len(_posted_to(mastodon, status)) == 1


def test_an_acknowledgement_that_may_be_on_the_platform_is_not_skipped(session, waiting_ack, agent):  # noqa: F811
    """After an attempt that timed out (it may have posted) the acknowledgement is delivered, or found, as usual,
    even when a later attempt met the rate limit and a person answered meanwhile."""
    ticket, ack, _status, reset = waiting_ack
    assert replies.begin_delivery(session, ack.id) is not None  # attempt 2 ...
    replies.record_delivery_failure(session, ack.id, TransientError("timed out"), final=False)  # ... timed out
    assert replies.begin_delivery(session, ack.id) is not None  # attempt 3 met the limit
    reply_waits.record_delivery_wait(session, ack.id, datetime.fromtimestamp(reset, UTC),
                                     error=RateLimited("slow down", reset_at=datetime.fromtimestamp(reset, UTC)))
    session.commit()
    reply(session, session.get(Ticket, ticket.id), agent, "We kijken ernaar.", "public")

    session.expire_all()
    kept = session.get(Message, ack.id)
    assert (kept.delivery_state, kept.delivery_attempts, kept.raw["delivery"]["refused"]) == ("queued", 3, 2)
    assert replies.begin_delivery(session, ack.id) is not None  # still sent (or found on the platform)
