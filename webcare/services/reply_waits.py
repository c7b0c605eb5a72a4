"""Replies under a platform's rate limit: they wait, `queued`, until the limit is over, instead of failing.

A reply's 429 holds the channel's replies until the platform's reset (`record_delivery_wait` with the
error), and so does a sent reply whose answer says the quota is nearly used up (`hold_replies`). The hold
is a Redis key that expires with it, shared by every worker; while it is there `delivery_wait` tells the
`send_reply` job to wait without calling the platform (`workers.replies`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Message, Ticket
from webcare.platforms.errors import RateLimited
from webcare.queue import broker_for
from webcare.services import channels
from webcare.services.replies import publish_delivery

REPLY_HOLD_KEY = "webcare:reply-hold:{}"  # a channel's replies wait until this moment (ISO 8601)


def delivery_wait(session: Session, message_id: int, now: datetime | None = None) -> datetime | None:
    """Until when the replies of this reply's channel wait for the platform (it refused one with a 429, or
    its quota is nearly used up); None when the reply may go now, or has nothing to send.

    Only replies hold the channel's replies (their 429, or a quota nearly used up, `hold_replies`): a poll's
    limit may be another budget than posting (X counts its endpoints apart; Mastodon counts them together, and
    there replies stop early to leave the rest to the polls). The hold is a Redis key that expires with it,
    shared by every worker."""
    now = now or utcnow()
    row = session.execute(select(Message.direction, Message.delivery_state, Message.channel_id)
                          .where(Message.id == message_id)).first()
    if row is None or row.direction != "out" or row.delivery_state not in ("queued", "sending", "failed"):
        return None
    held = broker_for(session).redis.get(REPLY_HOLD_KEY.format(row.channel_id))
    until = datetime.fromisoformat(held.decode() if isinstance(held, bytes) else held) if held else None
    return until if until and until > now else None


def record_delivery_wait(session: Session, message_id: int, until: datetime, error: RateLimited | None = None,
                         now: datetime | None = None) -> bool:
    """The reply waits for the platform's rate limit: `queued` again, with until when (`Message.waits_until`).
    A refusal (`error`, a 429) holds the channel's other replies until then (`delivery_wait`) and goes on the
    channel, whose polls then wait too. Returns whether the reply is automatic (an acknowledgement)."""
    now = now or utcnow()
    message = session.scalar(select(Message).where(Message.id == message_id).with_for_update())
    if message is None or message.delivery_state == "sent":
        return False
    if error is not None:
        channels.record_platform_error(session, channels.get_channel(session, message.channel_id, lock=True), error,
                                       now)
        _hold(session, message.channel_id, until, now)
    delivery = dict((message.raw or {}).get("delivery") or {})
    if error is not None:  # this attempt did not reach the platform (replies._never_reached_platform)
        delivery["refused"] = delivery.get("refused", 0) + 1
    delivery["wait_until"] = until.isoformat()
    message.raw = {**(message.raw or {}), "delivery": delivery}
    message.delivery_state = "queued"
    message.delivery_error = f"rate limited by the platform until {until:%Y-%m-%d %H:%M} UTC"
    publish_delivery(session, session.get(Ticket, message.ticket_id), message)
    return bool(message.is_automatic)


def hold_replies(session: Session, message_id: int, until: datetime, now: datetime | None = None) -> None:
    """The platform's answer to this (sent) reply says its quota is nearly used up: the channel's next replies
    wait until `until` (`delivery_wait`); its polls go on with what is left."""
    channel_id = session.scalar(select(Message.channel_id).where(Message.id == message_id))
    if channel_id is not None:
        _hold(session, channel_id, until, now or utcnow())


def _hold(session: Session, channel_id: int, until: datetime, now: datetime) -> None:
    broker_for(session).redis.set(REPLY_HOLD_KEY.format(channel_id), until.isoformat(),
                                  exat=max(int(until.timestamp()) + 1, int(now.timestamp()) + 1))


