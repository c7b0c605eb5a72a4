"""What the SLA engine reads of the configuration: the active policy (as the snapshot a ticket keeps), the
calendars, and the terms of categories and departments, kept per process by the configuration version
(`services.config_version`: loaded again, in five queries, only after a change); and department
memberships, read per session.

A change to a policy, calendar, category or department through the ORM is noticed when it is flushed; after
changing one with a Core statement, call `forget_cache(session)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.calendar import Calendar
from webcare.models import Category, Department, SlaPolicy, department_memberships
from webcare.services import calendars, config_version

POLICY_FIELDS = ("first_response_dm_minutes", "first_response_public_minutes", "next_response_dm_minutes",
                 "next_response_public_minutes", "department_feedback_working_days", "at_risk_percent")
_MEMBERS_KEY = "webcare_sla_members"


class CategoryTerms(NamedTuple):
    """What the clocks and the promise read of a category."""

    id: int
    name: str
    first_response_business_minutes: int | None
    handling_target: int | None
    handling_unit: str | None
    promise_text: str | None


class DepartmentTerms(NamedTuple):
    """What the clocks and the promise read of a department."""

    id: int
    name: str
    feedback_working_days: int | None
    calendar_id: int | None


class SlaConfig:
    """The SLA configuration as one transaction sees it; shared by the process's sessions while the
    configuration version stays the same, so treat it as read-only (`fresh_targets` only grows)."""

    def __init__(self, policy: dict, known: dict[int, Calendar], default: Calendar,
                 categories: dict[int, CategoryTerms], departments: dict[int, DepartmentTerms]):
        self._policy = policy
        self._calendars, self._default_calendar = known, default
        self._categories, self._departments = categories, departments
        self.fresh_targets: dict[tuple, tuple] = {}  # new tickets' targets: see sla._choose_targets

    @classmethod
    def load(cls, session: Session) -> SlaConfig:
        policy = session.scalar(select(SlaPolicy).where(SlaPolicy.active.is_(True))
                                .order_by(SlaPolicy.is_default.desc(), SlaPolicy.id).limit(1))
        known, default = calendars.load_all(session)
        categories = {row.id: CategoryTerms(*row) for row in session.execute(select(*[
            Category.__table__.c[name] for name in CategoryTerms._fields]))}
        departments = {row.id: DepartmentTerms(*row) for row in session.execute(select(*[
            Department.__table__.c[name] for name in DepartmentTerms._fields]))}
        return cls(policy_snapshot(policy), known, default, categories, departments)

    def policy(self) -> dict:
        return self._policy

    def calendar(self, calendar_id: int | None) -> Calendar:
        return self._calendars.get(calendar_id) or self._default_calendar

    def default_calendar_id(self) -> int | None:
        return self._default_calendar.id

    def category(self, category_id: int | None) -> CategoryTerms | None:
        return self._categories.get(category_id) if category_id else None

    def department(self, department_id: int | None) -> DepartmentTerms | None:
        return self._departments.get(department_id) if department_id else None


def cache(session: Session) -> SlaConfig:
    """The SLA configuration for this session's transaction."""
    return config_version.kept(session, "sla", SlaConfig.load)


def members(session: Session, user_ids: Iterable[int]) -> dict[int, set[int]]:
    """The departments of each of these users (and of those asked before in this session)."""
    known = session.info.setdefault(_MEMBERS_KEY, {})
    missing = {u for u in user_ids if u is not None and u not in known}
    if missing:
        for user_id in missing:
            known[user_id] = set()
        rows = session.execute(select(department_memberships.c.user_id, department_memberships.c.department_id)
                               .where(department_memberships.c.user_id.in_(missing)))
        for user_id, department_id in rows:
            known[user_id].add(department_id)
    return known


def forget_cache(session: Session) -> None:
    """Call after changing a policy, calendar, category or department with a Core statement in this session
    (an ORM change is noticed when it is flushed); the configuration version is bumped before it commits."""
    session.info.pop(_MEMBERS_KEY, None)
    config_version.changed(session)


def policy_snapshot(policy: SlaPolicy | None) -> dict:
    """The targets of a policy as stored on a ticket (the model's defaults when there is no policy)."""
    if policy is None:
        defaults = {name: SlaPolicy.__table__.c[name].default.arg for name in POLICY_FIELDS}
        return {"id": None, "name": None, "calendar_id": None, **defaults}
    return {"id": policy.id, "name": policy.name, "calendar_id": policy.calendar_id,
            **{name: getattr(policy, name) for name in POLICY_FIELDS}}
