"""Names for the groups of the dashboards: departments, channels, categories and staff (no citizens)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import Category, Channel, Department, User
from webcare.platforms import DISPLAY_NAMES

NONE_LABEL = "—"


def names(session: Session, group_by: str, ids: Iterable[int]) -> dict[int, str]:
    """id -> a short readable name for department/channel/category/agent ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    if group_by == "department":
        rows = session.execute(select(Department.id, Department.code, Department.name).where(Department.id.in_(wanted)))
        return {i: f"{code} · {name}" for i, code, name in rows}
    if group_by == "channel":
        rows = session.execute(select(Channel.id, Channel.platform, Channel.name).where(Channel.id.in_(wanted)))
        return {i: f"{name} ({DISPLAY_NAMES.get(platform, platform)})" for i, platform, name in rows}
    if group_by == "category":
        rows = session.execute(select(Category.id, Category.name).where(Category.id.in_(wanted)))
        return {i: name for i, name in rows}
    if group_by == "agent":
        rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
        return {i: name or email for i, name, email in rows}
    return {}


def codes(session: Session, group_by: str | None, ids: Iterable[int]) -> dict[int, str]:
    """id -> code for departments and categories (the API's keys); {} for other groupings."""
    model = {"department": Department, "category": Category}.get(group_by or "")
    wanted = {i for i in ids if i is not None}
    if model is None or not wanted:
        return {}
    return {i: code for i, code in session.execute(select(model.id, model.code).where(model.id.in_(wanted)))}


def label_groups(session: Session, group_by: str | None, groups: Iterable) -> None:
    """Set `label` on each group (objects with `key` and `label`)."""
    groups = list(groups)
    found = names(session, group_by, (g.key for g in groups)) if group_by else {}
    found_codes = codes(session, group_by, (g.key for g in groups if isinstance(g.key, int)))
    for group in groups:
        group.label, group.code = label_for(group_by, group.key, found), found_codes.get(group.key)


def label_for(group_by: str | None, key, found: dict[int, str]) -> str:
    if group_by is None:
        return ""
    if isinstance(key, date):
        return key.isoformat()
    if key is None:
        return NONE_LABEL
    return found.get(key, f"#{key}")


def options(session: Session) -> dict[str, list[tuple[int, str]]]:
    """The choices of the filter form: every department, channel and category."""
    departments = session.execute(select(Department.id, Department.code, Department.name).order_by(Department.code))
    channels = session.execute(select(Channel.id, Channel.platform, Channel.name).order_by(Channel.name))
    categories = session.execute(select(Category.id, Category.name).order_by(Category.name))
    return {
        "department": [(i, f"{code} · {name}") for i, code, name in departments],
        "channel": [(i, f"{name} ({DISPLAY_NAMES.get(platform, platform)})") for i, platform, name in channels],
        "category": [(i, name) for i, name in categories],
    }
