"""The nightly retention job: anonymise closed tickets past their term (services.retention).

Batches of at most 200 tickets per term, one transaction each, until nothing is left. Safe to run twice
at once: rows are locked with SKIP LOCKED and re-checked. The totals go to the audit log as a system
action (`retention.run`).
"""

from __future__ import annotations

import logging

from webcare.services import retention
from workers.context import get_runtime

log = logging.getLogger(__name__)


def anonymise_expired() -> dict:
    runtime = get_runtime()
    totals = retention.run_until_done(runtime.transaction, runtime.settings).as_dict()
    log.info("retention: %s", totals)
    return totals
