"""Replies to citizens: queue an outbound message; the `send_reply` job delivers it exactly once.

A public reply with personal data in it is held (422 with the findings) unless the agent overrides
with a reason, which is logged (audit `reply.pii_override` and a `pii_override` ticket event).
Ingest queues the automatic acknowledgements of a batch's new tickets at once
(`queue_automatic_replies`: the same rows and events, a few statements for the whole batch).

Delivery (`workers.replies.send_reply`) runs in three steps so no transaction is open during the
platform call: `begin_delivery` (lock, mark `sending`, count the attempt, snapshot what to send),
the platform call with the message's idempotency key, then `record_delivery_success` or
`record_delivery_failure`. States: queued -> sending -> sent | failed. A message still `sending` when
its job runs again may already be on the platform: within the platform's idempotency window the same
key makes the repeat harmless; after it, the adapter is asked first (`find_sent_reply`).
`retry_delivery` sends a failed reply again (the ticket's retry button).
A reply that meets the platform's rate limit (429, or a quota nearly used up) is not failed: it and the
channel's other replies wait, `queued`, until the limit is over (`reply_waits`; the job has rq schedule it
again). An automatic acknowledgement that is still waiting when a person answers the citizen, when the
ticket is closed, or after `acknowledgement_max_wait_seconds` (default an hour), is not sent any more:
`skipped` (shown as "failed" in the API, with why), with an `auto_ack_skipped` event; it is never skipped
once an attempt may have reached the platform.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from webcare.models import Channel, Message, Ticket, User
from webcare.platforms.base import ReplyRequest, SentReply
from webcare.platforms.errors import NeedsReauth, PermanentError, PlatformError, RateLimited
from webcare.queue import QUEUE_REPLIES, broker_for, enqueue_after_commit, publish_after_commit
from webcare.services import audit, channels, notifications, privacy_guard, sla
from webcare.services.bulk import bulk_insert
from webcare.services.channels import ChannelConnection
from webcare.services.events import record_event
from webcare.services.reply_addressing import citizen_address, language_code, reply_language
from webcare.workflow import CLOSED_STATUSES

SEND_REPLY_JOB = "workers.replies.send_reply"
MESSAGES = Message.__table__


class PersonalDataInPublicReply(Unprocessable):
    code = "personal_data"


def queue_reply(session: Session, ticket: Ticket, author: User | None, text: str, visibility: str, *,
                override_reason: str | None = None, automatic: bool = False,
                at: datetime | None = None) -> Message:
    """Create the outbound message (delivery state `queued`) and enqueue its delivery after commit."""
    text = text.strip()
    if not text:
        raise ValidationFailed("a reply needs a text", fields={"text": "required"})
    if visibility not in ("public", "private"):
        raise ValidationFailed("visibility must be public or private", fields={"visibility": visibility})
    findings = _guard_public_text(text, override_reason) if visibility == "public" and not automatic else []
    message = Message(**outbound_row(
        ticket_id=ticket.id, channel_id=ticket.channel_id, contact_id=ticket.contact_id,
        platform=ticket.channel.platform, thread_key=ticket.thread_key, in_reply_to=reply_target(session, ticket),
        visibility=visibility, text=text, handle=ticket.channel.handle, author=author, at=at or utcnow(),
        automatic=automatic, language=reply_language(text, ticket.language), override_reason=override_reason))
    session.add(message)
    session.flush()
    if findings:
        privacy_guard.record_override(session, ticket, author, message, findings, override_reason, at=at)
    if not automatic:  # an automatic reply's history is its `auto_ack_sent` (routing.send_auto_ack)
        record_event(session, ticket, "reply_queued", actor=author, at=at,
                     data={"message_id": message.id, "visibility": visibility, "automatic": False})
        if not session.info.get("replaying_history"):  # history has no acknowledgements (routing._acknowledges)
            withhold_acknowledgements(session, ticket, "answered", at)
    enqueue_delivery(session, message.id)
    return message


def outbound_row(*, ticket_id: int, channel_id: int, contact_id: int | None, platform: str, thread_key: str,
                 in_reply_to: str | None, visibility: str, text: str, handle: str, author: User | None,
                 at: datetime, automatic: bool, language: str | None = None,
                 override_reason: str | None = None) -> dict:
    """Every column of a queued outbound message (a reply to the citizen), with a fresh idempotency key; `language`
    is the reply's (an agent's: `reply_language`; an acknowledgement's: the ticket's), stored as ISO 639-1."""
    return {"ticket_id": ticket_id, "channel_id": channel_id, "contact_id": contact_id, "direction": "out",
            "platform": platform, "external_id": None, "thread_key": thread_key, "in_reply_to": in_reply_to,
            "kind": "reply", "visibility": visibility, "text": text, "url": None,
            "language": language_code(language),
            "author_handle": handle, "author_name": author.name if author else "",
            "author_user_id": author.id if author else None, "platform_created_at": None, "received_at": at,
            "raw": None, "is_automatic": automatic, "based_on_message_id": None, "delivery_state": "queued",
            "delivery_error": None, "delivery_attempts": 0, "idempotency_key": secrets.token_hex(16), "sent_at": None,
            "pii_override_reason": override_reason}


@dataclass(frozen=True)
class AutomaticReply:
    """An automatic reply (the acknowledgement of a new ticket) to queue in bulk: the ticket's columns it needs."""

    ticket_id: int
    channel_id: int
    contact_id: int | None
    platform: str
    thread_key: str
    in_reply_to: str | None  # the external id of the citizen's latest message on the ticket
    visibility: str
    text: str
    handle: str  # the channel's own handle
    at: datetime
    language: str | None = None  # the ticket's
    default_text: bool = False  # the default acknowledgement: the category's promise did not fit (its event says so)
    unsent: str | None = None  # stored `skipped` for this reason, never sent (`too_long`: the platform would refuse it)


def queue_automatic_replies(session: Session, items: list[AutomaticReply]) -> dict[int, int]:
    """`queue_reply(..., automatic=True)` for many tickets at once (ingest): one insert of the messages, one
    enqueue of their delivery jobs after commit; an `unsent` one is stored `skipped` at once, without a job.
    Returns ticket id -> message id (the caller records each one's `auto_ack_sent` or `auto_ack_skipped`)."""
    rows = {row["idempotency_key"]: row for row in (_skipped_at_once(
        outbound_row(ticket_id=i.ticket_id, channel_id=i.channel_id, contact_id=i.contact_id, platform=i.platform,
                     thread_key=i.thread_key, in_reply_to=i.in_reply_to, visibility=i.visibility, text=i.text,
                     handle=i.handle, author=None, at=i.at, automatic=True, language=i.language), i.unsent)
        for i in items)}
    inserted = dict(bulk_insert(session, MESSAGES, list(rows.values()), returning=("idempotency_key", "id")))
    made = {rows[key]["ticket_id"]: message_id for key, message_id in inserted.items()}
    for item in items:
        if not item.unsent:
            enqueue_delivery(session, made[item.ticket_id])
    return made


def _skipped_at_once(row: dict, reason: str | None) -> dict:
    if reason:  # as `_skip` leaves one
        row.update(delivery_state="skipped", delivery_error=ACKNOWLEDGEMENT_SKIPPED[reason],
                   raw={"delivery": {"skipped": reason}})
    return row


def _guard_public_text(text: str, override_reason: str | None) -> list:
    """The personal data in a public text; raise unless the agent gave a reason to send it anyway."""
    findings = privacy_guard.check_public_text(text)
    if findings and not (override_reason or "").strip():
        raise PersonalDataInPublicReply(
            "this public reply contains personal data; reply privately, edit it, or override with a reason",
            fields={"findings": privacy_guard.findings_json(findings)},
        )
    return findings


def reply_target(session: Session, ticket: Ticket) -> str | None:
    """The external id of the citizen's latest message: our reply goes in reply to it."""
    return session.scalar(
        select(Message.external_id).where(Message.ticket_id == ticket.id, Message.direction == "in")
        .order_by(Message.id.desc()).limit(1)
    )


# -- delivery -----------------------------------------------------------------------------------
DELIVERY_FAILURE_TTL = 7 * 24 * 3600


def delivery_job_id(message_id: int) -> str:
    return f"send-reply-{message_id}"


_DELIVERY_RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])  # read, never changed, by rq


def delivery_retry() -> Retry:
    return _DELIVERY_RETRY


def enqueue_delivery(session: Session, message_id: int) -> None:
    """Enqueue `send_reply` after commit, once: a unique job id per message (the jobs of one transaction
    go to Redis together, see `queue.Broker.enqueue_now`)."""
    enqueue_after_commit(session, SEND_REPLY_JOB, message_id, queue=QUEUE_REPLIES,
                         job_id=delivery_job_id(message_id), unique=True, retry=delivery_retry(), timeout=120,
                         result_ttl=0, failure_ttl=DELIVERY_FAILURE_TTL)


@dataclass(frozen=True)
class DeliveryAttempt:
    """What the job sends, taken out of the transaction."""

    message_id: int
    connection: ChannelConnection
    request: ReplyRequest
    earlier_attempts: int
    first_attempt_at: datetime
    known_external_ids: frozenset[str]

    def needs_lookup(self, window: timedelta | None, now: datetime) -> bool:
        """May an earlier attempt have reached the platform beyond what its idempotency key covers?"""
        if not self.earlier_attempts:
            return False
        return window is None or now - self.first_attempt_at > window


def begin_delivery(session: Session, message_id: int, now: datetime | None = None) -> DeliveryAttempt | None:
    """Mark the message `sending` and count the attempt; None when there is nothing to send."""
    now = now or utcnow()
    message = session.scalar(select(Message).where(Message.id == message_id).with_for_update())
    if message is None or message.direction != "out" or message.delivery_state not in ("queued", "sending", "failed"):
        return None
    if message.is_automatic and (reason := _acknowledgement_not_needed(session, message, now)):
        _skip(session, session.get(Ticket, message.ticket_id), message, reason, now)
        return None
    delivery = dict((message.raw or {}).get("delivery") or {})
    delivery.setdefault("first_attempt_at", now.isoformat())
    delivery["last_attempt_at"] = now.isoformat()
    delivery.pop("wait_until", None)
    earlier = message.delivery_attempts or 0
    message.raw = {**(message.raw or {}), "delivery": delivery}
    message.delivery_state, message.delivery_attempts = "sending", earlier + 1
    channel = session.get(Channel, message.channel_id)
    known = _other_replies_to_the_same_post(session, message)
    answered = _answered(session, message)
    request = ReplyRequest(text=message.text, visibility=message.visibility, in_reply_to=message.in_reply_to,
                           recipient=citizen_address(session, message.ticket_id, message.contact_id, answered),
                           idempotency_key=message.idempotency_key or "", language=message.language or "nl",
                           thread_key=message.thread_key, context=(answered.raw or {}) if answered else {},
                           written_at=message.received_at)
    return DeliveryAttempt(message.id, channels.connection_for(session, channel), request, earlier,
                           datetime.fromisoformat(delivery["first_attempt_at"]), frozenset(known))


ACKNOWLEDGEMENT_SKIPPED = {"answered": "not sent: a person answered the citizen first",
                           "closed": "not sent: the ticket was closed before it could be sent",
                           "late": "not sent: it could not go out within acknowledgement_max_wait_seconds",
                           "too_long": "not sent: too long for the platform with what a reply there gets added"}
DEFAULT_ACKNOWLEDGEMENT_MAX_WAIT = 3600


def withhold_acknowledgements(session: Session, ticket: Ticket, reason: str, now: datetime | None = None) -> None:
    """The ticket's automatic acknowledgements that still wait for the platform (a rate limit held them) are
    not sent any more: a person answered, so "we have received your message" would come after the answer."""
    waiting = session.scalars(select(Message).where(
        Message.ticket_id == ticket.id, Message.direction == "out", Message.is_automatic.is_(True),
        Message.delivery_state == "queued").with_for_update())
    for message in waiting:
        if _never_reached_platform(message):
            _skip(session, ticket, message, reason, now or utcnow())


def _acknowledgement_not_needed(session: Session, message: Message, now: datetime) -> str | None:
    """Why this waiting acknowledgement should not be sent now: the ticket is closed, a person answered, or
    it waited so long that it would only take the quota people's answers need (`late`)."""
    if not _never_reached_platform(message):
        return None
    if session.scalar(select(Ticket.status).where(Ticket.id == message.ticket_id)) in CLOSED_STATUSES:
        return "closed"
    answered = session.scalar(select(Message.id).where(
        Message.ticket_id == message.ticket_id, Message.direction == "out", Message.is_automatic.is_(False),
        Message.delivery_state != "failed").limit(1))
    if answered is not None:
        return "answered"
    limit = getattr(session.info.get("settings"), "acknowledgement_max_wait_seconds", DEFAULT_ACKNOWLEDGEMENT_MAX_WAIT)
    if limit and message.received_at and now - message.received_at > timedelta(seconds=limit):
        return "late"
    return None


def _never_reached_platform(message: Message) -> bool:
    """No attempt of this reply can be on the platform: every attempt was refused with a rate limit
    (`reply_waits.record_delivery_wait` counts them), or there was none."""
    if message.delivery_state not in ("queued", "failed"):
        return False
    refused = ((message.raw or {}).get("delivery") or {}).get("refused", 0)
    return (message.delivery_attempts or 0) <= refused


def _skip(session: Session, ticket: Ticket, message: Message, reason: str, now: datetime) -> None:
    message.delivery_state, message.delivery_error = "skipped", ACKNOWLEDGEMENT_SKIPPED[reason]
    message.raw = {**(message.raw or {}), "delivery": {**((message.raw or {}).get("delivery") or {}), "skipped": reason}}
    record_event(session, ticket, "auto_ack_skipped", at=now, data={"message_id": message.id, "reason": reason})
    publish_delivery(session, ticket, message)


def _other_replies_to_the_same_post(session: Session, message: Message) -> list[str]:
    """The platform ids of our other delivered replies to the post this one answers: the only ones that
    `find_sent_reply` ("our reply to `in_reply_to` with this text") could return instead of this one.
    Bounded by one thread (index on channel and thread key), not by the channel's whole history."""
    if not message.in_reply_to:
        return []
    return list(session.scalars(select(Message.external_id).where(
        Message.channel_id == message.channel_id, Message.thread_key == message.thread_key,
        Message.in_reply_to == message.in_reply_to, Message.direction == "out", Message.id != message.id,
        Message.external_id.is_not(None))))


def _answered(session: Session, message: Message):
    """The raw payload, author and contact of the message this reply answers (the latest on the ticket when the
    reply was written; possibly someone else's than the citizen's), if known."""
    if not message.in_reply_to:
        return None
    return session.execute(select(Message.raw, Message.author_handle, Message.contact_id).where(
        Message.channel_id == message.channel_id, Message.external_id == message.in_reply_to)).first()


def record_delivery_success(session: Session, message_id: int, sent: SentReply, now: datetime | None = None) -> None:
    """The platform accepted the reply: store its id, record `reply_sent`, update the ticket and clocks."""
    now = now or utcnow()
    message = session.scalar(select(Message).where(Message.id == message_id).with_for_update())
    if message is None or message.delivery_state == "sent":
        return
    sent_at = min(sent.created_at or now, now)
    message.external_id, message.url, message.sent_at = sent.external_id, sent.url, sent_at
    message.delivery_state, message.delivery_error = "sent", None
    message.raw = {**(message.raw or {}), "platform": sent.raw}
    ticket = session.get(Ticket, message.ticket_id)
    ticket.updated_at, ticket.activity_seq = now, (ticket.activity_seq or 0) + 1
    if message.is_automatic:  # an acknowledgement is no answer: the ticket stays "Onbeantwoord"
        ticket.auto_ack_sent_at = ticket.auto_ack_sent_at or sent_at
    else:
        ticket.last_outbound_at = max(ticket.last_outbound_at or sent_at, sent_at)
    author = session.get(User, message.author_user_id) if message.author_user_id else None
    record_event(session, ticket, "reply_sent", actor=author, at=sent_at, dedupe_key=f"reply_sent:{message.id}",
                 data={"message_id": message.id, "visibility": message.visibility,
                       "automatic": message.is_automatic})
    session.flush()
    sla.recompute(session, ticket, now)
    publish_delivery(session, ticket, message)


def record_delivery_failure(session: Session, message_id: int, error: PlatformError, *, final: bool,
                            now: datetime | None = None) -> None:
    """Show the platform's refusal; a permanent or final failure is `failed` and tells the author."""
    now = now or utcnow()
    message = session.scalar(select(Message).where(Message.id == message_id).with_for_update())
    if message is None or message.delivery_state == "sent":
        return
    ticket = session.get(Ticket, message.ticket_id)
    if isinstance(error, (NeedsReauth, RateLimited)):
        channels.record_platform_error(session, channels.get_channel(session, message.channel_id, lock=True), error)
    permanent = isinstance(error, PermanentError)
    if not (final or permanent or isinstance(error, NeedsReauth)):
        message.delivery_error = f"{error} (retrying)"[:2000]
        publish_delivery(session, ticket, message)
        return
    message.delivery_state, message.delivery_error = "failed", str(error)[:2000]
    record_event(session, ticket, "reply_failed", at=now,
                 data={"message_id": message.id, "error": str(error), "permanent": permanent})
    session.flush()
    sla.recompute(session, ticket, now)
    author = session.get(User, message.author_user_id) if message.author_user_id else None
    if author is not None:
        notifications.notify(session, [author], "delivery_failed",
                             f"Je antwoord op ticket {ticket.id} is niet verstuurd: {error}", ticket=ticket)
    publish_delivery(session, ticket, message)


def retry_delivery(session: Session, message_id: int, user: User | None = None,
                   origin: audit.Origin = audit.CLI) -> Message:
    """Send a failed reply again (same idempotency key: never twice on the platform)."""
    message = session.scalar(select(Message).where(Message.id == message_id).with_for_update())
    if message is None or message.direction != "out":
        raise NotFound(f"reply {message_id} not found")
    if message.delivery_state != "failed":
        raise Conflict("only a reply that failed can be sent again", code="not_failed")
    message.delivery_state, message.delivery_error = "queued", None
    _forget_finished_job(session, delivery_job_id(message.id))
    enqueue_delivery(session, message.id)
    audit.record(session, user, "reply.retry", origin, ticket_id=message.ticket_id, target=("message", message.id))
    publish_delivery(session, session.get(Ticket, message.ticket_id), message)
    return message


def stuck_deliveries(session: Session, now: datetime | None = None, *, older_than: timedelta = timedelta(minutes=2),
                     limit: int = 200) -> list[Message]:
    """Replies still queued or sending a while after they were written (their job may be lost)."""
    now = now or utcnow()
    return list(session.scalars(select(Message).where(
        Message.direction == "out", Message.delivery_state.in_(("queued", "sending")),
        Message.received_at < now - older_than).order_by(Message.id).limit(limit)))


def _forget_finished_job(session: Session, job_id: str) -> None:
    """Drop a failed or finished job with this id so the unique enqueue can happen again."""
    try:
        job = Job.fetch(job_id, connection=broker_for(session).redis)
    except NoSuchJobError:
        return
    if job.get_status() in (JobStatus.FAILED, JobStatus.FINISHED, JobStatus.STOPPED, JobStatus.CANCELED):
        job.delete()


def publish_delivery(session: Session, ticket: Ticket, message: Message) -> None:
    publish_after_commit(session, {"type": "delivery_updated", "ticket_id": ticket.id,
                                   "department_id": ticket.department_id, "threat": ticket.threat,
                                   "message_id": message.id})
