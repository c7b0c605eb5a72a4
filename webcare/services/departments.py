"""Departments as administrators maintain them.

A change bumps the routing version: routing's catalog (which departments are active, their names in the
promise to the citizen) is cached per version in every worker.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.errors import Conflict, NotFound, ValidationFailed
from webcare.models import Department
from webcare.services import config_version
from webcare.services.routing.store import enabled_rules

EDITABLE = ("name", "email", "active", "feedback_working_days")


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code)))


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(f"department {department_id} not found")
    return department


def create_department(session: Session, code: str, name: str, **fields) -> Department:
    code = code.strip().upper()
    if not code.isalnum() or len(code) > 16:
        raise ValidationFailed("the code is letters and digits, at most 16", fields={"code": code},
                               code="department_code")
    if session.scalar(select(Department.id).where(Department.code == code)) is not None:
        raise Conflict(f"department {code} already exists", fields={"code": code}, code="department_taken")
    department = Department(code=code, name=name.strip())
    session.add(department)
    update_department(session, department, **fields)
    session.flush()
    return department


def update_department(session: Session, department: Department, **fields) -> dict:
    """Apply the editable fields; return {field: [old, new]} of what changed (for the audit log)."""
    if fields.get("active") is False and department.active:
        _keep_routing_whole(session, department)
    changes = {}
    for key, value in fields.items():
        if key not in EDITABLE:
            raise ValidationFailed(f"{key} cannot be changed here", fields={key: "not editable"})
        if key == "feedback_working_days" and value is not None and not 1 <= value <= 60:
            raise ValidationFailed("feedback target is 1 to 60 working days", fields={key: value})
        if getattr(department, key) != value:
            changes[key] = [getattr(department, key), value]
            setattr(department, key, value)
    if not department.name:
        raise ValidationFailed("a department needs a name", fields={"name": "required"})
    if changes:
        config_version.bump(session)
    return changes


def _keep_routing_whole(session: Session, department: Department) -> None:
    """Refuse switching off a department that enabled rules send tickets to: those rules would be skipped,
    so their messages (the threat rule's too, when it is the safety team) would quietly go unrouted."""
    rules = [rule.name for rule in enabled_rules(session) if (rule.actions or {}).get("department") == department.code]
    if rules:
        raise ValidationFailed(f"enabled routing rules send tickets to this department: {', '.join(rules)}",
                               fields={"active": "in rules", "rules": rules}, code="department_in_rules",
                               params={"rules": ", ".join(rules)})
