"""What an administrator sees of a channel's webhooks: the last delivery, the deliveries that failed, the
last call that was refused.

A platform that pushes (Meta) reaches us only through its webhooks, so a channel whose app secret is wrong,
or whose deliveries fail to process, would otherwise look healthy ("never polled" at worst) while no
citizen's message arrives. Refused calls store nothing (docs/INGEST.md, Webhooks): the last refusal of a
channel is kept in Redis for a week (one small hash per channel, overwritten, so a flood of junk calls
costs no database write), the deliveries come from `webhook_deliveries`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Channel, WebhookDelivery

log = logging.getLogger(__name__)

REFUSAL_KEPT = timedelta(days=7)
DELIVERIES_LOOKED_AT = timedelta(days=30)  # the window the counts are over (received_at is indexed)


@dataclass(frozen=True)
class WebhookHealth:
    last_received_at: datetime | None  # the latest delivery stored in the window
    failing: int  # deliveries in the window whose processing failed and that are not done (retried or dead)
    last_failed_at: datetime | None  # when the latest of those was received
    refused_at: datetime | None  # the last call refused (bad signature, no notification, handshake)
    refused_status: int | None
    refused_reason: str | None
    refused_count: int  # calls refused since the first refusal kept (reset a week after the last one)

    def as_dict(self) -> dict:
        return {"last_received_at": _iso(self.last_received_at), "failing": self.failing,
                "last_failed_at": _iso(self.last_failed_at), "refused_at": _iso(self.refused_at),
                "refused_status": self.refused_status, "refused_reason": self.refused_reason,
                "refused_count": self.refused_count}


def _key(channel_id: int) -> str:
    return f"webcare:webhook-refused:{channel_id}"


def record_refusal(redis: Redis | None, channel_id: int, status: int, reason: str,
                   now: datetime | None = None) -> None:
    """Keep the last refused call of a channel (best effort: a Redis failure does not change the answer)."""
    if redis is None:
        return
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.hset(_key(channel_id), mapping={"at": (now or utcnow()).isoformat(), "status": status,
                                             "reason": reason[:500]})
        pipe.hincrby(_key(channel_id), "count", 1)
        pipe.expire(_key(channel_id), int(REFUSAL_KEPT.total_seconds()))
        pipe.execute()
    except RedisError as exc:
        log.warning("channel %s: the refused webhook call could not be noted: %s", channel_id, exc)


def health_of(session: Session, redis: Redis | None, channels: Iterable[Channel],
              now: datetime | None = None) -> dict[int, WebhookHealth]:
    """The webhook health of these channels (one query, one Redis round trip); callers pass only the
    channels whose platform takes webhooks."""
    ids = [channel.id for channel in channels]
    if not ids:
        return {}
    deliveries = _deliveries(session, ids, (now or utcnow()) - DELIVERIES_LOOKED_AT)
    refusals = _refusals(redis, ids)
    result = {}
    for channel_id in ids:
        last, failing, last_failed = deliveries.get(channel_id, (None, 0, None))
        refused = refusals.get(channel_id, {})
        result[channel_id] = WebhookHealth(
            last_received_at=last, failing=failing, last_failed_at=last_failed,
            refused_at=datetime.fromisoformat(refused["at"]) if "at" in refused else None,
            refused_status=int(refused["status"]) if "status" in refused else None,
            refused_reason=refused.get("reason"), refused_count=int(refused.get("count", 0)))
    return result


def _deliveries(session: Session, ids: list[int], since: datetime) -> dict[int, tuple]:
    failed = and_(WebhookDelivery.processed_at.is_(None), WebhookDelivery.error.is_not(None))
    rows = session.execute(
        select(WebhookDelivery.channel_id, func.max(WebhookDelivery.received_at),
               func.count().filter(failed), func.max(WebhookDelivery.received_at).filter(failed))
        .where(WebhookDelivery.channel_id.in_(ids), WebhookDelivery.received_at >= since)
        .group_by(WebhookDelivery.channel_id))
    return {channel_id: (last, failing, last_failed) for channel_id, last, failing, last_failed in rows}


def _refusals(redis: Redis | None, ids: list[int]) -> dict[int, dict[str, str]]:
    if redis is None:
        return {}
    try:
        pipe = redis.pipeline(transaction=False)
        for channel_id in ids:
            pipe.hgetall(_key(channel_id))
        answers = pipe.execute()
    except RedisError as exc:  # the page still shows what the database knows
        log.warning("the refused webhook calls could not be read: %s", exc)
        return {}
    return {channel_id: {_text(k): _text(v) for k, v in answer.items()}
            for channel_id, answer in zip(ids, answers, strict=True) if answer}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
