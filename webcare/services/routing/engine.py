"""The compiled rule set: ordered rules, one keyword matcher for all of them, first match wins.

Evaluation of one message: normalise the text once, run the keyword matcher once (cost independent of
the number of rules), then evaluate in order only the rules that can match: those with a keyword found
plus the few rules whose conditions need no keyword (platform-only, regex, catch-all). The first
matching rule that sets a field decides it; a rule without `continue_matching` ends the evaluation.
Labels add up, the threat flag is sticky, and the most urgent priority wins (a "continue" rule that
says urgent is never downgraded by a later rule). A threat is always urgent and never acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass

from webcare.models.ticket import PRIORITIES, PRIORITY_RANK
from webcare.services import defaults
from webcare.services.routing.conditions import Check, ConditionCompiler, Context, RuleError
from webcare.services.routing.decision import RouteDecision, RouteInput
from webcare.services.routing.matcher import KeywordMatcher
from webcare.services.routing.text import Text, read

ACTION_KEYS = ("category", "department", "priority", "labels", "threat", "assignee", "auto_ack")
MAX_LABEL_LENGTH = 64
MAX_CACHED_DECISIONS = 10_000
_NOTHING: frozenset[int] = frozenset()


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    department: str | None
    default_priority: str | None = None
    promise_text: str | None = None
    is_threat: bool = False
    handling_target: int | None = None
    handling_unit: str = "working_days"


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Catalog:
    """Active categories and departments by code, and users by lower-case e-mail (for assignees)."""

    categories: dict[str, CategoryInfo]
    departments: dict[str, DepartmentInfo]
    users: dict[str, int]


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the engine needs it: from a stored RoutingRule or from a draft being edited."""

    id: int | None
    name: str
    conditions: dict
    actions: dict
    continue_matching: bool = False

    @classmethod
    def of(cls, rule) -> RuleSpec:
        return cls(rule.id, rule.name, rule.conditions or {}, rule.actions or {}, bool(rule.continue_matching))


@dataclass(frozen=True)
class Actions:
    category: CategoryInfo | None = None
    department: DepartmentInfo | None = None
    priority: str | None = None
    labels: tuple[str, ...] = ()
    threat: bool = False
    assignee: str | None = None
    assignee_id: int | None = None
    auto_ack: bool | None = None


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    check: Check
    gated: bool
    actions: Actions
    leaf: int | None = None  # set when the whole condition is one keyword list: checked without a Context


def compile_actions(actions, catalog: Catalog, path: str = "actions") -> Actions:
    """Validate and resolve a rule's actions against the catalog; raise RuleError when unusable."""
    if not isinstance(actions, dict):
        raise RuleError(path, "must be an object")
    unknown = sorted(set(actions) - set(ACTION_KEYS))
    if unknown:
        raise RuleError(path, f"unknown action(s) {', '.join(unknown)}; use {', '.join(ACTION_KEYS)}")
    category = _lookup(actions.get("category"), catalog.categories, f"{path}.category", "category")
    department = _lookup(actions.get("department"), catalog.departments, f"{path}.department", "department")
    priority = actions.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise RuleError(f"{path}.priority", f"must be one of {', '.join(PRIORITIES)}")
    labels = _labels(actions.get("labels", []), f"{path}.labels")
    for flag in ("threat", "auto_ack"):
        if flag in actions and not isinstance(actions[flag], bool):
            raise RuleError(f"{path}.{flag}", "must be true or false")
    assignee = actions.get("assignee")
    assignee_id = None
    if assignee is not None:
        assignee = str(assignee).strip().lower()
        assignee_id = catalog.users.get(assignee)
        if assignee_id is None:
            raise RuleError(f"{path}.assignee", f"no active user with e-mail address '{assignee}'")
    return Actions(category, department, priority, labels, bool(actions.get("threat", False)), assignee,
                   assignee_id, actions.get("auto_ack"))


def _lookup(code, known: dict, path: str, what: str):
    if code is None:
        return None
    if not isinstance(code, str) or code not in known:
        raise RuleError(path, f"unknown or inactive {what} '{code}'")
    return known[code]


def _labels(value, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(path, "must be a list of texts")
    labels = tuple(dict.fromkeys(v.strip().lower() for v in value))
    too_long = [label for label in labels if len(label) > MAX_LABEL_LENGTH]
    if too_long:
        raise RuleError(path, f"label '{too_long[0]}' is longer than {MAX_LABEL_LENGTH} characters")
    return labels


class RuleSet:
    """Rules compiled for evaluation. `strict=False` skips unusable stored rules (see `broken`)."""

    def __init__(self, specs: list[RuleSpec], catalog: Catalog, *, strict: bool = True):
        self.catalog = catalog
        self.broken: dict[int | None, str] = {}
        compiler = ConditionCompiler()
        self.rules: list[CompiledRule] = []
        leaf_rule: list[int] = []
        for spec in specs:
            first_leaf = compiler.leaf_count
            try:
                rule = compile_rule(spec, catalog, compiler)
            except RuleError as exc:
                if strict:
                    raise
                self.broken[spec.id] = str(exc)
                leaf_rule.extend([-1] * (compiler.leaf_count - first_leaf))
                continue
            leaf_rule.extend([len(self.rules)] * (compiler.leaf_count - first_leaf))
            self.rules.append(rule)
        self._leaf_rule = leaf_rule
        self._ungated = frozenset(i for i, rule in enumerate(self.rules) if not rule.gated)
        self._ungated_order = sorted(self._ungated)
        self.matcher = KeywordMatcher(compiler.terms) if compiler.terms else None
        self._decisions: dict[tuple[int, ...], RouteDecision] = {}

    def decide(self, item: RouteInput, text: Text | None = None) -> RouteDecision:
        """The decision for `item`; `text` is `read(item.text)` when the caller has it already."""
        text = text or read(item.text)
        leaves = self.matcher.match(text.words) if self.matcher is not None else _NOTHING
        if len(leaves) == 1 and not self._ungated:  # the common case: one keyword list of one rule found
            (leaf,) = leaves
            index = self._leaf_rule[leaf]
            if index >= 0 and self.rules[index].leaf == leaf:
                decision = self._decisions.get((index,))
                return decision if decision is not None else self._decision((index,))
        if leaves:
            leaf_rule = self._leaf_rule
            order = sorted({leaf_rule[leaf] for leaf in leaves}.union(self._ungated))
            if order[0] < 0:
                order = [index for index in order if index >= 0]
        else:
            order = self._ungated_order
        matched: list[int] = []
        ctx: Context | None = None
        rules = self.rules
        for index in order:
            rule = rules[index]
            if rule.leaf is not None:
                if rule.leaf not in leaves:
                    continue
            else:
                ctx = ctx or Context(item, text, leaves)
                if not rule.check(ctx):
                    continue
            matched.append(index)
            if rule.actions.labels:
                ctx = ctx or Context(item, text, leaves)
                ctx.add_labels(rule.actions.labels)
            if not rule.spec.continue_matching:
                break
        return self._decision(tuple(matched))

    def _decision(self, matched: tuple[int, ...]) -> RouteDecision:
        """The decision follows from the matched rules alone, so it is built once per combination."""
        decision = self._decisions.get(matched)
        if decision is None:
            outcome = _Outcome()
            for index in matched:
                outcome.add(self.rules[index])
            decision = outcome.decision(self.catalog)
            if len(self._decisions) >= MAX_CACHED_DECISIONS:
                self._decisions.clear()
            self._decisions[matched] = decision
        return decision


def compile_rule(spec: RuleSpec, catalog: Catalog, compiler: ConditionCompiler | None = None) -> CompiledRule:
    compiler = compiler or ConditionCompiler()
    first_leaf = compiler.leaf_count
    check, gated = compiler.compile(spec.conditions)
    leaf = first_leaf if isinstance(spec.conditions, dict) and list(spec.conditions) == ["words"] else None
    return CompiledRule(spec, check, gated, compile_actions(spec.actions, catalog), leaf)


class _Outcome:
    """Accumulates the actions of the matching rules in order."""

    def __init__(self) -> None:
        self.category: CategoryInfo | None = None
        self.department: DepartmentInfo | None = None
        self.deciding: CompiledRule | None = None
        self.priority: str | None = None
        self.labels: dict[str, None] = {}
        self.threat = False
        self.assignee: tuple[str, int] | None = None
        self.auto_ack: bool | None = None
        self.matched: list[str] = []

    def add(self, rule: CompiledRule) -> None:
        actions = rule.actions
        self.matched.append(rule.spec.name)
        if self.deciding is None and (actions.category or actions.department):
            self.deciding = rule
            self.category, self.department = actions.category, actions.department
        if actions.priority and (self.priority is None
                                 or PRIORITY_RANK[actions.priority] < PRIORITY_RANK[self.priority]):
            self.priority = actions.priority
        self.labels.update(dict.fromkeys(actions.labels))
        self.threat = self.threat or actions.threat
        if self.assignee is None and actions.assignee_id is not None:
            self.assignee = (actions.assignee, actions.assignee_id)
        if self.auto_ack is None and actions.auto_ack is not None:
            self.auto_ack = actions.auto_ack

    def decision(self, catalog: Catalog) -> RouteDecision:
        category, department = self.category, self.department
        if category is None and department is None:
            category = catalog.categories.get(defaults.FALLBACK_CATEGORY)
        if department is None:
            code = category.department if category and category.department else defaults.FALLBACK_DEPARTMENT
            department = catalog.departments.get(code)
        threat = self.threat or bool(category and category.is_threat)
        priority = "urgent" if threat else (self.priority or (category.default_priority if category else None)
                                            or "normal")
        deciding = self.deciding
        return RouteDecision(
            category=category.code if category else None, department=department.code if department else None,
            priority=priority, labels=tuple(self.labels), threat=threat,
            assignee=self.assignee[0] if self.assignee else None, auto_ack=bool(self.auto_ack) and not threat,
            rule_id=deciding.spec.id if deciding else None, rule=deciding.spec.name if deciding else None,
            matched_rules=tuple(self.matched), category_id=category.id if category else None,
            department_id=department.id if department else None,
            assignee_id=self.assignee[1] if self.assignee else None,
        )
