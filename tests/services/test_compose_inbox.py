"""Replies from the inbox (platform rules, stale views, personal data) and the inbox list (filters, paging)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from tests import factories as f
from webcare import platforms
from webcare.db import utcnow
from webcare.errors import ValidationFailed
from webcare.models import Message, Ticket, TicketEvent
from webcare.platforms.base import SentReply
from webcare.services import compose, inbox, presence, realtime, replies, ticket_actions
from webcare.services.replies import PersonalDataInPublicReply


@pytest.fixture
def people(session):
    f.seeded(session)
    result = {"agent": f.user(session, "agent"), "agent2": f.user(session, "agent"),
              "ow": f.user(session, "department", ("OW",))}
    session.commit()
    return result


def test_reply_is_queued_and_ticket_moves(session, people, redis):
    ticket = f.ticket(session, department_code="KCC")
    message = compose.send_reply(session, ticket, people["agent"], "Dank voor uw melding", "public")
    session.commit()
    assert message.delivery_state == "queued" and ticket.status == "open" and ticket.activity_seq == 1
    assert ticket.assignee_id == people["agent"].id and ticket.awaiting == "citizen"
    assert Queue("replies", connection=redis).count == 1
    history = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
    assert [(e.type, e.actor_id, e.data.get("to_user_id")) for e in history if e.type != "reply_queued"] == [
        ("assigned", people["agent"].id, people["agent"].id), ("status_changed", people["agent"].id, None)]


@pytest.mark.parametrize(("platform", "limit"), [("x", 280), ("mastodon", 500), ("bluesky", 300),
                                                 ("linkedin", 1250)])
def test_length_limit_per_platform(session, people, platform, limit):
    ticket = f.ticket(session, f.channel(session, platform), department_code="KCC")
    limit -= platforms.adapter_class(platform).reply_overhead(compose.reply_context(ticket))  # Mastodon's @mention
    compose.send_reply(session, ticket, people["agent"], "a" * limit, "public")
    with pytest.raises(ValidationFailed) as caught:
        compose.send_reply(session, ticket, people["agent"], "a" * (limit + 1), "public")
    assert "text" in caught.value.fields


def test_private_reply_only_where_platform_allows(session, people):
    ticket = f.ticket(session, f.channel(session, "linkedin"), department_code="KCC")
    with pytest.raises(ValidationFailed):
        compose.send_reply(session, ticket, people["agent"], "Stuur ons een bericht", "private")


def test_public_reply_with_personal_data_is_held_until_override(session, people):
    ticket = f.ticket(session, department_code="KCC")
    with pytest.raises(PersonalDataInPublicReply) as caught:
        compose.send_reply(session, ticket, people["agent"], "Mail naar jan@example.nl", "public")
    assert caught.value.fields["findings"][0]["kind"] == "email"
    compose.send_reply(session, ticket, people["agent"], "Mail naar jan@example.nl", "private")
    message = compose.send_reply(session, ticket, people["agent"], "Mail naar info@gemeente.nl", "public",
                                 override_reason="algemeen adres van de gemeente")
    assert message.pii_override_reason == "algemeen adres van de gemeente"  # queue_reply logs the override


def test_stale_view_holds_reply(session, people):
    ticket = f.ticket(session, department_code="KCC")
    seen_seq, seen_id = ticket.activity_seq, compose.last_message_id(session, ticket)
    compose.send_reply(session, ticket, people["agent2"], "Collega antwoordt", "public")
    with pytest.raises(compose.StaleView) as caught:
        compose.send_reply(session, ticket, people["agent"], "Ik ook", "public", seen_seq=seen_seq,
                           seen_message_id=seen_id)
    assert caught.value.fields["new_messages"][0]["text"] == "Collega antwoordt"
    assert session.scalar(select(Message).where(Message.text == "Ik ook")) is None
    # my own earlier reply does not make my view stale
    mine = compose.send_reply(session, ticket, people["agent"], "Eerste", "public",
                              seen_message_id=compose.last_message_id(session, ticket))
    compose.send_reply(session, ticket, people["agent"], "Tweede", "public", seen_message_id=mine.id - 0)
    # without a message id, any change of activity_seq since the view holds the reply
    with pytest.raises(compose.StaleView):
        compose.send_reply(session, ticket, people["agent"], "Derde", "public", seen_seq=0)


def test_canned_responses_per_category(session, people):
    ticket = f.ticket(session, department_code="OVL")
    ticket.category_id = f.category(session, "wegen.straatverlichting").id
    titles = [r.title for r in compose.canned_for(session, ticket)]
    assert titles[0] in ("Lantaarnpaal defect", "Melding openbare ruimte")
    assert "Ontvangstbevestiging" in titles and "Container vol" not in titles
    assert compose.fill_variables("Beste {naam}, {afdeling} {x}", {"naam": "Jan", "afdeling": "OVL"}) == \
        "Beste Jan, OVL {x}"


# -- the inbox list ------------------------------------------------------------------------------------------

@pytest.fixture
def many(session, people):
    now = utcnow()
    tickets = []
    for i in range(7):
        t = f.ticket(session, department_code="OW" if i % 2 else "AFV", text=f"melding {i}")
        t.next_due_at = now + timedelta(minutes=10 * (7 - i)) if i < 5 else None
        tickets.append(t)
    f.ticket(session, department_code="OW", status="resolved")
    session.commit()
    return tickets


def test_most_urgent_first_with_cursor_paging(session, people, many):
    seen, cursor = [], None
    while True:
        page = inbox.list_tickets(session, people["agent"], inbox.Filters(), limit=2, cursor=cursor)
        seen += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [many[i].id for i in (4, 3, 2, 1, 0, 6, 5)]  # clockless ones newest first
    assert seen == expected


def test_newest_first_with_cursor_paging(session, people, many):
    """Sorted newest first, the open tickets come by id from the newest, clocks or not, and a closed one
    joins them when the status filter asks for it; the cursor walks the same order."""
    def walk(filters):
        seen, cursor = [], None
        while True:
            page = inbox.list_tickets(session, people["agent"], filters, limit=3, cursor=cursor)
            seen += [t.id for t in page.items]
            if (cursor := page.next_cursor) is None:
                return seen

    open_ids = [t.id for t in reversed(many)]
    assert walk(inbox.Filters(sort="newest")) == open_ids
    everything = walk(inbox.Filters(sort="newest", statuses=inbox.parse_statuses("all")))
    assert everything[1:] == open_ids and everything[0] > open_ids[0]  # the resolved one was made last
    assert walk(inbox.Filters(sort="newest", department="OW")) == [t.id for t in reversed(many[1::2])]


def test_scope_and_filters(session, people, many):
    ow = inbox.list_tickets(session, people["ow"], inbox.Filters()).items
    assert {t.department.code for t in ow} == {"OW"} and len(ow) == 3
    by_dept = inbox.list_tickets(session, people["agent"], inbox.Filters(department="afv")).items
    assert len(by_dept) == 4
    assert [t.subject for t in inbox.list_tickets(session, people["agent"], inbox.Filters(q="melding 3")).items] == \
        ["melding 3"]
    assert inbox.list_tickets(session, people["agent"], inbox.Filters(q=f"#{many[2].id}")).items == [many[2]]
    closed = inbox.list_tickets(session, people["agent"], inbox.Filters(statuses=inbox.parse_statuses("closed")))
    assert len(closed.items) == 1
    with pytest.raises(ValidationFailed):
        inbox.list_tickets(session, people["agent"], inbox.Filters(department="NOPE"))
    with pytest.raises(ValidationFailed):
        inbox.list_tickets(session, people["agent"], inbox.Filters(), cursor="garbage!")


def test_label_assignee_and_views(session, people, many):
    ticket_actions.set_labels(session, many[0], people["agent"], ["pers"])
    ticket_actions.claim(session, many[1], people["agent"])
    session.commit()
    agent = people["agent"]
    assert inbox.list_tickets(session, agent, inbox.Filters(label="pers")).items == [many[0]]
    assert inbox.list_tickets(session, agent, inbox.Filters(assignee="me")).items == [many[1]]
    assert inbox.list_tickets(session, agent, inbox.Filters(assignee=agent.email)).items == [many[1]]
    counts = inbox.view_counts(session, agent)
    assert counts["mine"] == 1 and counts["unanswered"] == 7 and counts["with_departments"] == 0
    assert counts["almost_late"] == 3  # due in 30, 40 and 50 minutes
    late = inbox.list_tickets(session, agent, inbox.Filters(view="almost_late")).items
    assert len(late) == counts["almost_late"]


def test_presence_shows_others_typing(redis, session, people):
    presence.touch(redis, 5, people["agent"])
    presence.touch(redis, 5, people["agent2"], typing=True)
    others = presence.others(redis, 5, people["agent"])
    assert [(p.user_id, p.typing) for p in others] == [(people["agent2"].id, True)]
    assert presence.others(redis, 5, people["agent"], now=__import__("time").time() + 60) == []
    presence.leave(redis, 5, people["agent2"])
    assert presence.others(redis, 5, people["agent"]) == []


def test_realtime_scope(session, people):
    ow = realtime.Scope.of(people["ow"])
    agent = realtime.Scope.of(people["agent"])
    dept_id = f.department(session, "OW").id
    event = {"type": "ticket_created", "ticket_id": 1, "department_id": dept_id, "threat": False}
    assert realtime.visible(ow, event) and realtime.visible(agent, event)
    assert not realtime.visible(ow, {**event, "department_id": dept_id + 1})
    assert realtime.visible(ow, {"type": "notification", "user_ids": [people["ow"].id]})
    assert not realtime.visible(agent, {"type": "notification", "user_ids": [people["ow"].id]})
    assert not realtime.visible(agent, {"type": "something_else"})


def test_stream_forwards_only_visible_events(redis, session, people):
    import json
    import threading
    import time

    ow = realtime.Scope.of(people["ow"])
    dept_id = f.department(session, "OW").id
    frames = []

    def consume():
        for frame in realtime.stream(redis, ow, lifetime=1.5, keepalive=0.5):
            frames.append(frame)

    thread = threading.Thread(target=consume)
    thread.start()
    time.sleep(0.4)
    redis.publish("webcare:events", json.dumps({"type": "ticket_created", "ticket_id": 9, "department_id": dept_id}))
    redis.publish("webcare:events", '{"type": "ticket_created", "ticket_id": 10, "department_id": -1}')
    thread.join(5)
    text = "".join(frames)
    assert '"ticket_id": 9' in text and '"ticket_id": 10' not in text and "event: bye" in text


def test_ticket_count_unchanged(session, people, many):
    assert session.scalar(select(Ticket.id).where(Ticket.status == "resolved")) is not None


def test_an_automatic_acknowledgement_leaves_the_ticket_unanswered(session, people, redis):
    acknowledged, answered = (f.ticket(session, department_code="KCC", text=f"melding {i}") for i in range(2))
    ack = Message(**replies.outbound_row(
        ticket_id=acknowledged.id, channel_id=acknowledged.channel_id, contact_id=acknowledged.contact_id,
        platform="mastodon", thread_key=acknowledged.thread_key, in_reply_to=None, visibility="public",
        text="Dank voor uw bericht", handle="gemeente", author=None, at=utcnow(), automatic=True))
    session.add(ack)
    reply = compose.send_reply(session, answered, people["agent"], "Wij gaan kijken", "public")
    session.flush()
    for message in (ack, reply):
        replies.record_delivery_success(session, message.id, SentReply(external_id=f"x{message.id}"))
    session.commit()
    assert acknowledged.auto_ack_sent_at is not None and acknowledged.last_outbound_at is None
    unanswered = inbox.list_tickets(session, people["agent"], inbox.Filters(view="unanswered")).items
    assert acknowledged in unanswered and answered not in unanswered


def test_stream_forwards_the_visible_events_of_a_batch(redis, session, people):
    """Ingest publishes a batch's events as one message (a JSON array): each visible one is its own frame."""
    import threading
    import time

    from webcare.queue import Broker

    ow = realtime.Scope.of(people["ow"])
    dept_id = f.department(session, "OW").id
    frames = []
    thread = threading.Thread(target=lambda: frames.extend(realtime.stream(redis, ow, lifetime=1.5, keepalive=0.5)))
    thread.start()
    time.sleep(0.4)
    Broker(redis).publish_many_after_commit(session, [
        {"type": "ticket_created", "ticket_id": 21, "department_id": dept_id, "threat": False, "message_id": 1},
        {"type": "ticket_created", "ticket_id": 22, "department_id": -1, "threat": False, "message_id": 2},
        {"type": "message_created", "ticket_id": 23, "department_id": dept_id, "threat": False, "message_id": 3}])
    session.commit()
    thread.join(5)
    text = "".join(frames)
    assert text.count("event: ticket_created\n") == 1 and text.count("event: message_created\n") == 1
    assert '"ticket_id": 21' in text and '"ticket_id": 23' in text and '"ticket_id": 22' not in text
