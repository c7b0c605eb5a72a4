"""Worker entry point: build the runtime once and run an rq worker on Webcare's queues.

`SimpleWorker` runs jobs in this long-lived process (no fork per job: a fork costs ~10 ms and our
imports ~0.6 s, see PERFORMANCE-NOTES.md); a job's failure is recorded by rq and does not stop the
worker. Run more of these, on more machines, to scale out.
"""

from __future__ import annotations

import logging
import sys

from rq import SimpleWorker

from webcare.config import Settings, load_settings
from webcare.logs import ContextFilter, configure_logging
from webcare.runtime import build_runtime
from workers import context

log = logging.getLogger(__name__)


def run_worker(settings: Settings, queues, *, burst: bool = False, name: str | None = None) -> int:
    configure_logging(settings)
    runtime = build_runtime(settings)
    context.configure(runtime)
    worker = SimpleWorker(list(queues), connection=runtime.redis, name=name)
    for handler in logging.getLogger().handlers:
        handler.addFilter(ContextFilter())
    log.info("worker %s listening on %s", worker.name, ", ".join(queues))
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level.upper())
    return 0


def main() -> None:
    from webcare.queue import ALL_QUEUES

    sys.exit(run_worker(load_settings(), ALL_QUEUES, burst="--burst" in sys.argv))


if __name__ == "__main__":
    main()
