"""A real reply worker killed after X or Bluesky accepted the reply, before it recorded `sent`: the rerun
of the abandoned job finds the reply on the platform and never posts it twice."""

from __future__ import annotations

import time

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from tests import factories as f
from tests.fakes.bluesky import bluesky  # noqa: F401  (fixture)
from tests.fakes.x import x  # noqa: F401  (fixture)
from tests.workers.pipeline import automatic_ids
from tests.workers.test_worker_crash import LATER, holding, kill, real_worker, wait_for
from webcare.models import Message, Ticket, TicketEvent
from webcare.services import deadletters, polling, replies
from workers.heartbeat import BeatingWorker


@pytest.fixture(params=["x", "bluesky"])
def platform(request, session, x, bluesky):  # noqa: F811
    """(channel, our replies to the citizen's post) for the platform under test."""
    f.seeded(session)
    if request.param == "x":
        channel, post = x.channel(session), x.post("jan", "Het fietspad ligt vol glas.")
        return channel, lambda: [p for p in x.replies_to(post["id"]) if p["id"] not in automatic_ids(session)]
    channel, post = bluesky.channel(session), bluesky.post("jan", "Het fietspad ligt vol glas.")
    return channel, lambda: [r for r in bluesky.replies_to(post["uri"]) if r["uri"] not in automatic_ids(session)]


def test_reply_of_a_worker_killed_after_posting_is_not_posted_twice(runtime, redis, session, settings, is_postgres,
                                                                    platform, tmp_path):
    if not is_postgres:
        pytest.skip("needs row locks to stop the worker between the platform call and its commit")
    channel, posted = platform
    polling.sweep(runtime)
    BeatingWorker(["poll", "ingest", "replies"], connection=redis).work(burst=True)
    ticket = session.scalars(select(Ticket)).one()
    message = replies.queue_reply(session, ticket, f.user(session, "agent"), "We vegen het vandaag nog.", "public")
    session.commit()

    with holding(runtime, is_postgres, f"SELECT id FROM tickets WHERE id = {ticket.id} FOR UPDATE"), \
            real_worker(settings, "replies", tmp_path / "worker.log") as worker:
        wait_for(lambda: len(posted()) == 1, what="the reply on the platform")
        time.sleep(0.5)  # the worker now waits to record `sent`
        kill(worker)
    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sending"

    job_id = replies.delivery_job_id(message.id)
    assert deadletters.requeue_abandoned(redis, at=time.time() + LATER) == [job_id]
    queue = Queue("replies", connection=redis)
    for scheduled in queue.scheduled_job_registry.get_job_ids():  # its retry back-off has passed
        queue.scheduled_job_registry.remove(scheduled)
        queue.enqueue_job(Job.fetch(scheduled, connection=redis))
    BeatingWorker(["replies"], connection=redis).work(burst=True)

    assert len(posted()) == 1
    session.expire_all()
    assert session.get(Message, message.id).delivery_state == "sent"
    sent = session.scalars(select(TicketEvent).where(TicketEvent.type == "reply_sent")).all()
    assert [e.data["message_id"] for e in sent if not e.data["automatic"]] == [message.id]
