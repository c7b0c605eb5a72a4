"""The world of the access matrix (tests/web/test_access_matrix.py): one person per role, two departments,
and for every request fresh objects to act on, so that no request depends on what an earlier one did.

A request is described by the rule of the route (e.g. "POST /tickets/<int:ticket_id>/note"); `request_for`
fills the URL's parameters with objects made for it and gives a body that the role allowed to act would get
through with (the matrix tests the gate, not form validation). Ticket routes always aim at a ticket of
department A (OW): department B's member must get 404 for it, department A's member the intended answer.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from webcare.db import utcnow
from webcare.models import CannedResponse, Category, ClosingDay, Message, Notification, SlaPolicy
from webcare.models.calendar import BusinessCalendar
from webcare.services.routing import rules
from webcare.services.users import create_api_token

ROLES = ("anon", "agent", "dep_a", "dep_b", "manager", "admin")
DEPARTMENT_A, DEPARTMENT_B = "OW", "AFV"
_days = itertools.count(1)


@dataclass
class World:
    session: Session
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def commit(self) -> None:
        self.session.commit()


def build_world(session: Session) -> World:
    f.seeded(session)
    world = World(session)
    world.users = {
        "agent": f.user(session, "agent"),
        "dep_a": f.user(session, "department", (DEPARTMENT_A,)),
        "dep_b": f.user(session, "department", (DEPARTMENT_B,)),
        "manager": f.user(session, "manager"),
        "admin": f.user(session, "admin"),
    }
    session.flush()
    world.tokens = {role: create_api_token(session, user.email, "matrix")[1] for role, user in world.users.items()}
    session.commit()
    return world


@dataclass
class Request:
    method: str
    url: str
    form: dict | None = None
    json: dict | None = None


def _ticket(world: World):
    return f.ticket(world.session, department_code=DEPARTMENT_A)


def _failed_reply(world: World) -> int:
    ticket = _ticket(world)
    message = Message(ticket_id=ticket.id, channel_id=ticket.channel_id, contact_id=ticket.contact_id, direction="out",
                      platform="mastodon", thread_key=ticket.thread_key, kind="mention", visibility="public",
                      text="Dank u", delivery_state="failed", delivery_error="503", received_at=utcnow())
    world.session.add(message)
    world.session.flush()
    return message.id


def _calendar(world: World) -> int:
    return world.session.scalar(select(BusinessCalendar.id).order_by(BusinessCalendar.id))


def _closing_day(world: World) -> int:
    day = ClosingDay(calendar_id=_calendar(world), day=date(2031, 1, 1) + timedelta(days=next(_days)), name="Brugdag")
    world.session.add(day)
    world.session.flush()
    return day.id


def _rule(world: World) -> int:
    rule = rules.create_rule(world.session, {"name": f"matrix {next(_days)}", "conditions": {"words": ["*lamp"]},
                                             "actions": {"category": "wegen.straatverlichting"}}, None)
    return rule.id


def _notification(world: World, role: str) -> int:
    owner = world.users.get(role, world.users["agent"])
    note = Notification(user_id=owner.id, kind="sla_at_risk", text="Bijna te laat")
    world.session.add(note)
    world.session.flush()
    return note.id


def _canned(world: World) -> int:
    record = CannedResponse(title=f"Tekst {next(_days)}", text="Beste {naam}, dank u.", language="nl")
    world.session.add(record)
    world.session.flush()
    return record.id


def _token(world: World) -> int:
    record, _ = create_api_token(world.session, world.users["agent"].email, "to revoke")
    return record.id


# Values for URL parameters, by name; a callable makes a fresh object for each request.
PARAMS = {
    "ticket_id": lambda w, role: _ticket(w).id,
    "message_id": lambda w, role: _failed_reply(w),
    "channel_id": lambda w, role: f.channel(w.session).id,
    "department_id": lambda w, role: f.department(w.session, DEPARTMENT_A).id,
    "calendar_id": lambda w, role: _calendar(w),
    "day_id": lambda w, role: _closing_day(w),
    "policy_id": lambda w, role: w.session.scalar(select(SlaPolicy.id).order_by(SlaPolicy.id)),
    "category_id": lambda w, role: w.session.scalar(select(Category.id).order_by(Category.id)),
    "canned_id": lambda w, role: _canned(w),
    "rule_id": lambda w, role: _rule(w),
    "user_id": lambda w, role: f.user(w.session, "agent").id,
    "token_id": lambda w, role: _token(w),
    "contact_id": lambda w, role: f.contact(w.session).id,
    "notification_id": _notification,
    "job_id": lambda w, role: "no-such-job",
    "platform": lambda w, role: "mastodon",
    "code": lambda w, role: "en",
    "action": lambda w, role: None,  # taken from the first choice of the rule's `any(...)` converter
    "direction": lambda w, role: "up",
    "value": lambda w, role: 0,
    "filename": lambda w, role: "css/webcare.css",
}

_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def fill(rule: str, world: World, role: str) -> tuple[str, dict]:
    """The rule with every `<...>` replaced by a value; also the values by name."""
    values: dict = {}

    def one(match: re.Match) -> str:
        name = match.group("name")
        if match.group("conv") == "any":
            value = match.group("args").split(",")[0].strip().strip("'\"")
        else:
            value = PARAMS[name](world, role)
        values[name] = value
        return str(value)

    return _PARAM.sub(one, rule), values


def merge_partner(world: World, ticket_id: int) -> int:
    """Another ticket of the same citizen in the same department (what a merge needs)."""
    from webcare.models import Ticket

    source = world.session.get(Ticket, ticket_id)
    other = _ticket(world)
    other.contact_id = source.contact_id
    world.session.flush()
    return other.id


def csrf_for(client, role: str) -> str:
    page = client.get("/login" if role == "anon" else "/notifications/")
    return f.csrf_token(page.get_data(as_text=True))
