"""Prometheus metrics, computed when scraped: queue depth and failed jobs per rq queue, workers and the
scheduler, channel health, open tickets per SLA level, and the request latency of every web process.

Nothing is kept in process memory, so any number of gunicorn workers on any number of machines give one
consistent answer: the latency histogram is counted in one Redis hash (`record_latency`, one round trip
per request), everything else is read from Redis and the database at scrape time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.queue import ALL_QUEUES
from webcare.services import channels, metrics_now, readiness

log = logging.getLogger(__name__)
LATENCY_KEY = "webcare:metrics:latency"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PROBLEM_STATES = ("error", "needs_reauth", "rate_limited")


def record_latency(redis: Redis, endpoint: str, seconds: float) -> None:
    """Count one request of `endpoint` that took `seconds` (never raises: metrics must not break a page)."""
    index = next((i for i, bound in enumerate(BUCKETS) if seconds <= bound), len(BUCKETS))
    try:
        pipeline = redis.pipeline(transaction=False)
        pipeline.hincrby(LATENCY_KEY, f"{endpoint}|{index}", 1)
        pipeline.hincrbyfloat(LATENCY_KEY, f"{endpoint}|sum", seconds)
        pipeline.execute()
    except (RedisError, OSError) as exc:
        log.debug("latency not recorded: %s", exc)


def exposition(session: Session, redis: Redis | None, now: datetime | None = None) -> bytes:
    """The metrics in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(session, redis, now or utcnow()))
    return generate_latest(registry)


class _Collector:
    def __init__(self, session: Session, redis: Redis | None, now: datetime):
        self.session, self.redis, self.now = session, redis, now

    def collect(self) -> Iterator:
        yield from _health(self.redis)
        if self.redis is not None:
            yield from _guarded(_queues, self.redis)
            yield from _guarded(_latency, self.redis)
        yield from _channels(self.session, self.now)
        yield from _tickets(self.session, self.now)


def _guarded(produce, redis: Redis) -> Iterator:
    try:
        yield from list(produce(redis))
    except (RedisError, OSError) as exc:
        log.warning("metrics from Redis not available: %s", exc)


def _health(redis: Redis | None) -> Iterator:
    workers = readiness.check_workers(redis)
    scheduler = readiness.check_scheduler(redis)
    yield GaugeMetricFamily("webcare_redis_up", "1 if Redis answers", value=int(readiness.check_redis(redis)["ok"]))
    yield GaugeMetricFamily("webcare_workers", "rq workers registered", value=workers.get("count", 0))
    yield GaugeMetricFamily("webcare_scheduler_up", "1 if the scheduler's heartbeat is recent",
                            value=int(scheduler["ok"]))
    if "heartbeat_age_seconds" in scheduler:
        yield GaugeMetricFamily("webcare_scheduler_heartbeat_age_seconds", "Seconds since the scheduler's heartbeat",
                                value=scheduler["heartbeat_age_seconds"])


def _queues(redis: Redis) -> Iterator:
    depth = GaugeMetricFamily("webcare_queue_jobs", "Jobs waiting in an rq queue", labels=["queue"])
    started = GaugeMetricFamily("webcare_queue_started_jobs", "Jobs running now", labels=["queue"])
    failed = GaugeMetricFamily("webcare_queue_failed_jobs", "Jobs in the failed registry (dead letters)",
                               labels=["queue"])
    for name in ALL_QUEUES:
        queue = Queue(name, connection=redis)
        depth.add_metric([name], queue.count)
        started.add_metric([name], StartedJobRegistry(queue=queue).count)
        failed.add_metric([name], FailedJobRegistry(queue=queue).count)
    yield from (depth, started, failed)


def _latency(redis: Redis) -> Iterator:
    counts: dict[str, dict[str, float]] = {}
    for field, value in redis.hgetall(LATENCY_KEY).items():
        endpoint, _, part = (field.decode() if isinstance(field, bytes) else field).rpartition("|")
        counts.setdefault(endpoint, {})[part] = float(value)
    family = HistogramMetricFamily("webcare_http_request_duration_seconds",
                                   "Time to answer a request, per endpoint (all web processes)", labels=["endpoint"])
    for endpoint, parts in sorted(counts.items()):
        cumulative, buckets = 0.0, []
        for index, bound in enumerate((*BUCKETS, float("inf"))):
            cumulative += parts.get(str(index), 0.0)
            buckets.append(("+Inf" if bound == float("inf") else str(bound), cumulative))
        family.add_metric([endpoint], buckets, parts.get("sum", 0.0))
    yield family


def _channels(session: Session, now: datetime) -> Iterator:
    problem = GaugeMetricFamily("webcare_channel_poll_error",
                                "1 if the channel's last poll failed (error, needs re-authorisation, rate limited)",
                                labels=["channel", "platform", "state"])
    success = GaugeMetricFamily("webcare_channel_last_success_age_seconds",
                                "Seconds since the channel was last polled successfully", labels=["channel", "platform"])
    received = GaugeMetricFamily("webcare_channel_messages_24h", "Citizens' messages received in the last 24 hours",
                                 labels=["channel", "platform"])
    for health in channels.health(session, now):
        labels = [health.channel.name, health.channel.platform]
        problem.add_metric([*labels, health.state], int(health.state in PROBLEM_STATES))
        received.add_metric(labels, health.messages_24h)
        if health.channel.last_success_at:
            success.add_metric(labels, (now - health.channel.last_success_at).total_seconds())
    yield from (problem, success, received)


def _tickets(session: Session, now: datetime) -> Iterator:
    family = GaugeMetricFamily("webcare_open_tickets", "Open tickets per department and SLA level "
                               "(breached and late_3x are SLA breaches)", labels=["department", "sla_level"])
    for row in metrics_now.backlog(session, now):
        for level, count in row.levels.items():
            family.add_metric([row.code or "none", level], count)
    yield family
