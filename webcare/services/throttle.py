"""Request throttling in Redis: a fixed one-minute window per key (an API token, a user, an IP address).

Shared by every web process on every machine (the counters live in Redis). If Redis cannot be reached,
requests are let through and a warning is logged: the API stays usable when the queue store is down.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import RedisError

from webcare.errors import TooManyRequests

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
KEY_PREFIX = "webcare:throttle"


def hit(redis: Redis | None, key: str, limit: int, *, now: float | None = None) -> None:
    """Count one request for `key`; raise TooManyRequests (with Retry-After) beyond `limit` a minute.

    A limit of 0 means no limit; without Redis (`None`) nothing is counted.
    """
    if limit <= 0 or redis is None:
        return
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    counter = f"{KEY_PREFIX}:{key}:{window}"
    try:
        pipeline = redis.pipeline(transaction=False)
        pipeline.incr(counter)
        pipeline.expire(counter, WINDOW_SECONDS + 5)
        count, _ = pipeline.execute()
    except (RedisError, OSError) as exc:
        log.warning("throttle not applied (Redis unavailable): %s", exc)
        return
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        raise TooManyRequests(f"too many requests: at most {limit} a minute; try again in {retry_after} s",
                              retry_after=retry_after)
