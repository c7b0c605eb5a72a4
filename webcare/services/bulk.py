"""Bulk writes for hot paths (ingest): a whole batch per statement, on PostgreSQL and SQLite.

On PostgreSQL a batch travels as one array per column (`INSERT ... SELECT FROM unnest(...)`,
`UPDATE ... FROM unnest(...)`, `= ANY(array)`, lookups by a unique key per `unnest`ed value); an inserted
column with the same value in every row (the channel, the status of new tickets, the batch's moment) as
that one value: a handful of parameters instead of thousands, so psycopg
prepares the statement once and reuses it (a multi-row VALUES statement with 6,000 placeholders costs
more to prepare than the database needs to insert it). A column that is NULL in every row of an insert
is left out of it (our tables have no server-side defaults, so it is NULL all the same). SQLite uses
SQLAlchemy Core's executemany.

`write_changed_columns()` writes the column changes made to many ORM objects (by routing and the SLA
clocks on new tickets) in one UPDATE and marks them committed, instead of one UPDATE per object from the
unit of work. Relationship changes are left to the normal flush.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import ARRAY, String, Table, any_, bindparam, inspect, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import JSON

from webcare.db import UTCDateTime


def dialect_insert(session: Session, table):
    """`insert(table)` of the session's dialect, with `on_conflict_do_nothing()`."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Webcare supports these two
        raise RuntimeError(f"ingest does not support the {dialect} dialect")
    return insert(table)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]], *, conflict: Sequence[str] = (),
                returning: Sequence[str] = ()) -> list[tuple]:
    """Insert `rows` (same keys each) skipping conflicts on `conflict`; the `returning` columns of new rows."""
    if not rows:
        return []
    if is_postgres(session):
        return _pg_unnest_insert(session, table, rows, tuple(conflict), tuple(returning))
    statement = dialect_insert(session, table)
    if conflict:
        statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        return [tuple(row) for row in session.execute(statement.returning(*[table.c[c] for c in returning]), rows)]
    session.execute(statement, rows)
    return []


_PG = postgresql.dialect()
# JSON for the bulk rows (stored as JSONB): orjson, ten times faster than the standard encoder, told to do
# what that did: str() for datetimes, dataclasses and other objects, dict keys that are no strings as strings.
# What orjson refuses (an integer beyond 64 bits in a platform's payload) goes to the standard encoder.
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_STANDARD_JSON = json.JSONEncoder(default=str, separators=(",", ":"))


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value, default=str, option=_JSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return _STANDARD_JSON.encode(value)


_PG_SQL: dict[tuple, str] = {}


def _pg_unnest_insert(session: Session, table: Table, rows: list[dict[str, Any]], conflict: tuple[str, ...],
                      returning: tuple[str, ...]) -> list[tuple]:
    arrays: dict[str, list[Any]] = {}
    scalars: dict[str, Any] = {}
    for column in rows[0]:
        values = [row[column] for row in rows]
        first = values[0]
        if first is not None and values.count(first) == len(values) and not isinstance(table.c[column].type, JSON):
            scalars[column] = first  # the same in every row: one value instead of an array
        elif any(value is not None for value in values):  # a column NULL in every row is left out: NULL anyway
            arrays[column] = _pg_array(table, column, values)
    if not arrays:  # every column the same: one array still gives the number of rows
        column = next(iter(scalars))
        arrays[column] = _pg_array(table, column, [scalars.pop(column)] * len(rows))
    _check_aware(table, scalars)
    columns, constant = tuple(arrays), tuple(scalars)
    key = (table.name, columns, constant, conflict, returning)
    if key not in _PG_SQL:
        _PG_SQL[key] = _pg_unnest_sql(table, columns, constant, conflict, returning)
    result = session.connection().exec_driver_sql(_PG_SQL[key], {**arrays, **scalars})
    return [tuple(row) for row in result] if returning else []


def _pg_unnest_sql(table: Table, columns: tuple[str, ...], constant: tuple[str, ...], conflict: tuple[str, ...],
                   returning: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns + constant)
    picks = ", ".join([f't."{c}"::jsonb' if isinstance(table.c[c].type, JSON) else f't."{c}"' for c in columns]
                      + [f"%({c})b::{_array_type(table, c)}" for c in constant])
    arrays = ", ".join(f"%({c})b::{_array_type(table, c)}[]" for c in columns)
    unnested = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) SELECT {picks} FROM unnest({arrays}) AS t({unnested})'
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(f'"{c}"' for c in returning)
    return sql


def _check_aware(table: Table, values: dict[str, Any]) -> None:
    for column, value in values.items():
        if isinstance(table.c[column].type, UTCDateTime) and value.tzinfo is None:
            raise ValueError("naive datetime given; Webcare stores aware datetimes only")


def _pg_array(table: Table, column: str, values: list[Any]) -> list[Any]:
    """One column's values as psycopg sends them: JSON as text; datetimes must be aware."""
    kind = table.c[column].type
    if isinstance(kind, JSON):
        return [None if value is None else _json_text(value) for value in values]
    if isinstance(kind, UTCDateTime) and any(value is not None and value.tzinfo is None for value in values):
        raise ValueError("naive datetime given; Webcare stores aware datetimes only")
    return values


def in_list(session: Session, column, values: Iterable, of_type=String):
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)` (one parameter, a reusable plan). For
    primary keys; look rows up by another unique key with `find_unique`."""
    values = list(values)
    if is_postgres(session):
        return column == any_(bindparam(None, values, type_=ARRAY(of_type)))
    return column.in_(values)


def find_unique(session: Session, table: Table, equal: dict[str, Any], key: str, values: Iterable,
                columns: Sequence[str]) -> list[tuple]:
    """(key, *columns) of the rows whose `key` is one of `values` and whose `equal` columns have those values;
    `equal` + `key` must be a unique index. On PostgreSQL one index lookup per value (`unnest` and a
    `LATERAL` subquery with `LIMIT 1`), whatever the planner knows: `key = ANY(:array)` or a semi-join, planned
    without statistics (a new or just-filled table, a server without autovacuum), scans every row of the
    `equal` part and compares it with the whole array (70 ms instead of 2 for 500 keys among 8,000 rows,
    growing with the table)."""
    values = sorted(set(values))
    if not values:
        return []
    if not is_postgres(session):
        statement = select(table.c[key], *[table.c[c] for c in columns]).where(
            *[table.c[name] == value for name, value in equal.items()], table.c[key].in_(values))
        return [tuple(row) for row in session.execute(statement)]
    sql_key = ("find", table.name, tuple(equal), key, tuple(columns))
    if sql_key not in _PG_SQL:
        conditions = " AND ".join([f'"{name}" = %({name})s' for name in equal] + [f'"{key}" = k.key'])
        inner = ", ".join(f'"{c}"' for c in columns)
        outer = ", ".join(f't."{c}"' for c in columns)
        _PG_SQL[sql_key] = (f"SELECT k.key, {outer} FROM unnest(%(_values)s::{_array_type(table, key)}[]) AS k(key) "
                            f'CROSS JOIN LATERAL (SELECT {inner} FROM "{table.name}" WHERE {conditions} LIMIT 1) AS t')
    result = session.connection().exec_driver_sql(_PG_SQL[sql_key], {**equal, "_values": values})
    return [tuple(row) for row in result]


def write_changed_columns(session: Session, objects: Sequence[Any]) -> int:
    """Write the changed column values of `objects` (one mapped class) in one statement; returns rows."""
    if not objects:
        return 0
    mapper = inspect(objects[0]).mapper
    columns = {attr.key for attr in mapper.column_attrs}
    touched: set[str] = set()
    for obj in objects:
        state = inspect(obj)
        touched |= columns - state.unmodified
    changed = sorted(touched)
    if not changed:
        return 0
    rows = [{"id": obj.id, **{key: getattr(obj, key) for key in changed}} for obj in objects]
    table = mapper.local_table
    if is_postgres(session):
        _pg_unnest_update(session, table, rows, tuple(changed))
    else:
        statement = update(table).where(table.c.id == bindparam("_id")).values(
            {key: bindparam(key) for key in changed})
        session.connection().execute(statement, [{**row, "_id": row["id"]} for row in rows])
    for obj in objects:
        for key in changed:
            set_committed_value(obj, key, getattr(obj, key))
    return len(rows)


def _pg_unnest_update(session: Session, table: Table, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    key = ("update", table.name, columns)
    if key not in _PG_SQL:
        everything = ("id",) + columns
        names = ", ".join(f'"{c}"' for c in everything)
        arrays = ", ".join(f"%({c})b::{_array_type(table, c)}[]" for c in everything)
        sets = ", ".join(f'"{c}" = t."{c}"::jsonb' if isinstance(table.c[c].type, JSON) else f'"{c}" = t."{c}"'
                         for c in columns)
        _PG_SQL[key] = f'UPDATE "{table.name}" SET {sets} FROM unnest({arrays}) AS t({names}) WHERE "{table.name}".id = t.id'
    params = {c: _pg_array(table, c, [row[c] for row in rows]) for c in ("id",) + columns}
    session.connection().exec_driver_sql(_PG_SQL[key], params)


def _array_type(table: Table, column: str) -> str:
    kind = table.c[column].type
    return "text" if isinstance(kind, JSON) else kind.compile(dialect=_PG)
