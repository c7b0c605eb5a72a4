"""An automatic acknowledgement on Mastodon fits together with what sending adds to it: the @mentions of everyone
in the conversation and the citizen's content warning, which a real server counts against the same 500
characters (mastodon-mock counts the text with its mentions only). When the category's promise does not fit, the
default acknowledgement goes; when nothing fits, none goes and the ticket shows why. Against mastodon-mock as a
real HTTP server, through the poll, ingest and reply workers."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from tests import factories as f
from tests.fakes.mastodon import mastodon  # noqa: F401
from tests.workers.test_replies import agent, channel, ticket_from, work  # noqa: F401
from webcare.models import Category, Message, TicketEvent
from webcare.platforms.html import html_to_text
from webcare.services import categories, routing
from webcare.services.routing.store import current_ruleset
from webcare.services.routing.tickets import DEFAULT_ACKNOWLEDGEMENT

REPORT = "@piet @fatima @henk De lantaarnpaal bij de school is al een week kapot, het is daar 's avonds aardedonker."
WARNING = ("Onveilige situatie bij de basisschool: kinderen lopen in het donker over het fietspad langs de "
           "Schoolstraat, en auto's rijden er hard en zien ze pas op het laatste moment. Graag snel actie ondernemen!")
MENTIONS = "@jan @piet @fatima @henk "  # in front of our reply: the author, whom they mentioned, never us
# A category's promise that fits the server's 500 characters alone, but not with the mentions in front.
PROMISE = ("Dank voor uw melding over {categorie}. We hebben hem doorgegeven aan {afdeling}, die de storing "
           "onderzoekt en de lamp zo nodig vervangt. Storingen aan straatverlichting lossen we meestal binnen een "
           "paar dagen op; gaat het om een lantaarnpaal die is aangereden of los staat, dan komt er dezelfde dag "
           "iemand kijken. U hoeft niets meer te doen: we laten het u weten als er meer informatie nodig is of "
           "als de reparatie klaar is. U hoort {termijn} van ons.")


@pytest.fixture
def long_promise(session, mastodon, channel):  # noqa: F811
    """The streetlight category promises at length; a fourth citizen (henk) to be mentioned."""
    requests.post(f"{mastodon.base_url}/api/v1/_mock/dev_user", json={"username": "henk"}, timeout=5).raise_for_status()
    decision = routing.decide(session, routing.RouteInput(text=REPORT, platform="mastodon", kind="mention"))
    category = session.scalar(select(Category).where(Category.code == decision.category))
    categories.update_category(session, category, promise_text=PROMISE)
    session.commit()
    text = routing.promise_text(current_ruleset(session).catalog, decision, "nl")
    assert decision.auto_ack and 500 - len(MENTIONS) < len(text) <= 500  # fits the plain limit only
    return text


def acknowledgement_of(session, ticket) -> Message:
    session.expire_all()
    return session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.is_automatic.is_(True))).one()


def event_data(session, ticket, kind: str) -> list[dict]:
    return [e.data for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                                      TicketEvent.type == kind))]


def test_a_promise_too_long_with_the_mentions_and_warning_gives_way_to_the_default_text(  # noqa: F811
        runtime, redis, session, mastodon, channel, long_promise):  # noqa: F811
    """Jan's report mentions three neighbours and carries a 200-character content warning: the category's promise
    would be refused (the mock: 422, too long; a real server also counts the warning). The default
    acknowledgement, with the same department and term, goes instead, and the ticket says so."""
    assert len(WARNING) == 200
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text=REPORT,
                                 spoiler_text=WARNING)
    ack = acknowledgement_of(session, ticket)
    assert (ack.delivery_state, ack.delivery_error) == ("sent", None)
    assert ack.text != long_promise and ack.text.startswith(DEFAULT_ACKNOWLEDGEMENT.split("{")[0])
    assert ticket.promise_text == ack.text and ticket.auto_ack_sent_at is not None
    assert event_data(session, ticket, "auto_ack_sent") == [{"message_id": ack.id, "default_text": True}]

    [posted] = [s for s in mastodon.statuses_by_municipality() if str(s["id"]) == ack.external_id]
    assert str(posted["in_reply_to_id"]) == str(status["id"]) and posted["spoiler_text"] == WARNING
    assert sorted(m["acct"] for m in posted["mentions"]) == ["fatima", "henk", "jan", "piet"]
    sent = html_to_text(posted["content"])
    assert sent.endswith(ack.text) and len(WARNING) + len(sent) <= 500  # as a real server counts


def test_an_acknowledgement_that_cannot_fit_at_all_is_not_sent_and_the_ticket_says_why(  # noqa: F811
        runtime, redis, session, mastodon, channel, long_promise, agent, client):  # noqa: F811
    """With a content warning of over 400 characters not even the default text fits: nothing is posted (the server would
    refuse it), the acknowledgement is stored not sent (`too_long`) with its `auto_ack_skipped` event, and the
    ticket waits for a person, as after any acknowledgement not sent."""
    warning = (WARNING + " ") * 2 + "Foto's volgen."
    ticket, status = ticket_from(runtime, redis, session, mastodon, channel, name="jan", text=REPORT,
                                 spoiler_text=warning)
    ack = acknowledgement_of(session, ticket)
    assert (ack.delivery_state, ack.skipped_because, ack.text) == ("skipped", "too_long", long_promise)
    assert ack.external_id is None and ack.delivery_attempts == 0
    assert event_data(session, ticket, "auto_ack_skipped") == [{"message_id": ack.id, "reason": "too_long"}]
    assert event_data(session, ticket, "auto_ack_sent") == []
    assert ticket.promise_text is None and ticket.auto_ack_sent_at is None and ticket.status == "new"
    assert [s for s in mastodon.statuses_by_municipality() if str(s["in_reply_to_id"]) == str(status["id"])] == []

    f.login(client, agent.email)
    delivery = {m["id"]: m["delivery"] for m in client.get(f"/api/v1/tickets/{ticket.id}").get_json()["messages"]}
    assert delivery[ack.id]["state"] == "failed"  # API.md's three states: it did not reach the citizen
    assert delivery[ack.id]["error"].startswith("not sent: too long for the platform")
    assert client.get(f"/tickets/{ticket.id}").status_code == 200
    work(redis)  # nothing left to send
    assert acknowledgement_of(session, ticket).delivery_state == "skipped"
