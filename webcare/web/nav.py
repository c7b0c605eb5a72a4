"""Navigation by role: each area adds its entries here; the layout shows those the user may use."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: frozenset[str]


NAV_ITEMS: list[NavItem] = []


def add_nav(endpoint: str, label, *roles: str) -> None:
    if not any(item.endpoint == endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(endpoint, label, frozenset(roles)))


def items_for(role: str, known_endpoints) -> list[NavItem]:
    return [item for item in NAV_ITEMS if role in item.roles and item.endpoint in known_endpoints]


add_nav("main.home", _l("Overview"), "agent", "department", "manager", "admin")
