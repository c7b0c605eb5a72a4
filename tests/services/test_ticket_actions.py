"""Ticket actions: assignment, status moves with texts, labels, priority, notes, department work, merge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.errors import Conflict, Forbidden, ValidationFailed
from webcare.models import Message, Note, Notification, TicketEvent
from webcare.services import compose
from webcare.services import department_actions as dept
from webcare.services import ticket_actions as actions
from webcare.services.ticket_merge import merge


@pytest.fixture
def world(session):
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "agent2": f.user(session, "agent"),
              "ow": f.user(session, "department", ("OW",)), "afv": f.user(session, "department", ("AFV",))}
    ticket = f.ticket(session, department_code="KCC")
    session.commit()
    return people, ticket


def events(session, ticket, type_):
    return list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                          TicketEvent.type == type_).order_by(TicketEvent.id)))


def test_claim_assigns_and_opens(session, world):
    people, ticket = world
    actions.claim(session, ticket, people["agent"])
    assert ticket.assignee_id == people["agent"].id and ticket.status == "open"
    assert events(session, ticket, "assigned")[0].data == {"from_user_id": None, "to_user_id": people["agent"].id}
    assert events(session, ticket, "status_changed")[0].data["to"] == "open"


def test_assign_to_someone_outside_scope_is_refused(session, world):
    people, ticket = world
    with pytest.raises(ValidationFailed):
        actions.assign(session, ticket, people["agent"], people["ow"])


def test_department_user_cannot_assign_others(session, world):
    people, ticket = world
    ticket.department_id = f.department(session, "OW").id
    with pytest.raises(Forbidden):
        actions.assign(session, ticket, people["ow"], people["agent"])


@pytest.mark.parametrize(("target", "text", "error"), [
    ("resolved", "", ValidationFailed), ("cancelled", None, ValidationFailed), ("nonsense", "x", ValidationFailed),
    ("resolved", "\u200b\u00a0\u2060", ValidationFailed),  # zero-width and no-break spaces: nothing to read
    ("with_department", "x", Conflict),  # only a hand-off moves a ticket there (409, API.md)
])
def test_status_needs_rules(session, world, target, text, error):
    people, ticket = world
    with pytest.raises(error):
        actions.change_status(session, ticket, people["agent"], target, text)


def test_status_move_not_allowed_is_conflict(session, world):
    people, ticket = world
    actions.change_status(session, ticket, people["agent"], "resolved", "Opgelost")
    with pytest.raises(Conflict):
        actions.change_status(session, ticket, people["agent"], "waiting_citizen", "vraag")


def test_resolve_sets_times_and_awaiting(session, world):
    people, ticket = world
    actions.change_status(session, ticket, people["agent"], "resolved", "Lamp vervangen")
    assert ticket.status == "resolved" and ticket.resolved_at is not None and ticket.awaiting == "nobody"
    assert events(session, ticket, "status_changed")[-1].data == {"from": "new", "to": "resolved",
                                                                  "text": "Lamp vervangen"}
    actions.change_status(session, ticket, people["agent"], "open")
    assert ticket.resolved_at is None and ticket.awaiting == "webcare"


def test_reopening_by_hand_counts_the_reopen(session, world):
    people, ticket = world
    actions.change_status(session, ticket, people["agent"], "waiting_citizen", "Welk adres?")
    actions.change_status(session, ticket, people["agent"], "open")
    assert ticket.reopen_count == 0  # back from waiting is no reopen
    actions.change_status(session, ticket, people["agent"], "resolved", "Afgehandeld")
    actions.change_status(session, ticket, people["agent"], "open")
    assert ticket.reopen_count == 1


def test_a_cancelled_ticket_is_not_reopened_by_hand(session, world):
    """DOMAIN.md: the reopen is resolved -> open. cancelled -> open was allowed (a merged ticket, or one whose
    citizen's data was erased, could be brought back to life); it is refused as any move the workflow lacks."""
    people, ticket = world
    actions.change_status(session, ticket, people["agent"], "cancelled", "Spam")
    with pytest.raises(Conflict) as refused:
        actions.change_status(session, ticket, people["agent"], "open")
    assert refused.value.code == "transition_not_allowed"
    assert ticket.status == "cancelled" and ticket.reopen_count == 0
    assert [e.data["to"] for e in events(session, ticket, "status_changed")] == ["cancelled"]


@pytest.mark.parametrize("closed", ["resolved", "cancelled"])
def test_a_closed_ticket_gets_no_reply_nor_assignment(session, world, closed):
    """A reply or an assignment on a resolved or cancelled ticket was accepted: the citizen was answered on a ticket
    nobody handles, and the closed ticket got an owner. Both are refused (409 `ticket_closed`) until it is reopened;
    an internal note and department feedback are kept for the record and leave the ticket closed."""
    people, ticket = world
    actions.change_status(session, ticket, people["agent"], closed, "Klaar")
    before = len(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all())
    refused = [lambda: compose.send_reply(session, ticket, people["agent"], "Nog een antwoord", "public"),
               lambda: actions.claim(session, ticket, people["agent"]),
               lambda: actions.assign(session, ticket, people["agent"], people["agent2"]),
               lambda: actions.assign(session, ticket, people["agent"], None)]
    for act in refused:
        with pytest.raises(Conflict) as error:
            act()
        assert error.value.code == "ticket_closed" and closed in error.value.message
    assert session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out")) is None
    assert ticket.assignee_id is None
    assert len(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()) == before

    note = actions.add_note(session, ticket, people["agent"], "Inwoner belde na het sluiten nog even")
    ticket.department_id = f.department(session, "OW").id
    feedback = dept.give_feedback(session, ticket, people["ow"], "Alsnog gerepareerd")
    assert note.id and feedback.is_feedback
    assert (ticket.status, ticket.awaiting, ticket.assignee_id) == (closed, "nobody", None)


def test_a_resolved_ticket_is_answered_and_assigned_again_once_reopened(session, world):
    people, ticket = world
    actions.change_status(session, ticket, people["agent"], "resolved", "Klaar")
    with pytest.raises(Conflict, match="reopen it first"):
        compose.send_reply(session, ticket, people["agent"], "Toch nog iets", "public")
    actions.change_status(session, ticket, people["agent"], "open")
    actions.assign(session, ticket, people["agent"], people["agent2"])
    reply = compose.send_reply(session, ticket, people["agent"], "Toch nog iets", "public")
    assert reply.delivery_state == "queued" and ticket.assignee_id == people["agent2"].id


def test_department_user_cannot_change_status_without_take_over(session, world):
    people, ticket = world
    dept.handoff(session, ticket, people["agent"], "OW", "Wanneer wordt dit gerepareerd?")
    with pytest.raises(Forbidden):
        actions.change_status(session, ticket, people["ow"], "resolved", "klaar")


def test_labels_and_priority(session, world):
    people, ticket = world
    actions.set_labels(session, ticket, people["agent"], ["Pers", "pers", " wethouder "])
    assert ticket.label_names == ["pers", "wethouder"]
    actions.set_labels(session, ticket, people["agent"], ["wethouder", "spoed"])
    session.flush()
    assert sorted(ticket.label_names) == ["spoed", "wethouder"]
    assert events(session, ticket, "labels_changed")[-1].data == {"added": ["spoed"], "removed": ["pers"]}
    actions.set_priority(session, ticket, people["agent"], "urgent")
    assert events(session, ticket, "priority_changed")[0].data == {"from": "normal", "to": "urgent"}
    with pytest.raises(ValidationFailed):
        actions.set_priority(session, ticket, people["agent"], "asap")
    with pytest.raises(Forbidden):
        actions.set_labels(session, ticket, people["ow"], ["x"])


def test_note_is_internal(session, world):
    people, ticket = world
    note = actions.add_note(session, ticket, people["agent"], "Bewoner belde ook al")
    assert not note.is_feedback
    assert events(session, ticket, "note")[0].data == {"note_id": note.id}
    with pytest.raises(ValidationFailed):
        actions.add_note(session, ticket, people["agent"], "   ")
    with pytest.raises(ValidationFailed):
        actions.add_note(session, ticket, people["agent"], "\u200b \ufeff")


def test_the_same_note_posted_again_at_once_is_recorded_once(session, world):
    """A client's retry of POST /notes (or a double click) stored the note twice. The same note by the same
    person, with nothing noted in between and within NOTE_REPEAT_WINDOW, is now the first one; the same text
    later, after another note, or by someone else is a note of its own."""
    people, ticket = world
    first = actions.add_note(session, ticket, people["agent"], "Bewoner gebeld, geen gehoor")
    again = actions.add_note(session, ticket, people["agent"], " Bewoner gebeld, geen gehoor\n")
    assert again.id == first.id and len(events(session, ticket, "note")) == 1
    later = first.created_at + actions.NOTE_REPEAT_WINDOW + timedelta(seconds=1)
    assert actions.add_note(session, ticket, people["agent"], first.text, at=later).id != first.id  # tried again
    assert actions.add_note(session, ticket, people["agent2"], first.text, at=later).id  # someone else
    assert actions.add_note(session, ticket, people["agent"], first.text, at=later).id  # after another's note
    assert len(events(session, ticket, "note")) == 4


def test_the_same_feedback_posted_again_at_once_is_recorded_once(session, world):
    people, ticket = world
    actions.claim(session, ticket, people["agent"])
    dept.handoff(session, ticket, people["agent"], "OW", "Wanneer wordt de lamp vervangen?")
    first = dept.give_feedback(session, ticket, people["ow"], "Donderdag")
    assert dept.give_feedback(session, ticket, people["ow"], "Donderdag").id == first.id
    told = select(Notification).where(Notification.user_id == people["agent"].id, Notification.kind == "feedback")
    assert len(events(session, ticket, "feedback")) == 1 and len(session.scalars(told).all()) == 1
    proposed = dept.give_feedback(session, ticket, people["ow"], "Donderdag", propose_reply=True)  # asks a reply
    assert proposed.id != first.id
    dept.handoff(session, ticket, people["agent"], "OW", "Welke donderdag?")
    assert dept.give_feedback(session, ticket, people["ow"], "Donderdag", propose_reply=True).id != proposed.id
    assert len(events(session, ticket, "feedback")) == 3 and ticket.department_feedback_met_at is not None


def test_handoff_feedback_cycle_notifies_agent(session, world):
    people, ticket = world
    actions.claim(session, ticket, people["agent"])
    dept.handoff(session, ticket, people["agent"], "OW", "Wanneer wordt de lamp vervangen?")
    assert (ticket.status, ticket.awaiting, ticket.department.code) == ("with_department", "department", "OW")
    assert ticket.department_feedback_started_at is not None
    handoff = events(session, ticket, "handoff")[0]
    assert handoff.data["to_department"] == "OW" and handoff.data["from_department"] == "KCC"
    assert handoff.department_id == f.department(session, "OW").id
    assert session.scalar(select(Notification).where(Notification.user_id == people["ow"].id)).kind == "handoff"

    with pytest.raises(Forbidden):
        dept.give_feedback(session, ticket, people["afv"], "niet van ons")
    note = dept.give_feedback(session, ticket, people["ow"], "Donderdag vervangen")
    assert note.is_feedback and ticket.awaiting == "webcare"
    assert events(session, ticket, "feedback")[0].department_id == ticket.department_id
    assert session.scalar(select(Notification).where(Notification.user_id == people["agent"].id)).kind == "feedback"


def test_handoff_elsewhere_unassigns_an_owner_who_can_no_longer_see_the_ticket(session, world):
    people, ticket = world
    dept.handoff(session, ticket, people["agent"], "OW", "Is dit van jullie?")
    actions.assign(session, ticket, people["ow"], people["ow"])  # OW took it (API: assign to oneself)
    dept.handoff(session, ticket, people["agent"], "AFV", "Dan van Afval?")
    assert ticket.department.code == "AFV" and ticket.assignee_id is None
    assert events(session, ticket, "assigned")[-1].data == {"from_user_id": people["ow"].id, "to_user_id": None}
    assert events(session, ticket, "assigned")[-1].actor_id == people["agent"].id
    actions.claim(session, ticket, people["agent"])
    dept.handoff(session, ticket, people["agent"], "OW", "Toch van OW")
    assert ticket.assignee_id == people["agent"].id  # webcare sees every ticket: it keeps its owner


def test_handoff_to_external_or_unknown_is_refused(session, world):
    people, ticket = world
    for code in ("EXT", "NOPE"):
        with pytest.raises(ValidationFailed):
            dept.handoff(session, ticket, people["agent"], code, "vraag")
    with pytest.raises(Forbidden):
        dept.handoff(session, ticket, people["ow"], "AFV", "vraag")


def test_handoff_to_the_front_office_is_refused(session, world):
    """KCC, the front office, is webcare itself and sees every ticket: a hand-off to it was accepted (status
    with_department, a department-feedback clock for webcare's own answer, a notification to the agents)."""
    people, ticket = world
    dept.handoff(session, ticket, people["agent"], "OW", "Is dit van jullie?")
    with pytest.raises(ValidationFailed) as refused:
        dept.handoff(session, ticket, people["agent"], "kcc", "Terug naar webcare")
    assert refused.value.fields == {"department": "front office"}
    assert (ticket.status, ticket.department.code) == ("with_department", "OW")
    assert len(events(session, ticket, "handoff")) == 1


def test_take_over_and_send_back(session, world):
    people, ticket = world
    actions.claim(session, ticket, people["agent"])
    dept.handoff(session, ticket, people["agent"], "OW", "Kunnen jullie dit oppakken?")
    dept.take_over(session, ticket, people["ow"])
    assert ticket.assignee_id == people["ow"].id and ticket.status == "open" and ticket.awaiting == "department"
    assert actions.may_work(people["ow"], ticket)
    dept.send_back(session, ticket, people["ow"], "Dit is van Verkeer, niet van ons")
    assert ticket.department.code == "KCC" and ticket.assignee_id is None and ticket.awaiting == "webcare"
    assert events(session, ticket, "rerouted")[0].data == {"from_department": "OW", "to_department": "KCC",
                                                           "reason": "Dit is van Verkeer, niet van ons"}


def test_send_back_needs_reason(session, world):
    people, ticket = world
    dept.handoff(session, ticket, people["agent"], "OW", "vraag")
    with pytest.raises(ValidationFailed):
        dept.send_back(session, ticket, people["ow"], " ")


def test_merge_same_citizen(session, world):
    people, first = world
    second = f.ticket(session, department_code="KCC", text="Nog steeds kapot")
    second.contact_id = first.contact_id
    actions.set_labels(session, second, people["agent"], ["herhaling"])
    session.flush()
    merge(session, second, first, people["agent"])
    session.flush()
    assert second.status == "cancelled" and second.merged_into_id == first.id and second.current_thread_key is None
    assert session.scalar(select(Message.ticket_id).where(Message.text == "Nog steeds kapot")) == first.id
    assert "herhaling" in first.label_names
    assert events(session, first, "merged")[0].data["from_ticket_id"] == second.id
    with pytest.raises(Conflict):
        merge(session, second, first, people["agent"])


def test_merge_other_citizen_refused(session, world):
    people, first = world
    other = f.ticket(session, department_code="KCC")
    with pytest.raises(Conflict):
        merge(session, other, first, people["agent"])
    with pytest.raises(ValidationFailed):
        merge(session, first, first, people["agent"])


def test_notes_count(session, world):
    people, ticket = world
    actions.add_note(session, ticket, people["agent"], "een")
    assert session.scalar(select(Note.text).where(Note.ticket_id == ticket.id)) == "een"


def test_the_same_reply_sent_again_at_once_reaches_the_citizen_once(session, world):
    """A double click on Send, or an API client's retry, queued the reply twice: the citizen got it twice. The
    same reply by the same person, the ticket's last message and within NOTE_REPEAT_WINDOW, is now the first
    one, also when the retry carries the view's seen_seq (the first reply changed the ticket); the same text
    after the citizen wrote again, after a failed delivery, later, or in the other visibility is sent."""
    people, ticket = world
    seen = ticket.activity_seq
    first = compose.send_reply(session, ticket, people["agent"], "We sturen iemand langs.", "public", seen_seq=seen)
    again = compose.send_reply(session, ticket, people["agent"], " We sturen iemand langs.\n", "public", seen_seq=seen)
    assert again.id == first.id
    outbound = select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out")
    assert len(session.scalars(outbound).all()) == 1 and len(events(session, ticket, "reply_queued")) == 1
    assert compose.send_reply(session, ticket, people["agent"], first.text, "private").id != first.id
    compose.send_reply(session, ticket, people["agent"], first.text, "public")  # after the private one: sent
    later = first.received_at + actions.NOTE_REPEAT_WINDOW + timedelta(seconds=1)
    assert compose.send_reply(session, ticket, people["agent"], first.text, "public", at=later).id
    failed = compose.send_reply(session, ticket, people["agent"], "Excuses, nog even.", "public")
    failed.delivery_state = "failed"
    assert compose.send_reply(session, ticket, people["agent"], "Excuses, nog even.", "public").id != failed.id
    assert len(session.scalars(outbound).all()) == 6
