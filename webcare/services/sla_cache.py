"""What the SLA engine reads of the configuration, loaded once per session: the active policy (as the
snapshot a ticket keeps), the calendars, categories, departments and department memberships.

After changing a policy, calendar, category or department in a session, call `forget_cache(session)`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.calendar import Calendar
from webcare.models import Category, Department, SlaPolicy, department_memberships
from webcare.services import calendars

POLICY_FIELDS = ("first_response_dm_minutes", "first_response_public_minutes", "next_response_dm_minutes",
                 "next_response_public_minutes", "department_feedback_working_days", "at_risk_percent")
_CACHE_KEY = "webcare_sla_cache"


class SessionCache:
    """Policy, calendars, categories, departments and memberships, loaded once per session."""

    def __init__(self, session: Session):
        self.session = session
        self._policy: dict | None = None
        self._calendars: dict[int, Calendar] | None = None
        self._default_calendar: Calendar | None = None
        self._categories: dict[int, Category] | None = None
        self._departments: dict[int, Department] | None = None
        self._members: dict[int, set[int]] = {}
        self.fresh_targets: dict[tuple, tuple] = {}  # new tickets' targets: see sla._choose_targets

    def policy(self) -> dict:
        if self._policy is None:
            policy = self.session.scalar(select(SlaPolicy).where(SlaPolicy.active.is_(True))
                                         .order_by(SlaPolicy.is_default.desc(), SlaPolicy.id).limit(1))
            self._policy = policy_snapshot(policy)
        return self._policy

    def calendar(self, calendar_id: int | None) -> Calendar:
        if self._calendars is None:
            self._calendars, self._default_calendar = calendars.load_all(self.session)
        return self._calendars.get(calendar_id) or self._default_calendar

    def default_calendar_id(self) -> int | None:
        self.calendar(None)
        return self._default_calendar.id

    def category(self, category_id: int | None) -> Category | None:
        if self._categories is None:
            self._categories = {c.id: c for c in self.session.scalars(select(Category))}
        return self._categories.get(category_id) if category_id else None

    def department(self, department_id: int | None) -> Department | None:
        if self._departments is None:
            self._departments = {d.id: d for d in self.session.scalars(select(Department))}
        return self._departments.get(department_id) if department_id else None

    def members(self, user_ids: Iterable[int]) -> dict[int, set[int]]:
        missing = {u for u in user_ids if u is not None and u not in self._members}
        if missing:
            for user_id in missing:
                self._members[user_id] = set()
            rows = self.session.execute(select(department_memberships.c.user_id, department_memberships.c.department_id)
                                        .where(department_memberships.c.user_id.in_(missing)))
            for user_id, department_id in rows:
                self._members[user_id].add(department_id)
        return self._members


def cache(session: Session) -> SessionCache:
    cache = session.info.get(_CACHE_KEY)
    if cache is None:
        cache = session.info[_CACHE_KEY] = SessionCache(session)
    return cache


def forget_cache(session: Session) -> None:
    """Call after changing a policy, calendar, category or department in this session."""
    session.info.pop(_CACHE_KEY, None)


def policy_snapshot(policy: SlaPolicy | None) -> dict:
    """The targets of a policy as stored on a ticket (the model's defaults when there is no policy)."""
    if policy is None:
        defaults = {name: SlaPolicy.__table__.c[name].default.arg for name in POLICY_FIELDS}
        return {"id": None, "name": None, "calendar_id": None, **defaults}
    return {"id": policy.id, "name": policy.name, "calendar_id": policy.calendar_id,
            **{name: getattr(policy, name) for name in POLICY_FIELDS}}
