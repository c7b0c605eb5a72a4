"""Categories as administrators maintain them: names, the department, SLA targets, promise and retention.

A category's targets override the policy's for its tickets: `first_response_business_minutes` (empty:
the policy's), the handling target (`handling_target` in `handling_unit`; empty: no handling clock), the
promise to the citizen (`promise_text`, with `{afdeling}`, `{categorie}` and `{termijn}`; empty: the
default text) and the retention term (`retention_days`; empty: the main category's, else the setting).
Like a policy change, a new target reaches tickets created from then on; a ticket keeps what it was given.
Every change bumps the routing version, so workers route with the new catalog at once, and returns what
changed for the audit log. The threat categories' flag is not editable (it decides who is notified), nor
are the threat category's department and active flag; a category that enabled rules choose is not
switched off (those rules would be skipped without a word).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webcare.errors import Conflict, NotFound, ValidationFailed
from webcare.models import Category, Department
from webcare.models.ticket import PRIORITIES
from webcare.services import config_version
from webcare.services.routing.store import enabled_rules
from webcare.services.text_fields import check_fields

EDITABLE = ("name", "parent_code", "department_code", "first_response_business_minutes", "handling_target",
            "handling_unit", "default_priority", "promise_text", "retention_days", "active")
HANDLING_UNITS = ("working_days", "calendar_days")
PROMISE_FIELDS = ("afdeling", "categorie", "termijn")
LIMITS = {"first_response_business_minutes": (1, 100_000), "handling_target": (1, 365), "retention_days": (1, 3650)}
_CODE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,79}$")


def list_categories(session: Session) -> list[Category]:
    """Main categories each followed by their subcategories, by code."""
    every = list(session.scalars(select(Category).options(selectinload(Category.department), selectinload(Category.parent))
                                 .order_by(Category.code)))
    children: dict[int | None, list[Category]] = {}
    for category in every:
        children.setdefault(category.parent_id, []).append(category)
    ordered = []
    for main in children.get(None, []):
        ordered += [main, *children.get(main.id, [])]
    return ordered + [c for c in every if c not in ordered]  # a subcategory of a subcategory, if any


def get_category(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound(f"category {category_id} not found")
    return category


def create_category(session: Session, code: str, name: str, **fields) -> tuple[Category, dict]:
    """A new category (active unless said otherwise); returns it and its values for the audit log."""
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise ValidationFailed("the code is lower-case letters, digits, dots and dashes, at most 80",
                               fields={"code": code}, code="category_code")
    if session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise Conflict(f"category {code} already exists", code="category_taken")
    category = Category(code=code, name="", handling_unit="working_days", active=True)
    session.add(category)
    changes = update_category(session, category, name=name, **fields)
    session.flush()
    return category, changes


def update_category(session: Session, category: Category, **fields) -> dict:
    """Apply the editable fields; return {field: [old, new]} of what changed (for the audit log)."""
    unknown = [key for key in fields if key not in EDITABLE]
    if unknown:
        raise ValidationFailed(f"{unknown[0]} cannot be changed here", fields={unknown[0]: "not editable"})
    values = _checked(session, category, fields)
    _keep_routing_whole(session, category, values)
    changes = {}
    for key, value in values.items():
        old = getattr(category, key)
        if old != value:
            changes[key] = [_plain(old), _plain(value)]
            setattr(category, key, value)
    if changes:
        session.flush()
        config_version.bump(session)
    return changes


def _keep_routing_whole(session: Session, category: Category, values: dict) -> None:
    """Refuse what would quietly change routing: switching off a category that enabled rules choose (they
    would be skipped), and moving the threat category away from its department or switching it off."""
    if category.id is None:
        return
    if category.is_threat and ((values.get("department", category.department) is not category.department)
                               or values.get("active") is False):
        raise ValidationFailed("the threat category keeps its department and stays active",
                               fields={"department_code": "threat"}, code="threat_category")
    if values.get("active") is False and category.active:
        rules = [rule.name for rule in enabled_rules(session) if (rule.actions or {}).get("category") == category.code]
        if rules:
            raise ValidationFailed(f"enabled routing rules choose this category: {', '.join(rules)}",
                                   fields={"active": "in rules", "rules": rules}, code="category_in_rules")


def _checked(session: Session, category: Category, fields: dict) -> dict:
    """The model's column values of `fields`, each checked; raises ValidationFailed."""
    values = {}
    for key, value in fields.items():
        if key in LIMITS:
            values[key] = _bounded(key, value)
        elif key == "name":
            values[key] = (value or "").strip()
            if not values[key] or len(values[key]) > 120:
                raise ValidationFailed("a category needs a name of at most 120 characters", fields={key: "required"})
        elif key == "parent_code":
            values["parent"] = _parent(session, category, value)
        elif key == "department_code":
            values["department"] = _department(session, value)
        elif key == "handling_unit":
            if value not in HANDLING_UNITS:
                raise ValidationFailed(f"the handling unit is one of {', '.join(HANDLING_UNITS)}", fields={key: value})
            values[key] = value
        elif key == "default_priority":
            if value not in (None, "", *PRIORITIES):
                raise ValidationFailed(f"the priority is one of {', '.join(PRIORITIES)}", fields={key: value})
            values[key] = value or None
        elif key == "promise_text":
            values[key] = check_promise_text(value)
        else:
            values[key] = bool(value)
    return values


def _bounded(key: str, value) -> int | None:
    if value in (None, ""):
        return None
    low, high = LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{key} is a whole number from {low} to {high}, or empty", fields={key: value})
    return value


def _parent(session: Session, category: Category, code: str | None) -> Category | None:
    if not code:
        return None
    parent = session.scalar(select(Category).where(Category.code == code))
    if parent is None:
        raise ValidationFailed(f"unknown main category {code}", fields={"parent_code": code})
    if parent.parent_id is not None or (category.id is not None and parent.id == category.id):
        raise ValidationFailed("a subcategory goes under a main category", fields={"parent_code": code},
                               code="category_parent")
    if category.id is not None and session.scalar(select(Category.id).where(Category.parent_id == category.id)):
        raise ValidationFailed("a category with subcategories stays a main category", fields={"parent_code": code},
                               code="category_parent")
    return parent


def _department(session: Session, code: str | None) -> Department | None:
    if not code:
        return None
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise ValidationFailed(f"unknown department {code}", fields={"department_code": code})
    return department


def check_promise_text(text: str | None) -> str | None:
    """The promise text stripped (None when empty); refuses unknown fields and unbalanced braces."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 1000:
        raise ValidationFailed("the promise text is at most 1,000 characters", fields={"promise_text": "too long"})
    return check_fields(text, PROMISE_FIELDS, form_field="promise_text", code_prefix="promise")


def _plain(value):
    """A value as the audit log keeps it (a related row by its code)."""
    return getattr(value, "code", value)
