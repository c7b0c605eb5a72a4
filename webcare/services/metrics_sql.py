"""Percentiles in the database: `percentile_cont` on PostgreSQL, the same definition in Python on SQLite.

PostgreSQL's `percentile_cont(p) WITHIN GROUP (ORDER BY x)` interpolates linearly between the two
rows around position p * (n - 1) of the sorted values (orderedsetaggs.c: `lo + (hi - lo) * fraction`,
in double precision). `percentile_cont()` below does exactly that, so both backends give the same
number to the last bit; `tests/services/test_metrics_percentiles.py` checks it on PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.orm import Session

MEDIAN, P90 = 0.5, 0.9


def in_database(session: Session) -> bool:
    """True when the database computes percentiles itself (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql"


def percentile_cont(sorted_values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont on already sorted values; None for no values."""
    count = len(sorted_values)
    if count == 0:
        return None
    position = fraction * (count - 1)
    lower, upper = math.floor(position), math.ceil(position)
    low, high = float(sorted_values[lower]), float(sorted_values[upper])
    return low + (high - low) * (position - lower)


def percentile_column(fraction: float, column: ColumnElement) -> ColumnElement:
    """`percentile_cont(fraction) WITHIN GROUP (ORDER BY column)` (PostgreSQL only)."""
    return func.percentile_cont(literal_column(repr(float(fraction)))).within_group(column)


def rounded(value: float | None) -> float | None:
    """Seconds as the API and the pages give them: one decimal (the same on both backends)."""
    return None if value is None else round(value, 1)
