"""The guard on public replies: held with the findings, or sent on an override that is logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories as f
from webcare.models import AuditEntry, Message, TicketEvent
from webcare.services.replies import PersonalDataInPublicReply, queue_reply

TEXT = "Wij bellen u terug op 06-12345678 en mailen naar jan.jansen@gmail.com."


@pytest.fixture
def world(session):
    f.seeded(session)
    agent = f.user(session, "agent")
    ticket = f.ticket(session, department_code="KCC")
    session.commit()
    return agent, ticket


def _outbound(session) -> int:
    return session.scalar(select(func.count()).select_from(Message).where(Message.direction == "out"))


def test_public_reply_with_personal_data_is_held(session, world):
    agent, ticket = world
    with pytest.raises(PersonalDataInPublicReply) as held:
        queue_reply(session, ticket, agent, TEXT, "public")
    assert held.value.status == 422
    findings = held.value.fields["findings"]
    assert [(x["kind"], x["text"]) for x in findings] == [("phone", "06-12345678"), ("email", "jan.jansen@gmail.com")]
    assert all(TEXT[x["start"]:x["end"]] == x["text"] for x in findings)
    session.rollback()
    assert _outbound(session) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("reply.%"))) == 0


def test_blank_override_reason_does_not_count(session, world):
    agent, ticket = world
    with pytest.raises(PersonalDataInPublicReply):
        queue_reply(session, ticket, agent, TEXT, "public", override_reason="   ")


def test_override_is_sent_and_logged(session, world):
    agent, ticket = world
    reason = "Burger vroeg zelf om terugbellen op dit nummer in de openbare draad"
    message = queue_reply(session, ticket, agent, TEXT, "public", override_reason=reason)
    session.commit()
    assert message.delivery_state == "queued"
    assert message.pii_override_reason == reason
    event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                     TicketEvent.type == "pii_override"))
    assert event.actor_id == agent.id
    assert event.data == {"message_id": message.id, "reason": reason, "kinds": ["email", "phone"], "count": 2}
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "reply.pii_override"))
    assert (entry.actor_id, entry.actor_email, entry.ticket_id) == (agent.id, agent.email, ticket.id)
    assert (entry.target_type, entry.target_id) == ("message", str(message.id))
    assert entry.data["reason"] == reason
    assert "06-12345678" not in str(entry.data) and "06-12345678" not in str(event.data)  # no second copy


def test_private_reply_and_clean_text_are_not_held_or_logged(session, world):
    agent, ticket = world
    queue_reply(session, ticket, agent, TEXT, "private")
    queue_reply(session, ticket, agent, "Dank u, wij pakken het op.", "public", override_reason="niet nodig")
    session.commit()
    assert _outbound(session) == 2
    assert session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.type == "pii_override")) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("reply.%"))) == 0
    clean = session.scalar(select(Message).where(Message.text.startswith("Dank u")))
    assert clean.pii_override_reason == "niet nodig"  # stored as given; nothing was overridden


def test_automatic_replies_are_not_scanned(session, world):
    _agent, ticket = world
    queue_reply(session, ticket, None, TEXT, "public", automatic=True)
    session.commit()
    assert _outbound(session) == 1
