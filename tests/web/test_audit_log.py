"""The audit log: searchable by admins (actor, action, ticket, date range), append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests import factories as f
from webcare.models import AuditEntry
from webcare.models.audit import AuditLogIsAppendOnly
from webcare.services import audit
from webcare.services.audit import AuditQuery, Origin

WEB = Origin(ip="10.1.2.3", user_agent="Firefox")


@pytest.fixture
def world(session):
    admin = f.user(session, "admin", email="beheer@voorbeeldstad.nl")
    agent = f.user(session, "agent", email="anouk@voorbeeldstad.nl")
    day = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    for n, (actor, action, ticket) in enumerate([
        (agent, "reply.pii_override", 7), (agent, "ticket.aangifte_export", 8), (admin, "contact.export", None),
        (admin, "contact.erase", None), (agent, "login", None),
    ]):
        entry = audit.record(session, actor, action, WEB, ticket_id=ticket, data={"n": n})
        entry.at = day + timedelta(days=n)
    session.commit()
    return admin, agent


@pytest.mark.parametrize(("query", "expected"), [
    (AuditQuery(), [4, 3, 2, 1, 0]),
    (AuditQuery(actor="ANOUK"), [4, 1, 0]),
    (AuditQuery(action="contact.*"), [3, 2]),
    (AuditQuery(action="contact."), [3, 2]),
    (AuditQuery(action="login"), [4]),
    (AuditQuery(ticket_id=8), [1]),
    (AuditQuery(since=datetime(2026, 5, 5, tzinfo=UTC), until=datetime(2026, 5, 7, tzinfo=UTC)), [2, 1]),
    (AuditQuery(limit=2), [4, 3]),
])
def test_search_filters(session, world, query, expected):
    assert [e.data["n"] for e in audit.search(session, query)] == expected


def test_paging_back(session, world):
    first = audit.search(session, AuditQuery(limit=2))
    older = audit.search(session, AuditQuery(limit=2, before_id=first[-1].id))
    assert [e.data["n"] for e in older] == [2, 1]


def test_page_is_admin_only_and_filters(client, world):
    admin, agent = world
    f.login(client, agent.email)
    assert client.get("/admin/audit").status_code == 403
    client.post("/logout", data={"csrf_token": f.csrf_token(client.get("/").get_data(as_text=True))})
    f.login(client, admin.email)
    page = client.get("/admin/audit?actor=anouk&action=&ticket=&date_from=2026-05-04&date_to=2026-05-05")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "reply.pii_override" in body and "ticket.aangifte_export" in body
    assert "contact.erase" not in body and "10.1.2.3" in body
    assert client.get("/admin/audit?ticket=abc").status_code == 400
    assert client.get("/admin/audit?date_from=gisteren").status_code == 400


def test_login_and_logout_are_logged_with_origin(client, session, world):
    _admin, agent = world
    f.login(client, agent.email)
    client.post("/logout", data={"csrf_token": f.csrf_token(client.get("/").get_data(as_text=True))})
    entries = audit.search(session, AuditQuery(actor=agent.email, limit=2))
    assert [e.action for e in entries] == ["logout", "login"]
    assert entries[0].ip == "127.0.0.1" and entries[0].user_agent.startswith("Werkzeug")


def test_entries_cannot_be_changed_or_deleted(session, world):
    entry = session.scalars(select(AuditEntry).limit(1)).first()
    entry.action = "something.else"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.scalars(select(AuditEntry).limit(1)).first())
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


def test_database_refuses_changes_on_postgresql(session, world, is_postgres):
    if not is_postgres:
        pytest.skip("the trigger exists on PostgreSQL only")
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()


def test_audit_page_says_what_it_holds_and_points_to_the_ticket_history(client, session, admin):
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Elke handeling van een persoon" not in page
    assert "staat in de geschiedenis van dat ticket, met wie het deed." in page


def test_database_lets_only_erasure_redact_the_data_on_postgresql(session, world, is_postgres):
    """The one change allowed (migration privacy_0002): `data`, inside audit.redaction_allowed."""
    if not is_postgres:
        pytest.skip("the trigger exists on PostgreSQL only")
    with pytest.raises(DBAPIError, match="append-only"), audit.redaction_allowed(session):
        session.execute(text("UPDATE audit_log SET action = 'x'"))  # any other column: refused
    session.rollback()
    with audit.redaction_allowed(session):
        session.execute(text("UPDATE audit_log SET data = '{\"reason\": \"[phone]\"}'"))
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("UPDATE audit_log SET data = '{}'"))  # switched off again after the block
    session.rollback()
