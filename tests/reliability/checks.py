"""What must hold after every fault: nothing lost, nothing doubled, clocks right, queues drained.

`drained()` says whether the system is at rest (no job queued, running, scheduled or waiting for a retry,
no reply still on its way); `invariants()` returns a report of every violation found, so one assertion
shows them all:

- every citizen message posted on the platform is stored exactly once, in exactly one ticket;
- every ticket was created once (one `created` event) and its clock starts at its first message;
- every reply was posted exactly once: the municipality's posts on the platform are exactly the sent
  replies, one each, none left unsent;
- the stored SLA clocks equal the clocks recomputed from the ticket's history;
- no ingest or delivery job failed for good (their dead-letter registries are empty).
"""

from __future__ import annotations

from collections import Counter

from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select

from webcare.models import Channel, Message, Ticket, TicketEvent
from webcare.queue import ALL_QUEUES
from webcare.services import sla

CLOCK_FIELDS = ("first_response_due_at", "first_response_met_at", "next_response_due_at", "next_response_met_at",
                "handling_due_at", "handling_met_at")


def _ids(registry) -> list[str]:
    """Job ids without rq's implicit cleanup: reading a StartedJobRegistry would otherwise retry abandoned
    jobs from the test process, a manual requeue that the harness must not do."""
    return registry.get_job_ids(cleanup=False)


def queue_state(redis) -> dict[str, int]:
    state: Counter = Counter()
    for name in ALL_QUEUES:
        state["queued"] += Queue(name, connection=redis).count
        state["started"] += len(_ids(StartedJobRegistry(name, connection=redis)))
        state["scheduled"] += len(_ids(ScheduledJobRegistry(name, connection=redis)))
        state["failed"] += len(_ids(FailedJobRegistry(name, connection=redis)))
    waiting = [(q, job_id, redis.hget(f"rq:job:{job_id}", "status")) for q in ALL_QUEUES
               for job_id in _ids(ScheduledJobRegistry(q, connection=redis))[:3]]
    return {**state, "scheduled_sample": waiting}


def drained(runtime, expected_inbound: int) -> bool:
    """All messages stored and every reply sent or failed; no ingest or reply job waiting."""
    redis = runtime.redis
    busy = sum(Queue(q, connection=redis).count + len(_ids(StartedJobRegistry(q, connection=redis)))
               + len(_ids(ScheduledJobRegistry(q, connection=redis))) for q in ("ingest", "replies"))
    if busy:
        return False
    with runtime.transaction() as session:
        inbound = session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))
        unsent = session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "out", Message.delivery_state.in_(("queued", "sending"))))
    return inbound >= expected_inbound and unsent == 0


def unrest(runtime, citizen_texts: list[str]) -> dict:
    """What keeps the system from rest right now (for a timeout's message): the queues, registries and
    job statuses, the citizen messages not stored, the replies still queued or sending, and each channel's
    last poll, success, error and rate limit."""
    state = queue_state(runtime.redis)
    try:
        with runtime.transaction() as session:
            stored = session.scalars(select(Message.text).where(Message.direction == "in")).all()
            unsent = session.execute(select(Message.id, Message.delivery_state, Message.delivery_error).where(
                Message.direction == "out", Message.delivery_state.in_(("queued", "sending")))).all()
            channels = session.execute(select(Channel.id, Channel.last_polled_at, Channel.last_success_at,
                                              Channel.last_error, Channel.rate_limited_until)).all()
    except Exception as exc:  # noqa: BLE001 - a diagnostic must not hide the timeout
        return {**state, "database": repr(exc)}
    missing = [text for text in citizen_texts if not any(text in s for s in stored)]
    jobs = {m.id: runtime.redis.hget(f"rq:job:send-reply-{m.id}", "status") for m in unsent}
    return {**state, "stored": len(stored), "expected": len(citizen_texts), "missing": missing[:5],
            "unsent": [(m.id, m.delivery_state, (m.delivery_error or "")[:80], jobs[m.id]) for m in unsent[:10]],
            "channels": [tuple(map(str, row)) for row in channels]}


def platform_replies(fediverse) -> list[dict]:
    """Every post of the municipality's account on the fake Mastodon (all pages)."""
    client = fediverse.municipality
    own = client.account_verify_credentials()
    return list(client.fetch_remaining(client.account_statuses(own["id"], limit=40)))


def invariants(runtime, fediverse, citizen_texts: list[str]) -> dict[str, list]:
    problems: dict[str, list] = {"lost": [], "duplicated": [], "without_ticket": [], "tickets_created_twice": [],
                                 "replies_unsent": [], "replies_posted_twice": [], "replies_not_ours": [],
                                 "clock_start": [], "clocks": [], "dead_letters": []}
    with runtime.transaction() as session:
        inbound = session.execute(select(Message.text, Message.ticket_id).where(Message.direction == "in")).all()
        for text in citizen_texts:
            found = [ticket_id for stored, ticket_id in inbound if text in stored]
            if not found:
                problems["lost"].append(text)
            elif len(found) > 1:
                problems["duplicated"].append(text)
            elif found[0] is None:
                problems["without_ticket"].append(text)
        created = Counter(session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.type == "created")))
        problems["tickets_created_twice"] = [t for t, n in created.items() if n > 1]
        outbound = session.execute(select(Message.id, Message.delivery_state, Message.delivery_error,
                                          Message.external_id).where(Message.direction == "out")).all()
        problems["replies_unsent"] = [tuple(m[:3]) for m in outbound if m.delivery_state != "sent"]
        _check_clocks(session, problems)
        session.rollback()
    posted = Counter(str(s["id"]) for s in platform_replies(fediverse))
    sent_ids = Counter(m.external_id for m in outbound if m.delivery_state == "sent")
    problems["replies_posted_twice"] = [i for i, n in sent_ids.items() if n > 1]
    problems["replies_not_ours"] = sorted(set(posted) - set(sent_ids))  # on the platform, not recorded: a double
    problems["replies_unsent"] += sorted(set(sent_ids) - set(posted))
    # periodic jobs (sweeps) may fail while a dependency is down and simply run again; messages may not
    failed = {q: _ids(FailedJobRegistry(q, connection=runtime.redis)) for q in ("ingest", "replies")}
    problems["dead_letters"] = [(q, ids) for q, ids in failed.items() if ids]
    return {name: found for name, found in problems.items() if found}


def _check_clocks(session, problems: dict[str, list]) -> None:
    for ticket in session.scalars(select(Ticket).order_by(Ticket.id)):
        first = session.scalar(select(func.min(Message.platform_created_at)).where(
            Message.ticket_id == ticket.id, Message.direction == "in"))
        if first is not None and _naive(ticket.created_at) != _naive(first):
            problems["clock_start"].append((ticket.id, ticket.created_at, first))
        stored = {name: _naive(getattr(ticket, name)) for name in CLOCK_FIELDS}
        sla.recompute(session, ticket, now=ticket.updated_at)
        again = {name: _naive(getattr(ticket, name)) for name in CLOCK_FIELDS}
        wrong = {name: (stored[name], again[name]) for name in CLOCK_FIELDS if stored[name] != again[name]}
        if wrong:
            problems["clocks"].append((ticket.id, wrong))


def _naive(value):
    return value.replace(tzinfo=None) if value is not None and value.tzinfo is not None else value
