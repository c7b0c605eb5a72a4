"""List cursors: the values of the last row shown, as URL-safe base64 of compact JSON.

A cursor is the client's to change, so reading one checks nothing but its encoding; each list checks the
values against what its encoder could have written, and `invalid()` is the one 400 for a bad cursor.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from webcare.errors import ValidationFailed


def encode(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> Any:
    """The JSON value a cursor carries; `invalid()` when it is no base64 of JSON."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, RecursionError) as exc:
        raise invalid() from exc


def invalid() -> ValidationFailed:
    return ValidationFailed("this cursor is not valid; start from the first page", fields={"cursor": "invalid"})
