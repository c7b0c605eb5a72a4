"""The garbage collector in long-lived processes (web and rq workers): leave the start-up objects alone.

A web or worker process builds, once, a large graph of objects that lives as long as it does: modules,
the SQLAlchemy mappers, the translations, the routing tables. CPython's full collections walked all of it
again, a few times a minute under load: 74-83 ms with the GIL held in a web worker (every request in flight
on its threads waits) and 110 ms per few thousand messages in an ingest worker. `freeze_startup_objects()`,
called when a process is ready to serve, moves that graph into the permanent generation (`gc.freeze()`):
collections then walk only what requests and jobs made (full ones take 2-6 ms). Measured in
docs/PERFORMANCE.md (Inbox, "Fourth round").

`collections_paused()` keeps the collector out of an ingest batch: everything a batch builds lives until it
ends, and with the start-up graph frozen the collector's rule for a full collection (new long-lived objects
over a quarter of the old ones) is met again and again inside a batch, each full collection walking the
whole batch to free next to nothing (8-12 us of a worker's CPU a message, docs/PERFORMANCE.md, Ingest,
fourteenth round).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import configure_mappers


def freeze_startup_objects() -> None:
    """Finish what start-up builds lazily (the mappers), collect its garbage, freeze the rest."""
    configure_mappers()
    gc.collect()
    gc.freeze()


@contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic collection inside the block (a batch job); the cycles it leaves are collected by the
    first automatic collection after it, as any others. Where collection is already off, it stays off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
