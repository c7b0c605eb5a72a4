"""Who is looking at a ticket and who is typing in it, kept in Redis with a short time to live.

Each open ticket page sends a heartbeat every few seconds (`touch`); a person counts as present while
their last heartbeat is younger than `TTL_SECONDS`, and as typing while they typed within that time.
One sorted set per ticket holds user ids scored by the heartbeat time; the key itself expires, so
nothing is left behind when everybody closed the page.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from redis import Redis

from webcare.models import User

TTL_SECONDS = 20
KEY = "webcare:presence:{ticket_id}"
INFO_KEY = "webcare:presence:{ticket_id}:info"


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    typing: bool


def touch(redis: Redis, ticket_id: int, user: User, *, typing: bool = False, now: float | None = None) -> None:
    now = now if now is not None else time.time()
    key, info = KEY.format(ticket_id=ticket_id), INFO_KEY.format(ticket_id=ticket_id)
    pipe = redis.pipeline()
    pipe.zadd(key, {str(user.id): now})
    pipe.zremrangebyscore(key, "-inf", now - TTL_SECONDS)
    pipe.hset(info, str(user.id), json.dumps({"name": user.name or user.email,
                                              "typing_at": now if typing else _typing_at(redis, info, user.id)}))
    pipe.expire(key, TTL_SECONDS * 3)
    pipe.expire(info, TTL_SECONDS * 3)
    pipe.execute()


def leave(redis: Redis, ticket_id: int, user: User) -> None:
    pipe = redis.pipeline()
    pipe.zrem(KEY.format(ticket_id=ticket_id), str(user.id))
    pipe.hdel(INFO_KEY.format(ticket_id=ticket_id), str(user.id))
    pipe.execute()


def others(redis: Redis, ticket_id: int, user: User, *, now: float | None = None) -> list[Presence]:
    """The other people on this ticket right now, typing ones first."""
    now = now if now is not None else time.time()
    ids = [int(i) for i in redis.zrangebyscore(KEY.format(ticket_id=ticket_id), now - TTL_SECONDS, "+inf")
           if int(i) != user.id]
    if not ids:
        return []
    infos = redis.hmget(INFO_KEY.format(ticket_id=ticket_id), [str(i) for i in ids])
    people = []
    for user_id, raw in zip(ids, infos, strict=True):
        data = json.loads(raw) if raw else {}
        typing_at = data.get("typing_at") or 0
        people.append(Presence(user_id, data.get("name", ""), now - typing_at < TTL_SECONDS / 2))
    return sorted(people, key=lambda p: (not p.typing, p.name))


def _typing_at(redis: Redis, info_key: str, user_id: int) -> float | None:
    raw = redis.hget(info_key, str(user_id))
    return json.loads(raw).get("typing_at") if raw else None
