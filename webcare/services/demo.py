"""Demo users for `webcare demo` and `webcare run` (idempotent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import User
from webcare.services.users import create_user

DEMO_PASSWORD = "webcare-demo"
DEMO_USERS = [
    ("agent@voorbeeldstad.nl", "agent", "Anouk Agent", []),
    ("ow@voorbeeldstad.nl", "department", "Otto Openbare Werken", ["OW"]),
    ("afval@voorbeeldstad.nl", "department", "Aisha Afval", ["AFV"]),
    ("vb@voorbeeldstad.nl", "department", "Vera Veiligheid", ["VB"]),
    ("manager@voorbeeldstad.nl", "manager", "Marco Manager", []),
    ("admin@voorbeeldstad.nl", "admin", "Ada Admin", []),
]

def create_demo_users(session: Session) -> list[tuple[str, str]]:
    """Create the demo accounts that are missing; return (email, role) of all of them."""
    existing = set(session.scalars(select(User.email)))
    for email, role, name, departments in DEMO_USERS:
        if email not in existing:
            create_user(session, email, role, password=DEMO_PASSWORD, name=name, department_codes=departments)
    return [(email, role) for email, role, _name, _deps in DEMO_USERS]


def create_demo(session: Session) -> dict:
    return {"users": create_demo_users(session)}
