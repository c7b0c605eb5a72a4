"""Worker entry point: build the runtime once and run an rq worker on Webcare's queues.

`BeatingWorker` (a `SimpleWorker` with a heartbeat for the running job, workers/heartbeat.py) runs jobs
in this long-lived process (no fork per job: a fork costs ~10 ms and our imports ~0.6 s, see
PERFORMANCE-NOTES.md); a job's failure is recorded by rq and does not stop the worker. Run more of these,
on more machines, to scale out.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

import workers
from webcare import platforms
from webcare.config import Settings, load_settings
from webcare.logs import ContextFilter, configure_logging
from webcare.memory import freeze_startup_objects
from webcare.models import Channel
from webcare.queue import QUEUE_INGEST
from webcare.runtime import Runtime, build_runtime
from webcare.services import sla_cache
from webcare.services.routing.store import current_ruleset
from workers import context
from workers.heartbeat import BeatingWorker

log = logging.getLogger(__name__)


def run_worker(settings: Settings, queues, *, burst: bool = False, name: str | None = None) -> int:
    configure_logging(settings)
    runtime = build_runtime(settings)
    context.configure(runtime)
    # rq's maintenance (abandoned jobs; restarting the worker's scheduler of retries when it died, e.g. in
    # a Redis restart) runs every 10 minutes by default: as often as the recovery sweep instead
    worker = BeatingWorker(list(queues), connection=runtime.redis, name=name,
                           maintenance_interval=max(settings.recovery_sweep_seconds, 5))
    worker.beat_seconds = settings.job_heartbeat_seconds
    for handler in logging.getLogger().handlers:
        handler.addFilter(ContextFilter())
    _import_jobs()
    if QUEUE_INGEST in queues:
        warm_up(runtime)
    freeze_startup_objects()
    log.info("worker %s listening on %s", worker.name, ", ".join(queues))
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level.upper())
    return 0


def warm_up(runtime: Runtime) -> None:
    """Compile the routing rules (about 0.2 s for the default rule set) and load the SLA configuration now
    rather than in the first batch, and import the adapters of the enabled channels' platforms (a batch asks
    its adapter for the reply's length limit; Mastodon.py takes 0.1-0.2 s to import), so they are frozen with
    the start-up objects. A database that is not reachable or not migrated yet leaves all of it to the first
    batch, which does it (or fails and is retried) as it always could."""
    try:
        with runtime.transaction() as session:
            current_ruleset(session)
            sla_cache.cache(session)
            in_use = set(session.scalars(select(Channel.platform).where(Channel.enabled).distinct()))
    except SQLAlchemyError as exc:
        log.warning("routing rules not compiled at start-up: %s", exc.__class__.__name__)
        return
    for platform in sorted(in_use & set(platforms.supported_platforms())):
        try:
            platforms.adapter_class(platform)
        except ImportError as exc:  # its batches fail and are retried with this error, as they always would
            log.warning("the %s adapter could not be imported at start-up: %s", platform, exc)


def _import_jobs() -> None:
    """Import every job module now (rq would on a job's first run), so their objects are frozen with the rest."""
    for module in pkgutil.iter_modules(workers.__path__):
        if module.name != "__main__":
            importlib.import_module(f"workers.{module.name}")


def main() -> None:
    from webcare.queue import ALL_QUEUES

    sys.exit(run_worker(load_settings(), ALL_QUEUES, burst="--burst" in sys.argv))


if __name__ == "__main__":
    main()
