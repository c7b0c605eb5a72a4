"""Routing a new ticket (with the automatic acknowledgement), re-routing by hand, and the dry run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.db import utcnow
from webcare.errors import Conflict, ValidationFailed
from webcare.models import AuditEntry, Category, Message, TicketEvent
from webcare.services import categories, routing
from webcare.services.routing import dryrun, rules
from webcare.services.routing.engine import RuleSpec


def first_message(session, ticket) -> Message:
    return session.scalar(select(Message).where(Message.ticket_id == ticket.id))


def events(session, ticket, type_: str) -> list[TicketEvent]:
    return session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                     TicketEvent.type == type_)).all()


def test_route_new_ticket_applies_the_decision_and_acknowledges_once(session):
    f.seeded(session)
    ticket = f.ticket(session, text="De lantarenpaal voor ons huis is al weken kapot")
    decision = routing.route_new_ticket(session, ticket, first_message(session, ticket))
    assert (ticket.department.code, ticket.category.code, ticket.priority) == ("OVL", "wegen.straatverlichting", "normal")
    assert ticket.routed_by_rule_id == decision.rule_id and decision.auto_ack
    reply = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out"))
    assert reply.is_automatic and reply.visibility == "public" and reply.delivery_state == "queued"
    assert reply.text.endswith("Openbare Verlichting. U hoort binnen 21 werkdagen van ons.")  # not "uiterlijk binnen"
    assert ticket.auto_ack_sent_at is not None and ticket.promise_text == reply.text
    assert [e.data["message_id"] for e in events(session, ticket, "auto_ack_sent")] == [reply.id]
    routing.route_new_ticket(session, ticket, first_message(session, ticket))  # routed again: no second ack
    assert len(events(session, ticket, "auto_ack_sent")) == 1


@pytest.mark.parametrize("warning, expected", [
    ("", "promise"),  # the category's promise fits with the mention in front
    ("w" * 300, "default"),  # not with a long content warning: the default text, with the same term
    ("w" * 400, "too_long"),  # nothing fits: stored not sent, with why
])
def test_a_ticket_routed_alone_fits_its_acknowledgement_in_the_room_its_reply_has(session, warning, expected):
    """As ingest does: the channel's limit less what sending adds (Mastodon: the mentions, the copied warning)."""
    f.seeded(session)
    category = session.scalar(select(Category).where(Category.code == "wegen.straatverlichting"))
    categories.update_category(session, category, promise_text="{categorie}: " + "x" * 200 + " U hoort {termijn} van ons.")
    ticket = f.ticket(session, text="De lantarenpaal voor ons huis is al weken kapot")
    message = first_message(session, ticket)
    message.raw = {"acct": "jan@mastodon.nl", "cc": ["piet", "fatima@social.example"], "spoiler_text": warning}
    routing.route_new_ticket(session, ticket, message)
    reply = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out"))
    room = 500 - len("@jan@mastodon.nl @piet @fatima@social.example ") - len(warning)
    if expected == "too_long":
        assert (reply.delivery_state, reply.skipped_because, ticket.auto_ack_sent_at) == ("skipped", "too_long", None)
        assert [e.data for e in events(session, ticket, "auto_ack_skipped")] == [{"message_id": reply.id,
                                                                                 "reason": "too_long"}]
        return
    assert reply.delivery_state == "queued" and len(reply.text) <= room and ticket.promise_text == reply.text
    assert reply.text.startswith("Dank voor uw bericht.") == (expected == "default")
    [event] = events(session, ticket, "auto_ack_sent")
    assert event.data.get("default_text", False) == (expected == "default")


def test_threats_are_never_acknowledged(session):
    f.seeded(session)
    ticket = f.ticket(session, text="Ik weet waar je woont, wethouder")
    decision = routing.route_new_ticket(session, ticket, first_message(session, ticket))
    assert decision.threat and ticket.threat and ticket.priority == "urgent" and ticket.department.code == "VB"
    assert ticket.label_names == ["bedreiging"]
    assert ticket.auto_ack_sent_at is None and not events(session, ticket, "auto_ack_sent")


def test_no_acknowledgement_when_replaying_history_or_for_kcc(session):
    f.seeded(session)
    old = f.ticket(session, text="Container zit alweer vol")
    routing.route_new_ticket(session, old, first_message(session, old), acknowledge=False)
    question = f.ticket(session, text="Hoe laat is het gemeentehuis open?")
    routing.route_new_ticket(session, question, first_message(session, question))
    assert old.department.code == "AFV" and old.auto_ack_sent_at is None
    assert question.department.code == "KCC" and question.auto_ack_sent_at is None


def test_english_message_gets_an_english_acknowledgement_in_private_for_dm(session):
    f.seeded(session)
    ticket = f.ticket(session, text="The street light outside our house is broken")
    message = first_message(session, ticket)
    ticket.kind = message.kind = "dm"
    ticket.visibility = message.visibility = "private"
    routing.route_new_ticket(session, ticket, message)
    reply = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out"))
    assert reply.visibility == "private" and reply.text.startswith("Thank you") and ticket.language == "en"


def test_labels_of_a_stored_new_ticket_are_added_without_loading(session):
    f.seeded(session)
    ticket = f.ticket(session, text="Gaslucht bij de bushalte, en ook een gat in de weg")
    session.expire(ticket, ["labels"])
    decision = routing.route_new_ticket(session, ticket, first_message(session, ticket))
    session.flush()
    session.expire(ticket, ["labels"])
    assert decision.priority == "urgent" and ticket.label_names == ["gevaar"] and ticket.department.code == "OW"


def test_reroute_records_why(session):
    f.seeded(session)
    agent = f.user(session, "agent")
    ticket = f.ticket(session, department_code="OW")
    event = routing.reroute(session, ticket, "ovl", "Het gaat om de verlichting, niet om de stoep", agent,
                            category_code="wegen.straatverlichting")
    assert ticket.department.code == "OVL" and ticket.category.code == "wegen.straatverlichting"
    assert event.type == "rerouted" and event.actor_id == agent.id
    assert event.data == {"from_department": "OW", "to_department": "OVL",
                          "reason": "Het gaat om de verlichting, niet om de stoep", "from_category": None,
                          "to_category": "wegen.straatverlichting"}
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "ticket.reroute"))
    assert audit.ticket_id == ticket.id and audit.actor_id == agent.id


@pytest.mark.parametrize("department, reason, error", [
    ("OVL", " ", ValidationFailed), ("XYZ", "omdat", ValidationFailed), ("EXT", "omdat", ValidationFailed),
    ("OW", "omdat", Conflict),
])
def test_reroute_refuses_bad_input(session, department, reason, error):
    f.seeded(session)
    ticket = f.ticket(session, department_code="OW")
    with pytest.raises(error):
        routing.reroute(session, ticket, department, reason, None)
    assert ticket.department.code == "OW" and not events(session, ticket, "rerouted")


def test_dry_run_counts_and_lists_the_tickets_that_would_move(session):
    f.seeded(session)
    now = utcnow()
    moving = [f.ticket(session, text=f"Wespennest nummer {i} bij de speeltuin", created_at=now - timedelta(days=i))
              for i in (1, 5, 20)]
    f.ticket(session, text="Wespennest van lang geleden", created_at=now - timedelta(days=45))
    f.ticket(session, text="Container vol", created_at=now - timedelta(days=2))
    wasps = session.scalar(select(rules.RoutingRule).where(rules.RoutingRule.name == "Wespen en hoornaars"))
    draft = RuleSpec(wasps.id, wasps.name, wasps.conditions, {"department": "GRN"})
    result = dryrun.dry_run(session, dryrun.proposed_rules(session, draft), now=now)
    assert (result.tickets, result.moved) == (4, 3)
    assert [m.ticket_id for m in result.moves] == [t.id for t in reversed(moving)]
    assert result.flows == {("DIER", "GRN"): 3}
    disabled = dryrun.dry_run(session, dryrun.proposed_rules(session, draft, enabled=False), now=now)
    assert disabled.moved == 3 and {m.after_department for m in disabled.moves} == {"OW"}
