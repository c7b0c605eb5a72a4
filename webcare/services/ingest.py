"""Ingest: a batch of normalised citizens' messages becomes stored messages on threaded tickets.

One call handles a whole batch in the caller's transaction, with a fixed number of statements per
batch (bulk Core inserts with RETURNING, see `ingest_store`) rather than per message or ticket:

1. drop messages already stored (unique channel + external id) and repeats within the batch;
2. store unknown citizens (contacts);
3. lock the live ticket of every thread in the batch; a thread without one gets a new ticket, a thread
   whose ticket was resolved or cancelled reopens it within `reopen_days`, else gets a new ticket that
   links back through `previous_ticket_id`;
4. new tickets are routed (`routing.route_new_row`) and their SLA clocks started
   (`sla.start_clocks_for_rows`) while they are still rows, so each is written once, by one INSERT;
5. insert the messages on their tickets and the history of the batch in one statement (`created`,
   `message_in`, `routed`, `reopened`, ...); then the routing labels, the automatic acknowledgements
   (fitted in step 4 to the room their replies have, `_reply_context`; outbound messages and their
   `auto_ack_sent` events, one statement each; their delivery jobs after commit), the safety team's notification of threats, and the clocks of the existing
   tickets that got a message (one query, one UPDATE);
6. after commit, publish `ticket_created` / `message_created` realtime events (one Redis pipeline) and
   enqueue the acknowledgements' `send_reply` jobs (one Lua script, unique job ids).

Two workers that race on one thread are serialised by the unique live-thread key: the loser joins the
winner's ticket. A message stored meanwhile by another job raises `ConcurrentIngest`; the job retries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import effective_at, utcnow
from webcare.errors import NotFound
from webcare.models import Channel, Ticket, User
from webcare.platforms.base import InboundMessage, storable_message
from webcare.queue import publish_many_after_commit
from webcare.services import channels, notifications, reply_addressing, routing, safety, sla
from webcare.services import ingest_store as store
from webcare.services.bulk import write_changed_columns
from webcare.services.events import event_row, insert_events
from webcare.services.replies import AutomaticReply
from webcare.workflow import CLOSED_STATUSES

DEFAULT_REOPEN_DAYS = 14
_LEADING_MENTIONS = re.compile(r"^(\s*@[\w.@-]+)+\s*")
_TICKET_COLUMNS = tuple(column.key for column in store.TICKETS.columns if column.key != "id")


class ConcurrentIngest(RuntimeError):
    """Another job stored some of these messages while this one ran; running again sorts it out."""


@dataclass
class IngestResult:
    received: int = 0
    duplicates: int = 0
    created: int = 0
    joined: int = 0
    reopened: int = 0
    ticket_ids: list[int] = field(default_factory=list)


@dataclass
class _NewTicket:
    """A ticket to open: its row (routed, clocks started), the routing decision and the acknowledgement."""

    row: dict[str, Any]
    decision: routing.RouteDecision
    ack: routing.Acknowledgement | None
    facts: list[dict[str, Any]] = field(default_factory=list)  # metric facts, inserted once the id is known


@dataclass
class _Batch:
    """Working state of one batch: threads, their tickets and what happened to them."""

    channel: Channel
    now: datetime
    threads: dict[str, list[InboundMessage]]
    contacts: dict[str, int] = field(default_factory=dict)
    live: dict[str, Ticket] = field(default_factory=dict)  # existing tickets that get messages
    reopen: set[str] = field(default_factory=set)
    previous: dict[str, int | None] = field(default_factory=dict)  # threads that need a new ticket
    new: dict[str, _NewTicket] = field(default_factory=dict)  # thread key -> the new ticket, once stored
    created: dict[str, int] = field(default_factory=dict)  # thread key -> new ticket id
    message_ids: dict[str, int] = field(default_factory=dict)  # external id -> message id
    events: list[dict] = field(default_factory=list)


def ingest_batch(session: Session, channel_id: int, messages: list[InboundMessage], *,
                 now: datetime | None = None, contacts: dict[str, int] | None = None) -> IngestResult:
    """Store the batch (see the module's docstring). `contacts`: platform user id -> contact id of citizens
    already stored and committed (what `store_contacts` returned); only the others are looked up."""
    now = now or utcnow()
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    unique = _unique_in_time_order([storable_message(m) for m in messages], now)
    known = store.existing_external_ids(session, channel_id, [m.external_id for m in unique])
    fresh = [m for m in unique if m.external_id not in known]
    result = IngestResult(received=len(unique), duplicates=len(unique) - len(fresh))
    if not fresh:
        return result
    batch = _Batch(channel=channel, now=now, threads=_by_thread(fresh))
    known = contacts or {}
    authors = {key: author for key, author in _authors(fresh, now).items() if key not in known}
    batch.contacts = {**known, **store.upsert_contacts(session, channel.platform, authors)}
    _attach_to_tickets(session, batch, _reopen_window(session))
    _store_messages(session, batch, fresh)
    _record_routing(batch)
    _update_live_tickets(batch)
    insert_events(session, batch.events)  # the whole history of the batch in one statement
    _finish_new_tickets(session, batch)
    _finish_live_tickets(session, batch)
    _publish(session, batch)
    result.created, result.joined, result.reopened = len(batch.created), len(batch.live), len(batch.reopen)
    result.ticket_ids = sorted([*batch.created.values(), *(t.id for t in batch.live.values())])
    return result


def store_contacts(session: Session, channel_id: int, messages: list[InboundMessage], *,
                   now: datetime | None = None) -> dict[str, int]:
    """Store the batch's unknown citizens; returns platform user id -> contact id of all its authors. The
    ingest job does this in a short transaction of its own before the batch: two jobs that meet the same new
    citizen then wait for each other only that long (contacts are never deleted, so the ids stay valid)."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    return store.upsert_contacts(session, channel.platform, _authors(messages, now or utcnow()))


# -- preparing ----------------------------------------------------------------------------------
def effective_time(message: InboundMessage, now: datetime) -> datetime:
    """The platform's time, or the ingest time when it is missing or lies in the future."""
    return effective_at(message.created_at, now)


def _unique_in_time_order(messages: list[InboundMessage], now: datetime) -> list[InboundMessage]:
    unique = {m.external_id: m for m in reversed(messages)}
    return sorted(unique.values(), key=lambda m: (effective_time(m, now), len(m.external_id), m.external_id))


def _by_thread(messages: list[InboundMessage]) -> dict[str, list[InboundMessage]]:
    threads: dict[str, list[InboundMessage]] = defaultdict(list)
    for message in messages:
        threads[message.thread_key].append(message)
    return dict(threads)


def _authors(messages: list[InboundMessage], now: datetime) -> dict[str, dict]:
    return {m.author_id: {"handle": m.author_handle, "display_name": m.author_name, "profile_url": m.author_url,
                          "seen_at": now} for m in messages}


def _reopen_window(session: Session) -> timedelta:
    settings = session.info.get("settings")
    return timedelta(days=getattr(settings, "reopen_days", DEFAULT_REOPEN_DAYS))


# -- tickets ------------------------------------------------------------------------------------
def _attach_to_tickets(session: Session, batch: _Batch, window: timedelta) -> None:
    """Decide per thread: join the live ticket, reopen it, or open a new one (linked to a closed one)."""
    found = store.lock_live_tickets(session, batch.channel.id, batch.threads)
    retired = False
    for key, messages in batch.threads.items():
        ticket = found.get(key)
        if ticket is None:
            batch.previous[key] = None
        elif ticket.status not in CLOSED_STATUSES:
            batch.live[key] = ticket
        elif effective_time(messages[0], batch.now) - (ticket.resolved_at or ticket.updated_at) <= window:
            batch.live[key] = ticket
            batch.reopen.add(key)
        else:
            ticket.current_thread_key = None  # the old ticket stays closed; a new one takes the thread
            batch.previous[key] = ticket.id
            retired = True
    if retired:
        session.flush()
    planned = _plan_new_tickets(session, batch)
    batch.created = store.insert_tickets(session, [plan.row for plan in planned.values()])
    batch.new = {key: planned[key] for key in batch.created}
    store.insert_metric_facts(session, [{**fact, "ticket_id": ticket_id} for key, ticket_id in batch.created.items()
                                        for fact in planned[key].facts])
    missing = [key for key in batch.previous if key not in batch.created]
    if missing:  # another worker opened these threads a moment ago: join its tickets
        batch.live.update(store.lock_live_tickets(session, batch.channel.id, missing))
        for key in missing:
            batch.previous.pop(key)


def _plan_new_tickets(session: Session, batch: _Batch) -> dict[str, _NewTicket]:
    """The rows of the new tickets, routed on their first message, with their clocks and acknowledgement."""
    planned = {}
    limit = channels.reply_limit(batch.channel)
    overhead = reply_addressing.overhead_for(batch.channel.platform)  # what sending adds (Mastodon: mentions, CW)
    for key in batch.previous:
        row = _ticket_row(batch, key)
        decision = routing.route_new_row(session, row, _route_input(batch, batch.threads[key][0]))
        room = limit - overhead(_reply_context(batch, key, row)) if overhead else limit
        ack = routing.acknowledgement(session, decision, row["language"], row["threat"], room)
        if ack is not None and ack.fits:
            row["auto_ack_sent_at"], row["promise_text"] = batch.now, ack.text
        planned[key] = _NewTicket(row, decision, ack)
    facts = sla.start_clocks_for_rows(session, [plan.row for plan in planned.values()], batch.now)
    for plan, rows in zip(planned.values(), facts, strict=True):
        plan.facts = rows
    return planned


def _ticket_row(batch: _Batch, key: str) -> dict:
    first = batch.threads[key][0]
    at = effective_time(first, batch.now)
    last = max(effective_time(m, batch.now) for m in batch.threads[key])
    row = dict.fromkeys(_TICKET_COLUMNS)
    row.update({
        "channel_id": batch.channel.id, "contact_id": batch.contacts.get(first.author_id), "thread_key": key,
        "current_thread_key": key, "kind": first.kind, "visibility": first.visibility,
        "subject": subject_of(first.text), "status": "new", "awaiting": "webcare", "priority": "normal",
        "threat": False, "language": first.language, "previous_ticket_id": batch.previous[key],
        "created_at": at, "received_at": batch.now, "updated_at": batch.now, "last_inbound_at": last,
        "reopen_count": 0, "activity_seq": 1, "sla_targets": {}, "handling_paused_seconds": 0,
        "sla_level": "on_time"})
    return row


def _reply_context(batch: _Batch, key: str, row: dict) -> dict[str, Any]:
    """What the adapter is asked about the acknowledgement's reply (`reply_addressing.context_for`), from the
    batch (a new ticket's messages are all in it) as the composer and delivery read it from the stored rows:
    the message it answers (`_answered`) and the citizen (the first author) as `citizen_address` finds them."""
    thread = batch.threads[key]
    answered, citizen = _answered(thread), thread[0].author_id
    own = answered if answered.author_id == citizen else _answered([m for m in thread if m.author_id == citizen])
    recipient = reply_addressing.address_of(own.raw, own.author_handle[:255]) if row["contact_id"] else None
    return reply_addressing.context_for(answered.raw, kind=row["kind"], visibility=row["visibility"],
                                        last_inbound_at=row["last_inbound_at"],
                                        author_handle=answered.author_handle[:255],
                                        message_visibility=answered.visibility, recipient=recipient)


def _answered(thread: list[InboundMessage]) -> InboundMessage:
    """The message a new ticket's acknowledgement answers: the citizen's stored last (`store.insert_messages`
    stores a batch in order of external id), as `replies.reply_target` would find it."""
    return thread[0] if len(thread) == 1 else max(thread, key=lambda m: m.external_id)


def _route_input(batch: _Batch, message: InboundMessage) -> routing.RouteInput:
    """What routing sees of the first message (as `routing.route_input_for` reads it from the stored one)."""
    return routing.RouteInput(text=message.text or "", platform=batch.channel.platform, channel_id=batch.channel.id,
                              kind=message.kind, visibility=message.visibility,
                              author=message.author_handle[:255], language=message.language,
                              at=effective_time(message, batch.now))


def subject_of(text: str) -> str:
    """The first line of the message without the leading @mentions, for lists."""
    stripped = _LEADING_MENTIONS.sub("", text).strip() or text.strip()
    return (stripped.splitlines() or [""])[0][:280]


# -- messages and history -----------------------------------------------------------------------
def _store_messages(session: Session, batch: _Batch, messages: list[InboundMessage]) -> None:
    ticket_of = {key: ticket.id for key, ticket in batch.live.items()} | batch.created
    rows = [_message_row(batch, m, ticket_of[m.thread_key]) for m in messages]
    batch.message_ids = store.insert_messages(session, rows)
    if len(batch.message_ids) != len(rows):
        raise ConcurrentIngest(f"{len(rows) - len(batch.message_ids)} message(s) were stored by another job")
    for key, thread in batch.threads.items():
        ticket_id = ticket_of[key]
        for index, message in enumerate(thread):
            at = effective_time(message, batch.now)
            message_id = batch.message_ids[message.external_id]
            if index == 0 and key in batch.created:
                data = {"message_id": message_id, "kind": message.kind, "visibility": message.visibility}
                batch.events.append(event_row(ticket_id, "created", at, data))
                continue
            if index == 0 and key in batch.reopen:
                batch.events.append(event_row(ticket_id, "reopened", at, {"message_id": message_id}))
            batch.events.append(event_row(ticket_id, "message_in", at, {"message_id": message_id}))


def _message_row(batch: _Batch, message: InboundMessage, ticket_id: int) -> dict:
    return {"ticket_id": ticket_id, "channel_id": batch.channel.id, "contact_id": batch.contacts.get(message.author_id),
            "direction": "in", "platform": batch.channel.platform, "external_id": message.external_id,
            "thread_key": message.thread_key, "in_reply_to": message.in_reply_to, "kind": message.kind,
            "visibility": message.visibility, "text": message.text, "url": message.url,
            "language": message.language, "author_handle": message.author_handle[:255],
            "author_name": message.author_name[:255], "author_user_id": None,
            "platform_created_at": message.created_at, "received_at": batch.now, "raw": message.raw or None,
            "is_automatic": False, "based_on_message_id": None, "delivery_state": None, "delivery_error": None,
            "delivery_attempts": 0, "idempotency_key": None, "sent_at": None, "pii_override_reason": None}


def _record_routing(batch: _Batch) -> None:
    """The `routed` event of every new ticket, after its `created` and `message_in` events."""
    for key, ticket_id in batch.created.items():
        plan = batch.new[key]
        decision = plan.decision
        data = {"rule_id": decision.rule_id, "rule": decision.rule, "category": decision.category,
                "department": decision.department, "priority": decision.priority, "labels": list(decision.labels)}
        batch.events.append(event_row(ticket_id, "routed", batch.now, data, department_id=plan.row["department_id"]))


def _finish_new_tickets(session: Session, batch: _Batch) -> None:
    """What needs the new tickets' ids: labels, acknowledgements, the safety team's notification."""
    routing.store_labels(session, {batch.created[key]: plan.decision.labels
                                   for key, plan in batch.new.items() if plan.decision.labels})
    routing.acknowledge_new_tickets(session, [_acknowledgement(batch, key, plan.ack)
                                              for key, plan in batch.new.items() if plan.ack is not None])
    threats = [batch.created[key] for key, plan in batch.new.items() if plan.row["threat"]]
    for ticket in store.load_by_ids(session, Ticket, threats).values():
        safety.on_threat_flagged(session, ticket)


def _acknowledgement(batch: _Batch, key: str, ack: routing.Acknowledgement) -> AutomaticReply:
    """The reply answers the citizen's latest message on the ticket (the one stored last, `_answered`); one that
    does not fit in the room its reply has is stored as not sent (`too_long`), with its text."""
    row = batch.new[key].row
    return AutomaticReply(ticket_id=batch.created[key], channel_id=batch.channel.id, contact_id=row["contact_id"],
                          platform=batch.channel.platform, thread_key=key,
                          in_reply_to=_answered(batch.threads[key]).external_id,
                          visibility="private" if row["visibility"] == "private" else "public", text=ack.text,
                          handle=batch.channel.handle, at=batch.now, language=row["language"],
                          default_text=ack.default_text, unsent=None if ack.fits else "too_long")


# -- existing tickets ---------------------------------------------------------------------------
def _update_live_tickets(batch: _Batch) -> None:
    """Existing tickets that got messages: times, activity, reopen, and back from waiting on the citizen."""
    for key, ticket in batch.live.items():
        latest = max(effective_time(m, batch.now) for m in batch.threads[key])
        ticket.last_inbound_at = max(ticket.last_inbound_at or latest, latest)
        ticket.updated_at = batch.now
        ticket.activity_seq = (ticket.activity_seq or 0) + 1
        if key in batch.reopen:
            ticket.status, ticket.resolved_at, ticket.awaiting = "open", None, "webcare"
            ticket.reopen_count = (ticket.reopen_count or 0) + 1
        elif ticket.status == "waiting_citizen":
            at = effective_time(batch.threads[key][0], batch.now)
            batch.events.append(event_row(ticket.id, "status_changed", at,
                                          {"from": "waiting_citizen", "to": "open", "text": ""}))
            ticket.status, ticket.awaiting = "open", "webcare"
        elif ticket.awaiting == "citizen":
            ticket.awaiting = "webcare"


def _finish_live_tickets(session: Session, batch: _Batch) -> None:
    """Recompute the clocks of the existing tickets from their history (one query), write them (one UPDATE)."""
    tickets = list(batch.live.values())
    sla.recompute_stored(session, tickets, batch.now)
    write_changed_columns(session, tickets)
    _notify_assignees(session, batch)


def _notify_assignees(session: Session, batch: _Batch) -> None:
    assigned = {t.assignee_id for t in batch.live.values() if t.assignee_id}
    if not assigned:
        return
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(assigned)))}
    for key, ticket in batch.live.items():
        if ticket.assignee_id in users:
            who = batch.threads[key][0].author_handle
            text = (f"Ticket {ticket.id} is heropend door een nieuw bericht van {who}" if key in batch.reopen
                    else f"Nieuw bericht van {who} op ticket {ticket.id}")
            notifications.notify(session, [users[ticket.assignee_id]], "message_in", text, ticket=ticket)


def _publish(session: Session, batch: _Batch) -> None:
    events = [_event("ticket_created", ticket_id, batch.new[key].row, batch.message_ids[batch.threads[key][0].external_id])
              for key, ticket_id in batch.created.items()]
    events += [_event("message_created", ticket.id, {"department_id": ticket.department_id, "threat": ticket.threat},
                      batch.message_ids[message.external_id])
               for key, ticket in batch.live.items() for message in batch.threads[key]]
    publish_many_after_commit(session, events)  # one Redis round trip for the whole batch


def _event(kind: str, ticket_id: int, ticket: dict, message_id: int) -> dict:
    return {"type": kind, "ticket_id": ticket_id, "department_id": ticket["department_id"],
            "threat": ticket["threat"], "message_id": message_id}
