"""Text that a database can store: no NUL, no lone UTF-16 surrogates.

PostgreSQL refuses both in text and JSON columns (and psycopg cannot even encode a lone surrogate), so one
such character in a citizen's message or a request would be a server error. Citizens' text (platform
payloads, imports) is repaired with `storable()` (U+FFFD in their place); a request that carries them is
refused with 400 (`webcare.security`).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

# What a JSON payload's "\u0000" and a "\ud800" without its pair decode to.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`value` with NUL and lone surrogates replaced by U+FFFD in every text, also inside lists and objects."""
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value) if UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def is_storable(value: Any) -> bool:
    """Whether every text in `value` (also inside lists and objects) can be stored as it is.

    Usually answered by orjson in C (ingest asks it of every message): it refuses a lone surrogate and
    writes NUL as `\\u0000`. Where it cannot tell (it refused, or that escape may be a citizen's own
    backslash) the value is walked with a stack of its own, not by recursion: a request body nested a
    thousand levels deep is answered, not a RecursionError (a 500)."""
    try:
        if b"\\u0000" not in orjson.dumps(value):
            return True
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate, deep nesting, a type it does not know
        pass
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item) is not None:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return True
