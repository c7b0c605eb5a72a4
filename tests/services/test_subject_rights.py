"""Citizens' rights: export all data about one contact (JSON and a readable page) and erase it; logged, admin-only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.db import utcnow
from webcare.errors import ValidationFailed
from webcare.models import AuditEntry, Contact, Message, Note, Ticket, TicketEvent
from webcare.platforms.base import InboundMessage
from webcare.services import audit, ingest, routing, subject_rights


@pytest.fixture
def world(session):
    return build_world(session)


def build_world(session) -> dict:
    """An admin, an agent, a citizen with three tickets (one a threat) and another citizen's ticket."""
    f.seeded(session)
    admin = f.user(session, "admin", email="beheer@voorbeeldstad.nl")
    agent = f.user(session, "agent")
    first = f.ticket(session, department_code="OW", status="resolved", text="Mijn stoep is kapot, Dorpsstraat 12, 1234 AB")
    contact = session.get(Contact, first.contact_id)
    contact.handle, contact.display_name = "@jan_jansen", "Jan Jansen"
    second = f.ticket(session, department_code="AFV", text="Container vol")
    threat = f.ticket(session, department_code="VB", threat=True, text="Ik weet waar de wethouder woont")
    for ticket in (second, threat):
        ticket.contact_id = contact.id
        for message in session.scalars(select(Message).where(Message.ticket_id == ticket.id)):
            message.contact_id = contact.id
    evidence = session.scalar(select(Message).where(Message.ticket_id == threat.id))
    evidence.raw, evidence.url = {"id": "77", "account": {"acct": "jan_jansen"}}, "https://mastodon.example/@jan_jansen/77"
    session.add(Note(ticket_id=first.id, author_id=agent.id, text="Jansen belde nog over de stoep"))
    other = f.ticket(session, department_code="OW", text="Iemand anders")
    session.commit()
    return {"admin": admin, "agent": agent, "contact": contact, "tickets": [first, second, threat], "other": other}


def test_find_contacts_by_handle_or_name(session, world):
    found = subject_rights.find_contacts(session, "jansen")
    assert [(c.id, n) for c, n in found] == [(world["contact"].id, 3)]
    assert subject_rights.find_contacts(session, "@jan_j")[0][0].id == world["contact"].id
    with pytest.raises(ValidationFailed):
        subject_rights.find_contacts(session, "j")


def test_export_holds_everything_about_the_contact_and_is_logged(session, world):
    data = subject_rights.export_contact(session, world["contact"], world["admin"], "json")
    session.commit()
    assert data["contact"]["handle"] == "@jan_jansen"
    assert [t["id"] for t in data["tickets"]] == [t.id for t in world["tickets"]]
    first = data["tickets"][0]
    assert first["messages"][0]["text"].startswith("Mijn stoep is kapot")
    assert first["notes"][0]["text"] == "Jansen belde nog over de stoep"
    assert "Iemand anders" not in json.dumps(data, default=str)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "contact.export"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (world["admin"].id, "contact", str(world["contact"].id))
    assert entry.data == {"format": "json", "tickets": [t.id for t in world["tickets"]]}
    exported = session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.type == "exported")).all()
    assert sorted(exported) == sorted(t.id for t in world["tickets"])


def test_erase_anonymises_all_but_threat_evidence_and_is_logged(session, world):
    result = subject_rights.erase_contact(session, world["contact"], world["admin"], "AVG-verzoek 2026-0042")
    session.commit()
    first, second, threat = (session.get(Ticket, t.id) for t in world["tickets"])
    assert result["tickets_anonymised"] == [first.id, second.id]
    assert result["threat_tickets_kept"] == [threat.id]
    assert result["contact_anonymised"] is False  # still on the evidence
    for ticket in (first, second):
        assert ticket.anonymised_at is not None and ticket.subject == ""
        assert {m.text for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id))} == {""}
    assert session.scalar(select(Note.text).where(Note.ticket_id == first.id)) == ""
    evidence = session.scalar(select(Message).where(Message.ticket_id == threat.id))
    assert evidence.text.startswith("Ik weet waar") and evidence.url and evidence.raw["id"] == "77"
    assert session.scalar(select(Message.text).where(Message.ticket_id == world["other"].id)) == "Iemand anders"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "contact.erase"))
    assert entry.actor_id == world["admin"].id and entry.data["reason"] == "AVG-verzoek 2026-0042"
    event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == first.id, TicketEvent.type == "anonymised"))
    assert event.data == {"cause": "erasure"}


def test_erase_closes_the_citizens_open_tickets_but_not_the_evidence(session, world):
    first, second, threat = world["tickets"]
    assert (first.status, second.status) == ("resolved", "new")
    subject_rights.erase_contact(session, world["contact"], world["admin"], "AVG-verzoek 2026-0043")
    session.commit()
    first, second, threat = (session.get(Ticket, t.id) for t in world["tickets"])
    assert first.status == "resolved"  # already closed: left as it was
    assert second.status == "cancelled" and second.awaiting == "nobody"
    moved = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == second.id,
                                                     TicketEvent.type == "status_changed"))
    assert moved.actor_id == world["admin"].id and moved.data["to"] == "cancelled"
    assert threat.status == "new" and session.get(Ticket, world["other"].id).status == "new"


def test_erase_without_threats_forgets_the_contact(session, world):
    threat = world["tickets"][2]
    threat.contact_id = None
    session.commit()
    result = subject_rights.erase_contact(session, world["contact"], world["admin"], "verzoek per brief")
    session.commit()
    contact = session.get(Contact, world["contact"].id)
    assert result["contact_anonymised"] is True
    assert (contact.handle, contact.display_name, contact.platform_user_id) == ("", "", f"anonymised-{contact.id}")
    again = subject_rights.erase_contact(session, contact, world["admin"], "nog eens")
    assert again["tickets_anonymised"] == [] and again["contact_anonymised"] is False  # idempotent


def test_erase_needs_a_reason(session, world):
    with pytest.raises(ValidationFailed):
        subject_rights.erase_contact(session, world["contact"], world["admin"], "  ")


def _mention(n: int, text: str) -> InboundMessage:
    return InboundMessage(external_id=f"erase-{n}", thread_key="status:erase", kind="mention", visibility="public",
                          text=text, author_id="jan@mock.local", author_handle="@jan@mock.local", author_name="Jan",
                          created_at=utcnow() - timedelta(minutes=3 - n), raw={"acct": "jan@mock.local"})


def test_a_message_after_the_erasure_opens_a_new_ticket_not_the_anonymised_one(runtime, session, world):
    """Erasure cancels the open ticket; the citizen writing again in the thread within the reopen window must not
    reopen it: its new texts would sit on an anonymised ticket (retention skips those) of the erased contact."""
    channel = f.channel(session)
    session.commit()
    with runtime.transaction() as s:
        first = ingest.ingest_batch(s, channel.id, [_mention(1, "@gemeente bel me op 0612345678")]).ticket_ids[0]
    erased = session.get(Ticket, first)
    subject_rights.erase_contact(session, session.get(Contact, erased.contact_id), world["admin"], "AVG-2026-7")
    session.commit()
    with runtime.transaction() as s:
        result = ingest.ingest_batch(s, channel.id, [_mention(2, "@gemeente en nu? 0687654321")])
    assert (result.created, result.reopened) == (1, 0)
    session.expire_all()
    new = session.get(Ticket, result.ticket_ids[0])
    assert new.id != first and new.anonymised_at is None and new.contact_id != erased.contact_id
    assert (erased.status, erased.current_thread_key) == ("cancelled", None) and erased.anonymised_at is not None
    assert [m.text for m in session.scalars(select(Message).where(Message.ticket_id == first))] == [""]
    export = subject_rights.export_contact(session, session.get(Contact, new.contact_id), world["admin"], "json")
    assert [t["id"] for t in export["tickets"]] == [new.id]


def test_messages_in_another_citizens_thread_are_exported_and_erased(runtime, session, world):
    """A reply in someone else's public thread joins that thread's ticket: it is still the replier's data."""
    channel = f.channel(session)
    session.commit()
    fatima = InboundMessage(external_id="erase-9", thread_key="status:erase", kind="mention", visibility="public",
                            text="@gemeente bij mij ook, bel 0612345678", author_id="fatima@mock.local",
                            author_handle="@fatima@mock.local", author_name="Fatima",
                            created_at=utcnow() - timedelta(minutes=1), raw={"acct": "fatima@mock.local"})
    with runtime.transaction() as s:
        ticket_id = ingest.ingest_batch(s, channel.id, [_mention(1, "@gemeente de stoep is kapot")]).ticket_ids[0]
    with runtime.transaction() as s:
        ingest.ingest_batch(s, channel.id, [fatima])
    replier = session.scalar(select(Contact).where(Contact.platform_user_id == "fatima@mock.local"))
    export = subject_rights.export_contact(session, replier, world["admin"], "json")
    assert [(m["text"], m["ticket_id"]) for m in export["messages_on_others_tickets"]] == \
        [("@gemeente bij mij ook, bel 0612345678", ticket_id)]
    assert export["tickets"] == [] and "de stoep is kapot" not in json.dumps(export)  # not the other's thread
    result = subject_rights.erase_contact(session, replier, world["admin"], "AVG-2026-9")
    session.commit()
    assert result["messages_on_others_tickets"] == 1 and result["contact_anonymised"] is True
    texts = {m.author_handle: m.text for m in session.scalars(select(Message).where(
        Message.ticket_id == ticket_id, Message.direction == "in"))}
    assert texts == {"@jan@mock.local": "@gemeente de stoep is kapot", "": ""}  # the other citizen's stays
    assert session.get(Ticket, ticket_id).anonymised_at is None


def test_erase_redacts_personal_data_in_audit_reasons_and_keeps_the_entries(session, world):
    """A reason typed by staff can hold the citizen's data; erasure redacts it in the audit log, whose entries
    (who, what, when, from where) stay. The ticket history drops such reasons altogether (anonymise)."""
    first, _second, threat = world["tickets"]
    agent = world["agent"]
    routing.reroute(session, first, "AFV", "Jansen belde vanaf 06-12345678, Dorpsstraat 12 bis, 1234 AB", agent)
    routing.reroute(session, threat, "HH", "Dader belt vanaf 06-87654321", agent)  # evidence: kept
    routing.reroute(session, world["other"], "AFV", "Iemand anders, 06-11223344", agent)  # not this citizen's
    audit.record(session, agent, "ticket.note", ticket_id=first.id, data={"reason": "geen persoonsgegevens"})
    session.commit()
    before = session.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.actor_id, AuditEntry.at)
                             .order_by(AuditEntry.id)).all()
    result = subject_rights.erase_contact(session, world["contact"], world["admin"], "AVG-verzoek 2026-0044")
    session.commit()
    session.expire_all()
    assert result["audit_entries_redacted"] == 1
    reasons = dict(session.execute(select(AuditEntry.ticket_id, AuditEntry.data["reason"].as_string())
                                   .where(AuditEntry.action == "ticket.reroute")).all())
    assert reasons == {first.id: "Jansen belde vanaf [phone], Dorpsstraat [postcode_house_number]",
                       threat.id: "Dader belt vanaf 06-87654321", world["other"].id: "Iemand anders, 06-11223344"}
    after = session.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.actor_id, AuditEntry.at)
                            .order_by(AuditEntry.id)).all()
    assert after[:len(before)] == before  # no entry gone or changed but for its data
    erase = session.scalar(select(AuditEntry).where(AuditEntry.action == "contact.erase"))
    assert erase.data["audit_entries_redacted"] == 1
    rerouted = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == first.id,
                                                        TicketEvent.type == "rerouted"))
    assert "reason" not in rerouted.data
