"""Factories for tests: users, channels, contacts, tickets and messages with sensible defaults."""

from __future__ import annotations

import functools
import itertools
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.db import utcnow
from webcare.models import Category, Channel, Contact, Department, Message, Ticket, TicketEvent, User
from webcare.passwords import hash_password
from webcare.services import seed
from webcare.services.users import create_user

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def seeded(session: Session) -> Session:
    seed.seed_defaults(session)
    return session


def department(session: Session, code: str) -> Department:
    return session.scalar(select(Department).where(Department.code == code))


def category(session: Session, code: str) -> Category:
    return session.scalar(select(Category).where(Category.code == code))


@functools.cache
def _hash_of(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose; hash each test password once per run


def user(session: Session, role: str = "agent", departments: tuple[str, ...] = (), email: str | None = None,
         password: str = PASSWORD) -> User:
    email = email or f"{role}{next(_counter)}@voorbeeldstad.nl"
    record = create_user(session, email, role, name=email.split("@")[0], department_codes=departments)
    record.password_hash = _hash_of(password)
    return record


def channel(session: Session, platform: str = "mastodon", name: str | None = None, **kwargs) -> Channel:
    record = Channel(platform=platform, name=name or f"{platform}-{next(_counter)}",
                     handle=kwargs.pop("handle", "gemeente"), **kwargs)
    session.add(record)
    session.flush()
    return record


def contact(session: Session, platform: str = "mastodon", handle: str | None = None) -> Contact:
    n = next(_counter)
    record = Contact(platform=platform, platform_user_id=str(n), handle=handle or f"burger{n}",
                     display_name=f"Burger {n}")
    session.add(record)
    session.flush()
    return record


def ticket(session: Session, channel_: Channel | None = None, department_code: str | None = None,
           status: str = "new", created_at: datetime | None = None, threat: bool = False,
           text: str = "De lantaarnpaal is kapot", **kwargs) -> Ticket:
    channel_ = channel_ or channel(session)
    who = contact(session, channel_.platform)
    thread = f"thread-{next(_counter)}"
    created_at = created_at or utcnow()
    dept = department(session, department_code) if department_code else None
    record = Ticket(channel_id=channel_.id, contact_id=who.id, thread_key=thread, current_thread_key=thread,
                    kind="mention", visibility="public", subject=text[:280], status=status,
                    department_id=dept.id if dept else None, created_at=created_at, received_at=created_at,
                    updated_at=created_at, threat=threat, **kwargs)
    session.add(record)
    session.flush()
    session.add(Message(ticket_id=record.id, channel_id=channel_.id, contact_id=who.id, direction="in",
                        platform=channel_.platform, external_id=f"ext-{next(_counter)}", thread_key=thread,
                        kind="mention", visibility="public", text=text, author_handle=who.handle,
                        author_name=who.display_name, platform_created_at=created_at, received_at=created_at))
    session.flush()
    return record


def tickets_with_facts(session: Session, count: int = 3) -> list[Ticket]:
    """Seeded defaults and `count` OW tickets with their `created` events, clocks and metric facts (for
    migration tests that check stored rows survive)."""
    from webcare.services import sla

    seeded(session)
    tickets = [ticket(session, department_code="OW", text=f"Losse stoeptegel {n}") for n in range(count)]
    for record in tickets:
        session.add(TicketEvent(ticket_id=record.id, type="created", department_id=record.department_id))
    session.flush()
    sla.recompute_stored(session, tickets)
    return tickets


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def form_post(client, url: str, data: dict | None = None, page: str | None = None):
    """POST a form as a browser does: with the CSRF token of the page that shows it (`page`, else `url`)."""
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def logged_in(session: Session, client, role: str) -> User:
    """A new user with `role` in a seeded database, logged in on `client`."""
    seeded(session)
    made = user(session, role)
    session.commit()
    login(client, made.email)
    return made
