"""The configuration version, and the copies of the configuration each process keeps by it.

Workers and web processes keep what they work out of the configuration in memory: the compiled routing
rules with the users they may assign to (`routing.store`), the SLA engine's policy, calendars, categories
and departments (`sla_cache`).
One stamp tells them whether that configuration changed: the `app_state` row `routing_rules` (named after
its first user), a version number and a random token, so a restored or emptied database never repeats an
old stamp.

- `kept(session, name, load)` is the process's copy of `load(session)`: the stamp is read at most once per
  transaction (one primary-key lookup, shared by every copy) and `load` runs again only after it changed,
  so every process follows a change from its next transaction on.
- Every committed change to the configuration's rows changes the stamp. Services that change rules call
  `bump()` first (it locks the row, which serialises concurrent edits and gives the version for the audit
  trail); any other change to those rows through the ORM (an administrator's form, a seed, an import, a
  test) is noticed when it is flushed and bumped before the flush writes it (inside a savepoint: before
  its transaction commits). So every such transaction takes the stamp's lock before its rows' locks.
- A transaction that changed the configuration loads its own copies and keeps them to itself: the
  process's copy does not have its change, and a copy loaded before its last change must not be kept
  under the stamp it commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from itertools import chain
from threading import Lock
from typing import Any, TypeVar

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import (
    AppState,
    BusinessCalendar,
    Category,
    ClosingDay,
    Department,
    RoutingRule,
    SlaPolicy,
    User,
)
from webcare.services.bulk import dialect_insert

STATE_KEY = "routing_rules"
CONFIGURATION = (RoutingRule, Department, Category, SlaPolicy, BusinessCalendar, ClosingDay)
USER_FIELDS = ("email", "active")  # what the configuration reads of a user (routing's assignees), not logins

Stamp = tuple[int, str]
T = TypeVar("T")

_MEMO_KEY = "webcare.config_version"
_CHANGED, _BUMPED, _STAMP = "changed", "bumped", "stamp"  # keys of a transaction's memo (copies: by name)
_kept: dict[tuple[str, str], tuple[Stamp, Any]] = {}
_kept_lock = Lock()


def read(session: Session) -> Stamp | None:
    """The stamp as the database has it now (None before any change was made)."""
    row = session.execute(select(AppState.version, AppState.value).where(AppState.key == STATE_KEY)).first()
    return None if row is None else (row[0], str((row[1] or {}).get("token", "")))


def kept(session: Session, name: str, load: Callable[[Session], T]) -> T:
    """This process's copy of `load(session)` for the configuration as this transaction sees it."""
    memo = _memo(session)
    if name in memo:
        return memo[name]
    if memo.get(_CHANGED):  # this transaction's own configuration: neither the process's copy nor for it
        memo[name] = value = load(session)
        return value
    if _STAMP not in memo:
        memo[_STAMP] = read(session)
    stamp = memo[_STAMP]
    key = (str(session.get_bind().url), name)
    cached = _kept.get(key)
    if stamp is not None and cached is not None and cached[0] == stamp:
        value = cached[1]
    else:
        value = load(session)
        if stamp is not None:
            with _kept_lock:
                _kept[key] = (stamp, value)
    memo[name] = value
    return value


def bump(session: Session) -> int:
    """Mark the configuration as changed by this transaction; return the new version.

    It locks the stamp row until the transaction ends, which serialises concurrent configuration changes
    (rule positions stay consistent). Core statements only, so that it can run inside a flush."""
    session.execute(dialect_insert(session, AppState.__table__).values(key=STATE_KEY, version=0, value={},
                                                                       updated_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["key"]))
    old = session.execute(select(AppState.version, AppState.value).where(AppState.key == STATE_KEY)
                          .with_for_update()).one()
    version = (old.version or 0) + 1
    session.execute(update(AppState).where(AppState.key == STATE_KEY)
                    .values(version=version, value={**(old.value or {}), "token": uuid.uuid4().hex},
                            updated_at=utcnow()))
    _forget(session)[_BUMPED] = True
    return version


def changed(session: Session) -> None:
    """This transaction changed the configuration: drop its copies; the stamp is bumped before it commits."""
    _forget(session)


def _forget(session: Session) -> dict:
    memo = _memo(session)
    bumped = memo.get(_BUMPED, False)
    memo.clear()
    memo.update({_CHANGED: True, _BUMPED: bumped})
    return memo


def _memo(session: Session) -> dict:
    """What this transaction has read and loaded (a new transaction starts empty)."""
    transaction = session.get_transaction() or session.begin()
    held = session.info.get(_MEMO_KEY)
    if held is None or held[0] is not transaction:
        held = session.info[_MEMO_KEY] = (transaction, {})
    return held[1]


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    """A flush that writes configuration rows bumps the stamp before it writes them: every transaction that
    changes the configuration takes the stamp's lock before the rows' locks, in the same order as the
    services that bump first, so two of them wait for each other instead of deadlocking. Inside a savepoint
    the bump waits for the commit (a savepoint rolled back would take the bump with it)."""
    if any(isinstance(obj, (*CONFIGURATION, User)) for obj in chain(session.new, session.deleted)) \
            or any(_changes_configuration(obj) for obj in session.dirty):
        changed(session)
        if not session.in_nested_transaction() and not _memo(session).get(_BUMPED):
            bump(session)


def _changes_configuration(obj) -> bool:
    if isinstance(obj, User):
        state = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in USER_FIELDS)
    return isinstance(obj, CONFIGURATION)


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    session.flush()  # a change still pending is noticed now, not in the commit's own flush after this hook
    held = session.info.get(_MEMO_KEY)
    if held is not None and held[0] is session.get_transaction() and held[1].get(_CHANGED) \
            and not held[1].get(_BUMPED):
        bump(session)
