"""Retrying a transaction of `webcare import` that collided with another import or ingest storing the same lines at
the same moment (`webcare import f & webcare import f`, or the channel's own polling).

The loser's transaction is rolled back whole (nothing of it stays, the winner's lines are stored once) and tried
again: it then finds the winner's lines in the ledger or the channel's messages and skips them. Collisions are
`ingest.ConcurrentIngest` and unique violations (PostgreSQL: the loser waited for the winner's rows), lock errors
("database is locked" on SQLite, a deadlock or serialization failure on PostgreSQL). On SQLite each transaction
takes the write lock before it reads (`db.lock_for_writing`), so it waits for the other import's transaction
(busy_timeout) instead of failing on a stale read. After `ATTEMPTS` tries: `ImportCollided`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError

from webcare.errors import DomainError
from webcare.services.ingest import ConcurrentIngest

ATTEMPTS = 5
_LOCK_STATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
T = TypeVar("T")


class ImportCollided(DomainError):
    """Tried `ATTEMPTS` times; not bad input: the CLI exits 1."""

    status = 409
    code = "import_collided"


def collided(exc: Exception) -> bool:
    if isinstance(exc, ConcurrentIngest | IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        return "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) in _LOCK_STATES
    return False


def retrying(attempt: Callable[[], T], undo: Callable[[], None], what: str) -> T:
    """`attempt()` (one transaction), again after `undo()` (the caller's counts of the rolled back try) when it
    collided; `what` names the lines in the final error."""
    for number in range(1, ATTEMPTS + 1):
        try:
            return attempt()
        except (ConcurrentIngest, IntegrityError, OperationalError) as exc:
            if not collided(exc):
                raise
            undo()
            if number == ATTEMPTS:
                cause = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
                raise ImportCollided(
                    f"{what}: another import or ingest was storing the same messages at the same moment, and "
                    f"{ATTEMPTS} tries did not get past it ({cause}); nothing of these lines is stored, the lines "
                    "before them are. Run the import again to import the rest: it skips what is stored") from exc
            time.sleep(0.2 * number)
    raise AssertionError("unreachable")
