"""Ingest of a batch, at the service: tickets, routing, SLA clocks, acknowledgements, threats, idempotency.

The end-to-end tests (tests/workers/test_mastodon_ingest.py, test_worker_crash.py) go through a real
Mastodon mock and real workers; these pin what one batch writes, including the statements it needs.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import event, func, select

from tests import factories as f
from webcare.db import utcnow
from webcare.errors import Conflict
from webcare.models import Message, Notification, Ticket, TicketEvent
from webcare.platforms.base import InboundMessage, storable_message
from webcare.queue import QUEUE_REPLIES, JobSpec
from webcare.services import compose, ingest, replies, sla
from webcare.services.routing import rules

LAMP = "@gemeente De lantaarnpaal in de Dorpsstraat is al een week kapot."
THREAT = "@gemeente Ik weet waar je woont, wethouder"


def message(n: int, text: str = LAMP, *, thread: int | None = None, kind: str = "mention", minutes_ago: int = 30,
            author: str = "jan") -> InboundMessage:
    visibility = "private" if kind == "dm" else "public"
    return InboundMessage(external_id=str(1000 + n), thread_key=f"status:{1000 + (thread if thread is not None else n)}",
                          kind=kind, visibility=visibility, text=text, author_id=f"{author}@mock.local",
                          author_handle=f"@{author}@mock.local", author_name=author.title(),
                          created_at=utcnow() - timedelta(minutes=minutes_ago), raw={"acct": f"{author}@mock.local"})


@pytest.fixture
def channel(session):
    f.seeded(session)
    record = f.channel(session, handle="gemeente")
    session.commit()
    return record


def run(runtime, channel_id: int, messages: list[InboundMessage]) -> ingest.IngestResult:
    with runtime.transaction() as s:
        return ingest.ingest_batch(s, channel_id, messages)


@contextmanager
def statements_run(engine):
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def types(session, ticket_id: int) -> list[str]:
    return list(session.scalars(select(TicketEvent.type).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id)))


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_new_tickets_are_routed_clocked_and_acknowledged_once(runtime, redis, session, channel):
    result = run(runtime, channel.id, [message(1), message(2, author="fatima"), message(3, kind="dm", author="piet")])
    assert (result.received, result.created, result.duplicates) == (3, 3, 0)

    public, _, dm = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert (public.department.code, public.category.code, public.status) == ("OVL", "wegen.straatverlichting", "new")
    assert public.first_response_due_at and public.handling_due_at and public.sla_policy_id and public.calendar_id
    assert public.sla_targets["response"]["kind"] == "public" and dm.sla_targets["response"]["kind"] == "dm"
    assert types(session, public.id) == ["created", "routed", "auto_ack_sent"]
    routed = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == public.id, TicketEvent.type == "routed"))
    assert routed.department_id == public.department_id and routed.data["category"] == "wegen.straatverlichting"

    inbound = session.scalar(select(Message).where(Message.ticket_id == public.id, Message.direction == "in"))
    ack = session.scalar(select(Message).where(Message.ticket_id == public.id, Message.direction == "out"))
    assert (ack.is_automatic, ack.delivery_state, ack.visibility, ack.kind) == (True, "queued", "public", "reply")
    assert ack.in_reply_to == inbound.external_id and ack.thread_key == public.thread_key
    assert ack.contact_id == public.contact_id and ack.author_handle == "gemeente" and ack.idempotency_key
    assert "Openbare Verlichting" in ack.text and public.promise_text == ack.text
    assert public.auto_ack_sent_at is not None
    queued = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == public.id,
                                                       TicketEvent.type.in_(("reply_queued", "auto_ack_sent")))).all()
    assert [(e.type, e.data) for e in queued] == [("auto_ack_sent", {"message_id": ack.id})]  # no `reply_queued`
    dm_ack = session.scalar(select(Message).where(Message.ticket_id == dm.id, Message.direction == "out"))
    assert dm_ack.visibility == "private"

    acks = session.scalars(select(Message.id).where(Message.direction == "out").order_by(Message.id)).all()
    assert len(acks) == 3
    assert sorted(Queue(QUEUE_REPLIES, connection=redis).job_ids) == sorted(replies.delivery_job_id(i) for i in acks)


def test_clocks_started_on_rows_equal_those_of_start_clocks(runtime, session, channel):
    """Ingest starts the clocks of a new ticket before it is stored; `sla.start_clocks` on the same ticket as an
    ORM object must give every clock column the same value."""
    now = utcnow()
    with runtime.transaction() as s:
        ingest.ingest_batch(s, channel.id, [message(1), message(2, kind="dm", author="piet"),
                                            message(3, "@gemeente Hoe laat is het gemeentehuis open?", author="an"),
                                            message(4, minutes_ago=5 * 24 * 60, author="bas")],  # breached by now
                            now=now)
    clock_columns = [c.key for c in Ticket.__table__.columns]
    clock_columns = [c for c in clock_columns
                     if c.endswith(("_due_at", "_met_at", "_breached_at", "_started_at"))
                     or c in ("sla_targets", "sla_level", "sla_check_at", "next_due_at", "sla_policy_id", "calendar_id",
                              "handling_paused_at", "handling_paused_seconds")]
    for stored in session.scalars(select(Ticket).order_by(Ticket.id)):
        fresh = Ticket(**{c: getattr(stored, c) for c in ("channel_id", "thread_key", "kind", "visibility", "created_at",
                                                            "category_id", "department_id")}, sla_targets={})
        sla.start_clocks(session, [fresh], now)
        assert {c: getattr(fresh, c) for c in clock_columns} == {c: getattr(stored, c) for c in clock_columns}


def test_delivery_jobs_are_enqueued_in_bulk_and_never_twice(runtime, redis):
    """The unique jobs of one transaction go to Redis together (one script); an id that exists is left out."""
    def specs(ids):
        return [JobSpec(func=replies.SEND_REPLY_JOB, args=(i,), queue=QUEUE_REPLIES, job_id=replies.delivery_job_id(i),
                        unique=True, retry=replies.delivery_retry(), result_ttl=0) for i in ids]

    assert runtime.broker.enqueue_now(specs([1, 2, 3])) == [replies.delivery_job_id(i) for i in (1, 2, 3)]
    assert runtime.broker.enqueue_now(specs([2, 3, 4])) == [replies.delivery_job_id(4)]
    assert Queue(QUEUE_REPLIES, connection=redis).job_ids == [replies.delivery_job_id(i) for i in (1, 2, 3, 4)]
    assert Job.fetch(replies.delivery_job_id(4), connection=redis).retries_left == 5


def test_many_jobs_keep_their_order_and_skip_only_the_ids_that_exist(runtime, redis):
    """More jobs than one RPUSH of the script takes (1,000), some of them already there: the others are queued
    once, in the order given, and a job that exists keeps its place and its hash."""
    def specs(ids):
        return [JobSpec(func=replies.SEND_REPLY_JOB, args=(i,), queue=QUEUE_REPLIES, job_id=replies.delivery_job_id(i),
                        unique=True, retry=replies.delivery_retry(), result_ttl=0) for i in ids]

    runtime.broker.enqueue_now(specs([7, 1500]))
    before = redis.hgetall(Job.key_for(replies.delivery_job_id(1500)))
    expected = [replies.delivery_job_id(i) for i in range(2500) if i not in (7, 1500)]
    assert runtime.broker.enqueue_now(specs(range(2500))) == expected
    assert Queue(QUEUE_REPLIES, connection=redis).job_ids == [replies.delivery_job_id(i) for i in (7, 1500)] + expected
    assert redis.hgetall(Job.key_for(replies.delivery_job_id(1500))) == before
    assert Job.fetch(replies.delivery_job_id(2499), connection=redis).args == (2499,)


def test_bulk_written_jobs_equal_those_of_rq_enqueue_many(runtime, redis):
    """The unique jobs are written with one reused `Job` per kind of spec; each hash must hold what rq's own
    `Queue.enqueue_many` writes for the same spec (but the moments), and a worker must read the same job."""
    def spec(i, **options):
        return JobSpec(func=replies.SEND_REPLY_JOB, args=(i,), queue=QUEUE_REPLIES, job_id=replies.delivery_job_id(i),
                       unique=True, retry=replies.delivery_retry(), timeout=120, result_ttl=0,
                       failure_ttl=replies.DELIVERY_FAILURE_TTL, **options)

    ours = [spec(1), spec(2), spec(3, kwargs={"force": True}), spec(4)]
    assert runtime.broker.enqueue_now(ours) == [s.job_id for s in ours]
    queue = Queue(QUEUE_REPLIES, connection=redis)
    theirs = [spec(i, kwargs=s.kwargs) for i, s in zip((11, 12, 13, 14), ours, strict=True)]
    queue.enqueue_many([Queue.prepare_data(s.func, args=s.args, kwargs=s.kwargs, job_id=s.job_id, retry=s.retry,
                                           timeout=s.timeout, result_ttl=s.result_ttl, failure_ttl=s.failure_ttl)
                        for s in theirs])
    moments = {b"created_at", b"enqueued_at", b"data", b"description"}
    for mine, rq_own in zip(ours, theirs, strict=True):
        a, b = redis.hgetall(Job.key_for(mine.job_id)), redis.hgetall(Job.key_for(rq_own.job_id))
        assert a.keys() == b.keys()
        assert {k: v for k, v in a.items() if k not in moments} == {k: v for k, v in b.items() if k not in moments}
        job, other = Job.fetch(mine.job_id, connection=redis), Job.fetch(rq_own.job_id, connection=redis)
        assert (job.func_name, job.args, job.kwargs, job.description) == (
            other.func_name, mine.args, other.kwargs, f"{replies.SEND_REPLY_JOB}({mine.args[0]}"
            + (", force=True)" if mine.kwargs else ")"))
        assert (job.get_status(), job.origin, job.retries_left, job.retry_intervals, job.timeout, job.result_ttl,
                job.failure_ttl) == (other.get_status(), other.origin, other.retries_left, other.retry_intervals,
                                     other.timeout, other.result_ttl, other.failure_ttl)
        assert job.created_at is not None and job.enqueued_at is not None
    assert queue.job_ids == [s.job_id for s in ours + theirs]
    assert queue.name in [q.name for q in Queue.all(connection=redis)]


def test_a_threat_is_announced_and_never_acknowledged(runtime, session, channel):
    guard = f.user(session, "department", ("VB",))
    session.commit()
    run(runtime, channel.id, [message(1, THREAT)])
    [ticket] = session.scalars(select(Ticket)).all()
    assert ticket.threat and ticket.department.code == "VB" and ticket.label_names == ["bedreiging"]
    assert ticket.auto_ack_sent_at is None and count(session, Message, Message.direction == "out") == 0
    assert set(types(session, ticket.id)) == {"created", "routed", "safety_notified"}
    assert [n.user_id for n in session.scalars(select(Notification))] == [guard.id]


def test_the_same_batch_twice_changes_nothing(runtime, redis, session, channel):
    batch = [message(1), message(2, author="fatima"), message(3, thread=2, minutes_ago=20, author="fatima")]
    run(runtime, channel.id, batch)
    before = (count(session, Ticket), count(session, Message), count(session, TicketEvent),
              Queue(QUEUE_REPLIES, connection=redis).count)
    again = run(runtime, channel.id, batch)
    assert (again.duplicates, again.created) == (3, 0)
    assert (count(session, Ticket), count(session, Message), count(session, TicketEvent),
            Queue(QUEUE_REPLIES, connection=redis).count) == before == (2, 5, 7, 2)


def test_a_thread_of_several_messages_is_acknowledged_on_its_latest(runtime, session, channel):
    run(runtime, channel.id, [message(1, minutes_ago=30), message(2, thread=1, minutes_ago=10)])
    [ticket] = session.scalars(select(Ticket)).all()
    assert types(session, ticket.id) == ["created", "message_in", "routed", "auto_ack_sent"]
    ack = session.scalar(select(Message).where(Message.direction == "out"))
    assert ack.in_reply_to == "1002"


def test_a_message_joining_a_live_ticket_restarts_nothing(runtime, redis, session, channel):
    run(runtime, channel.id, [message(1, minutes_ago=30)])
    [ticket] = session.scalars(select(Ticket)).all()
    due = ticket.first_response_due_at
    result = run(runtime, channel.id, [message(2, thread=1, minutes_ago=5)])
    assert (result.created, result.joined) == (0, 1)
    session.expire_all()
    assert types(session, ticket.id)[-1] == "message_in" and ticket.first_response_due_at == due
    assert count(session, Message, Message.direction == "out") == 1 and Queue(QUEUE_REPLIES, connection=redis).count == 1


def test_a_resolved_ticket_reopens_and_an_old_one_is_followed_by_a_linked_ticket(runtime, session, channel):
    run(runtime, channel.id, [message(1), message(2, author="fatima")])
    recent, old = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    recent.status, recent.resolved_at = "resolved", utcnow() - timedelta(days=1)
    old.status, old.resolved_at = "resolved", utcnow() - timedelta(days=30)
    session.commit()
    result = run(runtime, channel.id, [message(3, thread=1, minutes_ago=1), message(4, thread=2, minutes_ago=1)])
    assert (result.reopened, result.created) == (1, 1)
    session.expire_all()
    assert (recent.status, recent.reopen_count) == ("open", 1) and types(session, recent.id)[-2:] == ["reopened", "message_in"]
    follow_up = session.scalar(select(Ticket).where(Ticket.previous_ticket_id == old.id))
    assert follow_up.current_thread_key == old.thread_key and old.current_thread_key is None
    assert types(session, follow_up.id) == ["created", "routed", "auto_ack_sent"]


def test_a_reply_refused_on_a_resolved_ticket_goes_once_the_citizen_reopened_it(runtime, session, channel):
    """A person's reply on a closed ticket is refused (`compose.send_reply`); ingest's reopen by the citizen's new
    message is not a person's move and still happens, after which the reply goes."""
    run(runtime, channel.id, [message(1)])
    ticket, agent = session.scalar(select(Ticket)), f.user(session, "agent")
    ticket.status, ticket.resolved_at = "resolved", utcnow() - timedelta(days=1)
    session.commit()
    with pytest.raises(Conflict, match="ticket_closed|reopen it first"):
        compose.send_reply(session, ticket, agent, "Nog een vraag?", "public")
    session.rollback()
    assert run(runtime, channel.id, [message(2, thread=1, minutes_ago=1)]).reopened == 1
    session.expire_all()
    assert (ticket.status, ticket.reopen_count) == ("open", 1)
    assert compose.send_reply(session, ticket, agent, "We kijken er opnieuw naar", "public").delivery_state == "queued"


def test_a_batch_takes_the_same_statements_whatever_its_size(runtime, session, channel):
    """No statement per message or ticket (17 for new tickets: lookups, caches, one insert per table and kind)."""
    run(runtime, channel.id, [message(900)])  # warm the caches of this process
    counted = []
    for first, size in ((0, 3), (100, 12)):
        with statements_run(runtime.engine) as statements:
            run(runtime, channel.id, [message(n, author=f"burger{n}") for n in range(first, first + size)])
        counted.append(len(statements))
    assert count(session, Ticket) == 16 and count(session, Message, Message.direction == "out") == 16
    assert counted[0] == counted[1] <= 17


def test_citizens_stored_before_the_batch_are_not_looked_up_again(runtime, session, channel):
    """The job stores the batch's citizens in a transaction of its own and hands their ids to the batch."""
    batch = [message(1), message(2, author="fatima"), message(3, thread=1, minutes_ago=10)]
    with runtime.transaction() as s:
        contacts = ingest.store_contacts(s, channel.id, batch)
    assert sorted(contacts) == ["fatima@mock.local", "jan@mock.local"]
    with statements_run(runtime.engine) as statements, runtime.transaction() as s:
        result = ingest.ingest_batch(s, channel.id, batch, contacts=contacts)
    assert (result.created, result.joined) == (2, 0)
    assert not [sql for sql in statements if "contacts" in sql]
    stored = {t.thread_key: t.contact_id for t in session.scalars(select(Ticket))}
    assert stored == {"status:1001": contacts["jan@mock.local"], "status:1002": contacts["fatima@mock.local"]}
    assert {m.contact_id for m in session.scalars(select(Message))} == set(contacts.values())


def test_a_storable_message_is_not_copied_and_an_unstorable_one_is_repaired():
    clean = message(1)
    assert storable_message(clean) is clean
    broken = replace(message(2), text="a\x00b\ud800", raw={"nested": ["x\x00"], "ok": (1, 2)})
    fixed = storable_message(broken)
    assert (fixed.text, fixed.raw) == ("a\ufffdb\ufffd", {"nested": ["x\ufffd"], "ok": [1, 2]})
    assert fixed.external_id == broken.external_id and broken.text == "a\x00b\ud800"


def test_new_tickets_get_the_metric_facts_a_rebuild_from_events_gives(runtime, session, channel):
    """Ingest writes the metric facts of new rows itself; replaying the events must give the same facts."""
    from webcare.models import MetricFact
    from webcare.services.metrics_rebuild import rebuild_batch

    run(runtime, channel.id, [message(1), message(2, kind="dm"), message(3, thread=1)])
    columns = [c.key for c in MetricFact.__table__.columns if c.key not in ("id", "updated_at")]

    def facts() -> list[tuple]:
        session.expire_all()
        rows = session.scalars(select(MetricFact).order_by(MetricFact.ticket_id, MetricFact.kind, MetricFact.seq))
        return [tuple(getattr(row, c) for c in columns) for row in rows]

    written = facts()
    assert {row[columns.index("ticket_id")] for row in written} == set(session.scalars(select(Ticket.id)))
    with runtime.transaction() as s:
        rebuild_batch(s, after_id=0, since=None, limit=100, now=utcnow())
    assert facts() == written


def test_a_platform_time_far_in_the_future_is_taken_as_the_ingest_time(runtime, session, channel):
    rules.create_rule(session, {"name": "Weekend", "conditions": {"weekday": ["sat", "sun"]},  # reads local time
                                "actions": {"labels": ["weekend"]}, "position": 1}, None)
    session.commit()
    far = replace(message(1), created_at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    run(runtime, channel.id, [far])
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.created_at <= utcnow() and ticket.department_id is not None
