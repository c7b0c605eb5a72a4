"""The periodic jobs, declared as data, run by rq's CronScheduler (`webcare scheduler`).

Every periodic job is safe to run twice (two schedulers may be running): they take no ids and make
their effects idempotent in the database.
"""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.cron import CronScheduler

from webcare.config import Settings
from webcare.logs import configure_logging
from webcare.queue import QUEUE_DEFAULT, QUEUE_LOW, QUEUE_POLL
from webcare.runtime import build_runtime
from workers import maintenance, poll, recovery, retention, safety
from workers import sla as sla_jobs

RECONNECT_SECONDS = (1, 2, 5, 10, 30)


@dataclass(frozen=True)
class Periodic:
    func: object
    queue: str
    interval: int | None = None
    cron: str | None = None
    timeout: int = 600


def periodic_jobs(settings: Settings) -> list[Periodic]:
    return [
        Periodic(maintenance.purge_login_attempts, QUEUE_LOW, cron="17 3 * * *"),
        Periodic(sla_jobs.sweep_sla, QUEUE_DEFAULT, cron="* * * * *", timeout=300),
        Periodic(retention.anonymise_expired, QUEUE_LOW, cron="41 2 * * *", timeout=3600),
        Periodic(safety.announce_flagged_threats, QUEUE_DEFAULT, interval=60),
        Periodic(poll.sweep_channels, QUEUE_POLL, interval=settings.poll_sweep_seconds, timeout=60),
        Periodic(recovery.recovery_sweep, QUEUE_DEFAULT, interval=settings.recovery_sweep_seconds, timeout=120),
    ]


def build_scheduler(settings: Settings, connection) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, logging_level=settings.log_level.upper())
    for job in periodic_jobs(settings):
        scheduler.register(job.func, job.queue, interval=job.interval, cron=job.cron, job_timeout=job.timeout,
                           result_ttl=300, failure_ttl=7 * 24 * 3600)
    return scheduler


def run_scheduler(settings: Settings) -> None:
    """Run the scheduler until it is stopped; when Redis goes away, start it again once Redis is back.

    rq's CronScheduler ends with an exception at the first Redis error (a restart, a failover), while the
    workers wait and reconnect: without this loop one Redis restart would stop all periodic jobs, polling
    included, until someone restarts the scheduler by hand."""
    configure_logging(settings)
    log = logging.getLogger(__name__)
    runtime = build_runtime(settings)
    failures = 0
    while True:
        log.info("scheduler starting")
        began = time.monotonic()
        try:
            build_scheduler(settings, runtime.redis).start()
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            failures = 1 if time.monotonic() - began > 60 else failures + 1
            wait = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS)) - 1]
            log.warning("scheduler lost Redis (%s); starting again in %s s", exc, wait)
            for signum in (signal.SIGTERM, signal.SIGINT):  # rq's handlers belong to the scheduler that ended
                signal.signal(signum, signal.SIG_DFL)
            time.sleep(wait)
