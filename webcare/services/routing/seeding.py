"""Seeding the default Dutch rule set (called by `services.seed.seed_defaults`; idempotent).

Each default rule has a stable key; the keys already seeded are remembered in `app_state`
(`routing_defaults`), so running `seed-defaults` again adds only defaults that are new in this
version and never re-adds a rule an administrator deleted or overwrites one that was changed.
With each seeded rule its id and a fingerprint of its content are remembered: a default that an
administrator left untouched is updated to the new version's content (audited); a changed one is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webcare.models import AppState, RoutingRule
from webcare.services import audit, config_version
from webcare.services.routing.conditions import RuleError
from webcare.services.routing.default_rules import all_rules
from webcare.services.routing.engine import RuleSpec, compile_rule
from webcare.services.routing.rules import snapshot
from webcare.services.routing.store import load_catalog

log = logging.getLogger(__name__)

SEEDED_KEY = "routing_defaults"


def seed_rules(session: Session) -> int:
    """Add the default rules that were never seeded here; return how many were added."""
    state = session.scalar(select(AppState).where(AppState.key == SEEDED_KEY).with_for_update())
    seeded = set((state.value or {}).get("seeded", [])) if state else set()
    known = dict((state.value or {}).get("rules", {})) if state else {}
    updated = _update_untouched(session, known)
    missing = [rule for rule in all_rules() if rule["key"] not in seeded]
    if not missing:
        if updated:
            _remember(session, state, sorted(seeded), known)
        return 0
    version = config_version.bump(session)
    catalog = load_catalog(session)
    names = {name.lower() for name in session.scalars(select(RoutingRule.name))}
    position = session.scalar(select(func.max(RoutingRule.position))) or 0
    added: dict[str, RoutingRule] = {}
    done = []
    for data in missing:
        if data["name"].lower() in names:  # an administrator made a rule with this name: leave it
            done.append(data["key"])
            continue
        if not _usable(data, catalog):
            continue
        position += 1
        added[data["key"]] = RoutingRule(
            position=position, name=data["name"], description=data["description"], enabled=True,
            continue_matching=data["continue_matching"], conditions=data["conditions"], actions=data["actions"],
            version=1)
    session.add_all(added.values())
    session.flush()
    for rule in added.values():
        audit.record(session, None, "routing_rule.create", target=("routing_rule", rule.id),
                     data={"before": None, "after": snapshot(rule), "ruleset_version": version, "seeded": True})
    for key, rule in added.items():
        known[key] = {"id": rule.id, "fingerprint": fingerprint(rule.name, rule.description, rule.continue_matching,
                                                              rule.conditions, rule.actions)}
    _remember(session, state, sorted(seeded | set(added) | set(done)), known)
    return len(added)


def fingerprint(name, description, continue_matching, conditions, actions) -> str:
    content = json.dumps([name, description, bool(continue_matching), conditions, actions], sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def _update_untouched(session: Session, known: dict[str, dict]) -> int:
    """Bring seeded defaults that nobody changed up to this version's content; return how many changed."""
    defaults = {rule["key"]: rule for rule in all_rules()}
    changed = 0
    for key, seen in known.items():
        data, rule = defaults.get(key), session.get(RoutingRule, seen.get("id"))
        if data is None or rule is None:
            continue
        current = fingerprint(rule.name, rule.description, rule.continue_matching, rule.conditions, rule.actions)
        new = fingerprint(data["name"], data["description"], data["continue_matching"], data["conditions"],
                          data["actions"])
        if current != seen["fingerprint"] or new == current:  # changed by an administrator, or up to date
            continue
        before = snapshot(rule)
        rule.name, rule.description, rule.continue_matching = data["name"], data["description"], data["continue_matching"]
        rule.conditions, rule.actions, rule.version = data["conditions"], data["actions"], (rule.version or 1) + 1
        session.flush()
        audit.record(session, None, "routing_rule.update", target=("routing_rule", rule.id),
                     data={"before": before, "after": snapshot(rule), "seeded": True})
        known[key] = {"id": rule.id, "fingerprint": new}
        changed += 1
    if changed:
        config_version.bump(session)
    return changed


def _remember(session: Session, state: AppState | None, keys: list[str], known: dict[str, dict]) -> None:
    value = {"seeded": keys, "rules": known}
    if state is None:
        session.add(AppState(key=SEEDED_KEY, value=value, version=1))
    else:
        state.value = {**(state.value or {}), **value}
        state.version = (state.version or 0) + 1
    session.flush()


def _usable(data: dict, catalog) -> bool:
    try:
        compile_rule(RuleSpec(None, data["name"], data["conditions"], data["actions"]), catalog)
    except RuleError as exc:  # e.g. an administrator deactivated the category: skip, say so
        log.warning("default routing rule %r not seeded: %s", data["key"], exc)
        return False
    return True
