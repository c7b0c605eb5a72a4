"""Idempotent seeding of the defaults in DOMAIN.md: departments, categories, calendar, SLA policy.

Running it again adds what is missing and never overwrites what an administrator changed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import BusinessCalendar, CannedResponse, Category, Department, SlaPolicy
from webcare.services import defaults
from webcare.services.routing.seeding import seed_rules


def seed_defaults(session: Session) -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were added."""
    return {
        "calendars": seed_calendar(session),
        "departments": seed_departments(session),
        "categories": seed_categories(session),
        "sla_policies": seed_sla_policy(session),
        "routing_rules": seed_rules(session),
        "canned_responses": seed_canned_responses(session),
    }


def seed_calendar(session: Session) -> int:
    if session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.name == defaults.DEFAULT_CALENDAR)):
        return 0
    session.add(BusinessCalendar(name=defaults.DEFAULT_CALENDAR, is_default=True))
    session.flush()
    return 1


def seed_departments(session: Session) -> int:
    existing = set(session.scalars(select(Department.code)))
    calendar_id = _default_calendar_id(session)
    added = 0
    for code, name, flags in defaults.DEPARTMENTS:
        if code not in existing:
            session.add(Department(code=code, name=name, calendar_id=calendar_id, **flags))
            added += 1
    session.flush()
    return added


def seed_categories(session: Session) -> int:
    departments = {d.code: d.id for d in session.scalars(select(Department))}
    existing = {c.code: c for c in session.scalars(select(Category))}
    added = 0
    for main_code, main_name, *rest in defaults.CATEGORIES:
        if isinstance(rest[0], list):
            main = existing.get(main_code) or _add(session, main_code, main_name, None, None, None, None)
            added += main_code not in existing
            for sub_code, name, dept, target, unit in rest[0]:
                code = f"{main_code}.{sub_code}"
                if code not in existing:
                    _add(session, code, name, main.id, departments.get(dept), target, unit)
                    added += 1
        elif main_code not in existing:
            dept, target, unit = rest
            category = _add(session, main_code, main_name, None, departments.get(dept), target, unit)
            if main_code == defaults.THREAT_CATEGORY:
                category.is_threat = True
                category.default_priority = "urgent"
                category.first_response_business_minutes = 60
            added += 1
    session.flush()
    return added


def _add(session: Session, code, name, parent_id, department_id, target, unit) -> Category:
    category = Category(code=code, name=name, parent_id=parent_id, department_id=department_id,
                        handling_target=target, handling_unit=unit or defaults.WD)
    session.add(category)
    session.flush()
    return category


def seed_sla_policy(session: Session) -> int:
    if session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == defaults.DEFAULT_POLICY)):
        return 0
    session.add(SlaPolicy(name=defaults.DEFAULT_POLICY, is_default=True, calendar_id=_default_calendar_id(session)))
    session.flush()
    return 1


def _default_calendar_id(session: Session) -> int | None:
    return session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.is_default.is_(True)))


def seed_canned_responses(session: Session) -> int:
    """The Dutch canned responses (by title and category); existing ones are left as they are."""
    categories = {c.code: c.id for c in session.scalars(select(Category))}
    existing = {(r.title, r.category_id) for r in session.scalars(select(CannedResponse))}
    added = 0
    for title, category_code, text in defaults.CANNED_RESPONSES:
        category_id = categories.get(category_code) if category_code else None
        if (title, category_id) not in existing and (category_code is None or category_id is not None):
            session.add(CannedResponse(title=title, text=text, category_id=category_id, language="nl"))
            added += 1
    session.flush()
    return added
