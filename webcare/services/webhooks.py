"""Webhook intake: verify the signature, store the raw body, enqueue, answer fast.

A platform that pushes (Meta's webhooks, for instance) registers a `WebhookHandler`: how to verify a
delivery with the channel's credentials, how to parse a stored body into normalised messages, and
how to tell at once a body that is no notification at all (refused 400, not stored), and optionally how to
answer the subscription handshake (GET). The endpoint is
`/webhooks/<platform>/<channel_id>`. Each body is stored once (unique by its SHA-256: a platform's
redelivery is answered 200 without new work), and `workers.webhooks.process_delivery` parses it later
and feeds the messages through the same `ingest_batch` as polling.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.errors import Forbidden, NotFound, ValidationFailed
from webcare.models import Channel, WebhookDelivery
from webcare.platforms import meta_webhooks
from webcare.platforms.base import InboundMessage
from webcare.queue import QUEUE_INGEST, JobSpec, broker_for
from webcare.services import ingest, webhook_health
from webcare.services.bulk import dialect_insert
from webcare.services.polling import ingest_retry
from webcare.services.webhook_health import WebhookHealth

PROCESS_JOB = "workers.webhooks.process_delivery"
DELIVERY_FAILURE_TTL = 30 * 24 * 3600  # a delivery that failed for good stays a dead letter for a month
RECOVERY_WINDOW = timedelta(days=2)
RECOVERY_BATCH = 500
_PRIVATE_HEADERS = {"authorization", "cookie", "proxy-authorization"}


@dataclass(frozen=True)
class WebhookHandler:
    platform: str
    verify: Callable[[Mapping[str, str], bytes, dict[str, Any]], bool]  # headers, body, credentials
    parse: Callable[[bytes, Mapping[str, str], dict[str, Any]], list[InboundMessage]]  # body, headers, credentials
    challenge: Callable[[Mapping[str, str], dict[str, Any]], str | None] | None = None  # query, credentials
    check: Callable[[bytes], object] | None = None  # raises ValueError for a body that is no notification


_HANDLERS: dict[str, WebhookHandler] = {}


def register(handler: WebhookHandler) -> WebhookHandler | None:
    """Register `handler` for its platform; returns the one it replaces (tests put it back)."""
    previous = _HANDLERS.get(handler.platform)
    _HANDLERS[handler.platform] = handler
    return previous


def unregister(platform: str) -> None:
    _HANDLERS.pop(platform, None)


def hmac_sha256_valid(secret: str | None, body: bytes, signature: str | None, prefix: str = "sha256=") -> bool:
    """Constant-time check of an `X-Hub-Signature-256`-style header."""
    if not secret or not signature or not signature.startswith(prefix):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    # as bytes: compare_digest raises TypeError on a str with non-ASCII characters (a junk header)
    given = signature[len(prefix):].strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)


def receive(session: Session, platform: str, channel_id: int, headers: Mapping[str, str], body: bytes) -> int | None:
    """Verify and store one delivery; returns its id, or None when this body was stored before."""
    handler, channel = _handler_and_channel(session, platform, channel_id)
    if not handler.verify(_lower(headers), body, _credentials(session, channel)):
        raise Forbidden("the webhook signature is missing or does not match the channel's app secret")
    if handler.check is not None:
        try:
            handler.check(body)
        except ValueError as exc:  # signed, but no notification: storing it would only make a dead letter
            raise ValidationFailed(str(exc)) from exc
    row = {"platform": platform, "channel_id": channel.id, "body_sha256": hashlib.sha256(body).hexdigest(),
           "headers": {k: v for k, v in _lower(headers).items() if k not in _PRIVATE_HEADERS}, "body": body,
           "received_at": utcnow(), "processed_at": None, "error": None}
    statement = (dialect_insert(session, WebhookDelivery.__table__)
                 .on_conflict_do_nothing(index_elements=["body_sha256"]).returning(WebhookDelivery.__table__.c.id))
    delivery_id = session.execute(statement, row).scalar()
    if delivery_id is not None:
        broker_for(session).enqueue_after_commit(session, delivery_job(delivery_id))
    return delivery_id


def health(session: Session, redis: Redis | None, channels: list[Channel]) -> dict[int, WebhookHealth]:
    """The webhook health (services.webhook_health) of those of these channels whose platform pushes."""
    return webhook_health.health_of(session, redis, [c for c in channels if c.platform in _HANDLERS])


def delivery_job(delivery_id: int) -> JobSpec:
    """The job that processes a stored delivery: one per delivery (a unique id), so the recovery sweep can
    put back a job that Redis lost without ever running two."""
    return JobSpec(func=PROCESS_JOB, args=(delivery_id,), queue=QUEUE_INGEST, job_id=f"webhook-delivery-{delivery_id}",
                   unique=True, retry=ingest_retry(), failure_ttl=DELIVERY_FAILURE_TTL)


def unprocessed(session: Session, *, older_than: timedelta, window: timedelta = RECOVERY_WINDOW) -> list[int]:
    """Deliveries stored but not processed, received between `window` and `older_than` ago (oldest first):
    the candidates for a lost job. Older ones have had their job fail for good (a dead letter) long ago."""
    now = utcnow()
    return list(session.scalars(
        select(WebhookDelivery.id).where(WebhookDelivery.received_at.between(now - window, now - older_than),
                                         WebhookDelivery.processed_at.is_(None))
        .order_by(WebhookDelivery.received_at).limit(RECOVERY_BATCH)))


def answer_challenge(session: Session, platform: str, channel_id: int, query: Mapping[str, str]) -> str:
    handler, channel = _handler_and_channel(session, platform, channel_id)
    answer = handler.challenge(query, _credentials(session, channel)) if handler.challenge else None
    if answer is None:
        raise Forbidden("the subscription handshake is not valid: hub.mode must be subscribe and "
                        "hub.verify_token the channel's verify token")
    return answer


def setup_for(session: Session, channel: Channel) -> dict[str, Any] | None:
    """What an administrator enters in the platform's app dashboard for this channel: the callback path
    (`/webhooks/<platform>/<id>`, to put behind the public HTTPS address), the verify token and the fields
    to subscribe to; None for platforms without webhooks."""
    handler = _HANDLERS.get(channel.platform)
    if handler is None or channel.id is None:
        return None
    return {"path": f"/webhooks/{channel.platform}/{channel.id}",
            "verify_token": _credentials(session, channel).get("verify_token"),
            "fields": list(meta_webhooks.FIELDS.get(channel.platform, ()))}


def process_delivery(session: Session, delivery_id: int) -> ingest.IngestResult:
    """Parse a stored delivery and ingest its messages (once: a processed delivery is skipped)."""
    delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update())
    if delivery is None:
        raise NotFound(f"webhook delivery {delivery_id} not found")
    if delivery.processed_at is not None:
        return ingest.IngestResult()
    handler, result = _handler(delivery.platform), ingest.IngestResult()
    for channel_id, credentials in _receiving_channels(session, delivery):
        messages = handler.parse(delivery.body, delivery.headers or {}, credentials)
        if messages:
            _add(result, ingest.ingest_batch(session, channel_id, messages))
    delivery.processed_at, delivery.error = utcnow(), None
    return result


def _receiving_channels(session: Session, delivery: WebhookDelivery) -> list[tuple[int, dict[str, Any]]]:
    """The channel the platform called, then the other channels of its platform that share its app secret:
    Meta calls one callback URL per app, so one delivery can hold entries of every Page the app is installed
    on, and each Page's entries belong to that Page's channel (the parser keeps only a channel's own)."""
    called = session.get(Channel, delivery.channel_id)
    if called is None:
        return [(delivery.channel_id, {})]
    credentials = _credentials(session, called)
    receiving = [(called.id, credentials)]
    secret = credentials.get("app_secret")
    if not secret:
        return receiving
    siblings = session.scalars(select(Channel).where(Channel.platform == called.platform, Channel.id != called.id)
                               .order_by(Channel.id))
    for sibling in siblings:
        sibling_credentials = _credentials(session, sibling)
        if sibling_credentials.get("app_secret") == secret:
            receiving.append((sibling.id, sibling_credentials))
    return receiving


def _add(total: ingest.IngestResult, part: ingest.IngestResult) -> None:
    for name in ("received", "duplicates", "created", "joined", "reopened"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.ticket_ids.extend(part.ticket_ids)


def record_failure(session: Session, delivery_id: int, error: str) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is not None:
        delivery.error = error[:2000]


def give_up(session: Session, delivery_id: int) -> None:
    """An administrator discarded the delivery's failed job: the delivery counts as done (not recovered,
    its body cleared by retention like a processed one's), with the reason on it."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is not None and delivery.processed_at is None:
        delivery.processed_at = utcnow()
        delivery.error = f"discarded by an administrator; last error: {delivery.error or '-'}"[:2000]


def _handler(platform: str) -> WebhookHandler:
    handler = _HANDLERS.get(platform)
    if handler is None:
        raise NotFound(f"no webhooks for platform {platform!r}")
    return handler


def _handler_and_channel(session: Session, platform: str, channel_id: int) -> tuple[WebhookHandler, Channel]:
    handler = _handler(platform)
    channel = session.get(Channel, channel_id)
    if channel is None or channel.platform != platform:
        raise NotFound(f"channel {channel_id} not found for {platform}")
    return handler, channel


def _credentials(session: Session, channel: Channel) -> dict[str, Any]:
    if not channel.credentials_encrypted:
        return {}
    return session.info["secrets"].decrypt_json(channel.credentials_encrypted)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def meta_signature_valid(headers: Mapping[str, str], body: bytes, credentials: dict[str, Any]) -> bool:
    """Meta's `X-Hub-Signature-256` with the channel's app secret (headers in lower case)."""
    return hmac_sha256_valid(credentials.get("app_secret"), body, headers.get(meta_webhooks.SIGNATURE_HEADER))


for _platform in meta_webhooks.PLATFORMS:
    register(WebhookHandler(_platform, verify=meta_signature_valid, parse=meta_webhooks.parser(_platform),
                            challenge=meta_webhooks.challenge, check=meta_webhooks.check))
