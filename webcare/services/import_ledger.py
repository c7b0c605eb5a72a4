"""The ledger of `webcare import` (`imported_lines`): which history lines were applied before.

A line is known by what it says, not by how it is written: its key is the SHA-256 of its loaded fields (defaults
filled in) with its time in UTC, the agent's address as it is looked up and the department code in capitals. So a
history exported again with its times in UTC instead of Dutch local time, or an address in other capitals, is the
same history and is skipped. Ledgers written before keyed a line by its JSON as written (sorted keys): that
`legacy_key` is looked up too, so a file imported then is still skipped now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import ImportedLine
from webcare.services.users import email_key

LEDGER_CHUNK = 500


class Keyed(Protocol):
    key: str
    legacy_key: str


def line_keys(raw: dict, data: dict) -> tuple[str, str]:
    """(key, legacy_key) of a line: `raw` as read (storable), `data` as its schema loaded it, `at` not yet moved
    to the import's start (a line dated in the future keeps its key from one run to the next)."""
    return _sha256({**{name: _canonical(name, value) for name, value in data.items()}, "type": raw["type"]}), _sha256(raw)


def _canonical(name: str, value):
    if isinstance(value, datetime):
        try:
            return value.astimezone(UTC).isoformat()
        except OverflowError:  # no UTC equivalent at the ends of the calendar: as written
            return value.isoformat()
    if name == "agent" and value:
        return email_key(value)
    if name == "department":
        return value.strip().upper()
    return value


def _sha256(obj: dict) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def already_imported(session: Session, lines: Iterable[Keyed]) -> set[str]:
    """The keys of the lines the ledger has, under their key or their legacy key."""
    by_key: dict[str, str] = {}
    for line in lines:
        by_key.setdefault(line.legacy_key, line.key)
        by_key[line.key] = line.key
    keys, found = list(by_key), set()
    for start in range(0, len(keys), LEDGER_CHUNK):
        chunk = keys[start:start + LEDGER_CHUNK]
        found.update(by_key[key] for key in session.scalars(select(ImportedLine.key).where(ImportedLine.key.in_(chunk))))
    return found
