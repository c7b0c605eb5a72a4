"""The periodic jobs, declared as data, run by rq's CronScheduler (`webcare scheduler`).

Every periodic job is safe to run twice (two schedulers may be running): they take no ids and make
their effects idempotent in the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rq.cron import CronScheduler

from webcare.config import Settings
from webcare.logs import configure_logging
from webcare.queue import QUEUE_DEFAULT, QUEUE_LOW, QUEUE_POLL
from webcare.runtime import build_runtime
from workers import maintenance
from workers import poll, recovery, retention, safety
from workers import sla as sla_jobs


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
        Periodic(recovery.recovery_sweep, QUEUE_DEFAULT, interval=60, timeout=120),
    ]


def build_scheduler(settings: Settings, connection) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, logging_level=settings.log_level.upper())
    for job in periodic_jobs(settings):
        scheduler.register(job.func, job.queue, interval=job.interval, cron=job.cron, job_timeout=job.timeout,
                           result_ttl=300, failure_ttl=7 * 24 * 3600)
    return scheduler


def run_scheduler(settings: Settings) -> None:
    configure_logging(settings)
    runtime = build_runtime(settings)
    logging.getLogger(__name__).info("scheduler starting")
    build_scheduler(settings, runtime.redis).start()
