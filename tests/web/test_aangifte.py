"""The "aangifte" export: a printable page with message, author, platform link and times; logged; scoped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.models import AuditEntry, Contact, Message, TicketEvent


@pytest.fixture
def world(session):
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "vb": f.user(session, "department", ("VB",)),
              "ow": f.user(session, "department", ("OW",)), "kcc": f.user(session, "department", ("KCC",))}
    at = datetime(2026, 3, 2, 21, 14, 5, tzinfo=UTC)
    threat = f.ticket(session, department_code="KCC", threat=True, text="Ik weet waar je woont, wethouder.",
                      created_at=at)
    contact = session.get(Contact, threat.contact_id)
    contact.profile_url = "https://mastodon.example/@boos"
    message = session.scalar(select(Message).where(Message.ticket_id == threat.id))
    message.url = "https://mastodon.example/@boos/1122"
    message.raw = {"id": "1122", "account": {"acct": "boos"}, "content": "<p>Ik weet waar je woont</p>"}
    plain = f.ticket(session, department_code="KCC")
    session.commit()
    return people, threat, plain


def test_aangifte_page_has_the_facts_and_is_logged(client, session, world):
    people, threat, _plain = world
    f.login(client, people["vb"].email)
    response = client.get(f"/tickets/{threat.id}/aangifte")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for fact in ("Ik weet waar je woont, wethouder.", "https://mastodon.example/@boos/1122", "2026-03-02T21:14:05+00:00",
                 "22:14:05", "https://mastodon.example/@boos", "&#34;acct&#34;: &#34;boos&#34;", "aangifte"):
        assert fact in page, fact
    assert "js/print.js" in page and "<script>" not in page
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "ticket.aangifte_export"))
    assert (entry.actor_id, entry.ticket_id) == (people["vb"].id, threat.id)
    event = session.scalar(select(TicketEvent).where(TicketEvent.type == "exported"))
    assert event.data == {"scope": "aangifte"} and event.actor_id == people["vb"].id


@pytest.mark.parametrize(("who", "status"), [("agent", 200), ("vb", 200), ("ow", 404), ("kcc", 403)])
def test_who_may_export(client, world, who, status):
    people, threat, _plain = world
    f.login(client, people[who].email)
    assert client.get(f"/tickets/{threat.id}/aangifte").status_code == status


def test_only_for_threats(client, session, world):
    people, _threat, plain = world
    f.login(client, people["agent"].email)
    assert client.get(f"/tickets/{plain.id}/aangifte").status_code == 409
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "ticket.aangifte_export")) is None
