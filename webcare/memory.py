"""The garbage collector in long-lived processes (web and rq workers): leave the start-up objects alone.

A web or worker process builds, once, a large graph of objects that lives as long as it does: modules,
the SQLAlchemy mappers, the translations, the routing tables. CPython's full collections walked all of it
again, a few times a minute under load: 74-83 ms with the GIL held in a web worker (every request in flight
on its threads waits) and 110 ms per few thousand messages in an ingest worker. `freeze_startup_objects()`,
called when a process is ready to serve, moves that graph into the permanent generation (`gc.freeze()`):
collections then walk only what requests and jobs made (full ones take 2-6 ms). Measured in
docs/PERFORMANCE.md (Inbox, "Fourth round").
"""

from __future__ import annotations

import gc

from sqlalchemy.orm import configure_mappers


def freeze_startup_objects() -> None:
    """Finish what start-up builds lazily (the mappers), collect its garbage, freeze the rest."""
    configure_mappers()
    gc.collect()
    gc.freeze()
