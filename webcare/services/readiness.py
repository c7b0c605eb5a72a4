"""Is each dependency there? The database, Redis, rq workers (their registrations) and the scheduler
(its heartbeat). Used by /readyz and by the Prometheus metrics; every check answers, none raises."""

from __future__ import annotations

import time

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.cron_scheduler_registry import get_registry_key
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

# The scheduler heartbeats after every enqueue round (at least once a minute with our periodic jobs).
SCHEDULER_STALE_SECONDS = 180
CHECKS = ("database", "redis", "workers", "scheduler")


def check_database(engine: Engine) -> dict:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def check_redis(redis: Redis | None) -> dict:
    if redis is None:
        return {"ok": False, "error": "not configured"}
    try:
        redis.ping()
    except (RedisError, OSError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def check_workers(redis: Redis | None) -> dict:
    """rq workers that are registered (a worker's registration expires when it stops heartbeating)."""
    if redis is None:
        return {"ok": False, "error": "not configured"}
    try:
        workers = Worker.all(connection=redis)
    except (RedisError, OSError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    queues = sorted({name for worker in workers for name in worker.queue_names()})
    return {"ok": bool(workers), "count": len(workers), "queues": queues}


def check_scheduler(redis: Redis | None, now: float | None = None) -> dict:
    """The newest heartbeat of a CronScheduler (`webcare scheduler`)."""
    if redis is None:
        return {"ok": False, "error": "not configured"}
    try:
        newest = redis.zrevrange(get_registry_key(), 0, 0, withscores=True)
    except (RedisError, OSError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    if not newest:
        return {"ok": False, "error": "no scheduler has registered"}
    age = max(0.0, (time.time() if now is None else now) - newest[0][1])
    return {"ok": age <= SCHEDULER_STALE_SECONDS, "heartbeat_age_seconds": round(age, 1)}
