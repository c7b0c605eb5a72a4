"""Loading the rule set from the database, kept per process by the configuration version.

Every change to what it reads (rules, departments, categories, users' addresses and active flags) changes
the configuration version (`services.config_version`). `current_ruleset` reads the version at most once
per transaction (a request, a job's batch) with one primary-key lookup and recompiles only when it
changed, so all workers pick up a change at their next batch.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import Category, Department, RoutingRule, User
from webcare.services import config_version
from webcare.services.routing.engine import Catalog, CategoryInfo, DepartmentInfo, RuleSet, RuleSpec

log = logging.getLogger(__name__)


def current_ruleset(session: Session) -> RuleSet:
    """The compiled enabled rules, checked against the configuration version once per transaction."""
    return config_version.kept(session, "routing", load_ruleset)


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
