"""Loading the rule set from the database, cached per process and keyed by a version stamp.

Every change to the rules bumps the stamp in `app_state` (key `routing_rules`: a version number and a
random token, so a restored or emptied database never repeats an old stamp). `current_ruleset` reads
the stamp at most once per transaction (a request, a job's batch) with one primary-key lookup and
recompiles only when it changed, so all workers pick up a change at their next batch.
"""

from __future__ import annotations

import logging
import uuid
from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import AppState, Category, Department, RoutingRule, User
from webcare.services.routing.engine import Catalog, CategoryInfo, DepartmentInfo, RuleSet, RuleSpec

log = logging.getLogger(__name__)

STATE_KEY = "routing_rules"
_MEMO_KEY = "webcare.routing.ruleset"

_cache: dict[str, tuple[tuple[int, str], RuleSet]] = {}
_cache_lock = Lock()


def current_ruleset(session: Session) -> RuleSet:
    """The compiled enabled rules, checked against the stamp once per transaction."""
    memo = session.info.get(_MEMO_KEY)
    transaction = session.get_transaction()
    if memo is not None and transaction is not None and memo[0] is transaction:
        return memo[1]
    stamp = read_stamp(session)
    key = _engine_key(session)
    cached = _cache.get(key)
    if stamp is not None and cached is not None and cached[0] == stamp:
        ruleset = cached[1]
    else:
        ruleset = load_ruleset(session)
        if stamp is not None:
            with _cache_lock:
                _cache[key] = (stamp, ruleset)
    session.info[_MEMO_KEY] = (session.get_transaction(), ruleset)
    return ruleset


def read_stamp(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(AppState.version, AppState.value).where(AppState.key == STATE_KEY)).first()
    if row is None:
        return None
    return row[0], str((row[1] or {}).get("token", ""))


def bump_version(session: Session) -> int:
    """Mark the rule set as changed; return the new version.

    Call it first in a transaction that changes rules: it locks the stamp row, which serialises
    concurrent rule edits (positions stay consistent).
    """
    state = session.scalar(select(AppState).where(AppState.key == STATE_KEY).with_for_update())
    if state is None:
        state = AppState(key=STATE_KEY, version=0, value={})
        session.add(state)
    state.version = (state.version or 0) + 1
    state.value = {**(state.value or {}), "token": uuid.uuid4().hex}
    session.flush()
    session.info.pop(_MEMO_KEY, None)
    return state.version


def load_ruleset(session: Session, specs: list[RuleSpec] | None = None) -> RuleSet:
    """Compile the enabled stored rules (or `specs`, e.g. a draft set for a dry run) leniently."""
    catalog = load_catalog(session)
    if specs is None:
        specs = [RuleSpec.of(rule) for rule in enabled_rules(session)]
    ruleset = RuleSet(specs, catalog, strict=False)
    for rule_id, problem in ruleset.broken.items():
        log.warning("routing rule %s skipped: %s", rule_id, problem)
    return ruleset


def enabled_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).where(RoutingRule.enabled.is_(True))
                                .order_by(RoutingRule.position, RoutingRule.id)))


def load_catalog(session: Session) -> Catalog:
    departments = {d.code: DepartmentInfo(d.id, d.code, d.name)
                   for d in session.scalars(select(Department).where(Department.active.is_(True)))}
    by_id = {info.id: code for code, info in departments.items()}
    categories = {
        c.code: CategoryInfo(c.id, c.code, c.name, by_id.get(c.department_id), c.default_priority, c.promise_text,
                             c.is_threat, c.handling_target, c.handling_unit)
        for c in session.scalars(select(Category).where(Category.active.is_(True)))
    }
    users = {email.lower(): user_id for user_id, email in
             session.execute(select(User.id, User.email).where(User.active.is_(True)))}
    return Catalog(categories, departments, users)


def _engine_key(session: Session) -> str:
    return str(session.get_bind().url)
