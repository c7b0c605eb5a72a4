"""Managing routing rules: validated create, update, move, enable and delete, versioned in the audit log.

Every change locks and bumps the rule-set stamp first (so concurrent edits are serialised and all
workers recompile), keeps positions contiguous (1..n), raises the rule's own `version`, and records
an audit entry with the rule before and after. A rule that does not compile (a bad regular
expression, an unknown category or department, ...) is refused with a message and never saved.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webcare.errors import Conflict, NotFound, ValidationFailed
from webcare.models import RoutingRule, User
from webcare.services import audit, config_version
from webcare.services.audit import CLI, Origin
from webcare.services.routing.conditions import RuleError
from webcare.services.routing.engine import RuleSpec, compile_rule
from webcare.services.routing.store import load_catalog

FIELDS = ("name", "description", "enabled", "continue_matching", "conditions", "actions")
MAX_NAME = 120


EVALUATION_ORDER = (RoutingRule.position, RoutingRule.id)


def list_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(*EVALUATION_ORDER)))


def get_rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(f"routing rule {rule_id} not found")
    return rule


def snapshot(rule: RoutingRule) -> dict:
    return {"id": rule.id, "position": rule.position, "name": rule.name, "description": rule.description,
            "enabled": rule.enabled, "continue_matching": rule.continue_matching,
            "conditions": rule.conditions, "actions": rule.actions, "version": rule.version}


def validate(session: Session, data: dict, *, rule_id: int | None = None) -> None:
    """Refuse a rule that cannot be used, with a message that says where and why."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed("a rule needs a name", fields={"name": "required"})
    if len(name) > MAX_NAME:
        raise ValidationFailed(f"the name is longer than {MAX_NAME} characters", fields={"name": "too long"})
    clash = session.scalar(select(RoutingRule.id).where(func.lower(RoutingRule.name) == name.lower(),
                                                        RoutingRule.id != (rule_id or 0)))
    if clash is not None:
        raise Conflict(f"another rule is already called '{name}'", fields={"name": "taken"})
    spec = RuleSpec(rule_id, name, data.get("conditions") or {}, data.get("actions") or {})
    try:
        compile_rule(spec, load_catalog(session))
    except RuleError as exc:
        raise ValidationFailed(str(exc), fields={exc.path.split(".")[0].split("[")[0]: str(exc)}) from None


def create_rule(session: Session, data: dict, actor: User | None, origin: Origin = CLI) -> RoutingRule:
    """Add a rule at `data["position"]` (1 = first) or at the end."""
    data = _clean(data)
    validate(session, data)
    version = config_version.bump(session)
    rules = list_rules(session)
    rule = RoutingRule(position=0, version=1, **{key: data[key] for key in FIELDS})
    session.add(rule)
    rules.insert(_index(data.get("position"), len(rules)), rule)
    _renumber(rules)
    session.flush()
    audit.record(session, actor, "routing_rule.create", origin, target=("routing_rule", rule.id),
                 data={"before": None, "after": snapshot(rule), "ruleset_version": version})
    return rule


def update_rule(session: Session, rule_id: int, data: dict, actor: User | None, origin: Origin = CLI) -> RoutingRule:
    """Change a rule; fields missing from `data` keep their value; `position` moves it."""
    rule = get_rule(session, rule_id)
    merged = _clean({**snapshot(rule), **data})
    validate(session, merged, rule_id=rule.id)
    version = config_version.bump(session)
    before = snapshot(rule)
    for key in FIELDS:
        setattr(rule, key, merged[key])
    if data.get("position") is not None:
        rules = [r for r in list_rules(session) if r.id != rule.id]
        rules.insert(_index(data["position"], len(rules)), rule)
        _renumber(rules)
    return _changed(session, rule, before, actor, origin, "routing_rule.update", version)


def set_enabled(session: Session, rule_id: int, enabled: bool, actor: User | None, origin: Origin = CLI) -> RoutingRule:
    rule = get_rule(session, rule_id)
    if rule.enabled == enabled:
        return rule
    if enabled:
        validate(session, snapshot(rule), rule_id=rule.id)
    version = config_version.bump(session)
    before = snapshot(rule)
    rule.enabled = enabled
    return _changed(session, rule, before, actor, origin, "routing_rule.enable" if enabled else
                    "routing_rule.disable", version)


def move_rule(session: Session, rule_id: int, direction: str, actor: User | None, origin: Origin = CLI) -> RoutingRule:
    """Swap a rule with its neighbour above ("up") or below ("down"); at the edge nothing changes."""
    if direction not in ("up", "down"):
        raise ValidationFailed("direction must be up or down", fields={"direction": direction})
    version = config_version.bump(session)
    rules = list_rules(session)
    rule = get_rule(session, rule_id)
    i = rules.index(rule)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(rules):
        return rule
    before = snapshot(rule)
    rules[i], rules[j] = rules[j], rules[i]
    _renumber(rules)
    return _changed(session, rule, before, actor, origin, "routing_rule.move", version)


def delete_rule(session: Session, rule_id: int, actor: User | None, origin: Origin = CLI) -> None:
    rule = get_rule(session, rule_id)
    version = config_version.bump(session)
    before = snapshot(rule)
    session.delete(rule)
    session.flush()
    _renumber(list_rules(session))
    audit.record(session, actor, "routing_rule.delete", origin, target=("routing_rule", rule_id),
                 data={"before": before, "after": None, "ruleset_version": version})


def _changed(session: Session, rule: RoutingRule, before: dict, actor: User | None, origin: Origin,
             action: str, version: int) -> RoutingRule:
    rule.version = (rule.version or 0) + 1
    session.flush()
    audit.record(session, actor, action, origin, target=("routing_rule", rule.id),
                 data={"before": before, "after": snapshot(rule), "ruleset_version": version})
    return rule


def _clean(data: dict) -> dict:
    return {
        "name": (data.get("name") or "").strip(),
        "description": (data.get("description") or "").strip(),
        "enabled": bool(data.get("enabled", True)),
        "continue_matching": bool(data.get("continue_matching", False)),
        "conditions": data.get("conditions") or {},
        "actions": data.get("actions") or {},
        "position": data.get("position"),
    }


def _index(position: int | None, count: int) -> int:
    if position is None:
        return count
    if not isinstance(position, int) or position < 1:
        raise ValidationFailed("position must be 1 or more", fields={"position": position})
    return min(position - 1, count)


def _renumber(rules: list[RoutingRule]) -> None:
    for number, rule in enumerate(rules, 1):
        if rule.position != number:
            rule.position = number
