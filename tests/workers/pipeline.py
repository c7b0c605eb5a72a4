"""Helpers for end-to-end platform tests: run the real sweep, poll, ingest and reply jobs with rq workers."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from rq.job import Job
from sqlalchemy import func, select

from webcare.db import utcnow
from webcare.models import Channel, Message, Ticket, TicketEvent
from webcare.services import polling, replies
from workers.heartbeat import BeatingWorker
from workers.replies import _delivery_spec


def work(redis, queues=("poll", "ingest", "replies")) -> None:
    BeatingWorker(list(queues), connection=redis).work(burst=True)


def poll_now(runtime, redis, channel_id: int, queues=("poll", "ingest", "replies")) -> None:
    """What the scheduler does: the sweep enqueues a poll, a worker runs it and the ingest jobs."""
    with runtime.transaction() as s:
        s.get(Channel, channel_id).last_polled_at = None
    polling.sweep(runtime)
    work(redis, queues)


def run_scheduled_now(redis, name: str) -> list[str]:
    """Jobs waiting out a retry back-off go onto their queue now (time passing, as the scheduler would)."""
    queue = Queue(name, connection=redis)
    ids = queue.scheduled_job_registry.get_job_ids()
    for job_id in ids:
        queue.scheduled_job_registry.remove(job_id)
        queue.enqueue_job(Job.fetch(job_id, connection=redis))
    return ids


def assert_poll_retried_by_rq(runtime, redis, channel_id: int) -> None:
    """After a transient platform error: the poll job waits out rq's Retry back-off under its unique id (so the
    sweep adds no second poll), then runs again."""
    job = Job.fetch(polling.poll_job_id(channel_id), connection=redis)
    assert job.get_status() == "scheduled" and job.number_of_retries == 1
    assert polling.sweep(runtime) == []  # the retry is pending: no second poll
    assert run_scheduled_now(redis, "poll") == [polling.poll_job_id(channel_id)]


def back_off_passed(runtime, channel_id: int) -> None:
    """Time passes beyond a failing channel's back-off (polling._wait)."""
    with runtime.transaction() as session:
        polled = session.get(Channel, channel_id)
        polled.last_polled_at = polled.last_error_at = polled.last_polled_at - timedelta(minutes=10)


def reload(runtime, channel_id: int) -> Channel:
    with runtime.transaction() as s:
        return s.get(Channel, channel_id)


def tickets(session) -> list[Ticket]:
    session.expire_all()
    return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def inbound(session) -> int:
    return session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def events(session, ticket_id: int) -> list[str]:
    return list(session.scalars(select(TicketEvent.type).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id)))


def citizen_messages(ticket: Ticket) -> list[Message]:
    return [m for m in ticket.messages if m.direction == "in"]


def automatic_ids(session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(Message.external_id).where(Message.is_automatic.is_(True),
                                                                 Message.external_id.is_not(None))))


def reply(session, ticket, agent, text: str, visibility: str) -> Message:
    message = replies.queue_reply(session, ticket, agent, text, visibility)
    session.commit()
    return message


def as_if_the_commit_was_lost(session, message_id: int, minutes_ago: int = 5) -> None:
    """The platform took the reply, then the worker died before recording `sent`."""
    message = session.get(Message, message_id)
    first = (utcnow() - timedelta(minutes=minutes_ago)).isoformat()
    message.delivery_state, message.external_id, message.sent_at = "sending", None, None
    message.raw = {"delivery": {"first_attempt_at": first, "last_attempt_at": first}}
    session.query(TicketEvent).filter(TicketEvent.type == "reply_sent",
                                      TicketEvent.ticket_id == message.ticket_id).delete()
    session.commit()


def run_delivery_again(runtime, redis, message_id: int) -> None:
    runtime.broker.enqueue_now([_delivery_spec(message_id)])
    work(redis, ("replies",))
