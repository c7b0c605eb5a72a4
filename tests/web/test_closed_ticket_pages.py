"""Closed tickets through the pages: no reply, claim, assignment, take-over or send-back; notes and feedback
still go on the record (services.ticket_actions.require_open)."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from tests.web import test_inbox_pages as pages
from webcare.models import Message, Note, Ticket

world = pages.world  # the inbox pages' people and tickets
post = pages.post


def test_a_closed_ticket_is_not_answered_nor_assigned_through_the_pages(client, session, world):
    """The composer was hidden on a closed ticket, but claim and assign were offered and accepted."""
    people, tickets = world
    ticket = tickets["kcc"]
    ticket.status, ticket.awaiting = "resolved", "nobody"
    session.commit()
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="claim"' not in page and f'/tickets/{ticket.id}/assign"' not in page and 'id="note-panel"' in page
    assert post(client, f"/tickets/{ticket.id}/claim", {}).status_code == 302
    assert "flash-error" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    last = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
    held = client.post(f"/tickets/{ticket.id}/reply", data={"csrf_token": f.csrf_token(page), "text": "Nog iets",
                                                            "visibility": "public", "seen_message_id": str(last)})
    assert held.status_code == 409 and 'class="flash flash-error" role="alert"' in held.get_data(as_text=True)
    assert post(client, f"/tickets/{ticket.id}/note", {"text": "Belde na"}).status_code == 302
    session.expire_all()
    assert (session.get(Ticket, ticket.id).status, session.get(Ticket, ticket.id).assignee_id) == ("resolved", None)
    assert session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out")) is None
    assert session.scalar(select(Note.text).where(Note.ticket_id == ticket.id)) == "Belde na"


def test_a_department_cannot_take_over_or_send_back_a_closed_ticket(client, session, world):
    """A resolved ticket taken over stayed resolved but became the department's move with an owner; sent back,
    it moved to the front office while closed; feedback on it made it webcare's move."""
    people, tickets = world
    ticket = tickets["ow"]
    ticket.status, ticket.awaiting = "resolved", "nobody"
    session.commit()
    f.login(client, people["ow"].email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "/take-over" not in page and "/send-back" not in page and 'id="feedback-form"' in page
    assert post(client, f"/tickets/{ticket.id}/take-over", {}).status_code == 302
    assert "flash-error" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)  # refused, said why
    assert post(client, f"/tickets/{ticket.id}/send-back", {"reason": "Dit is voor Verkeer"}).status_code == 302
    assert post(client, f"/tickets/{ticket.id}/feedback", {"text": "De tegel ligt er weer"}).status_code == 302
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.awaiting, ticket.assignee_id, ticket.department.code) == (
        "resolved", "nobody", None, "OW")
    assert session.scalar(select(Note).where(Note.ticket_id == ticket.id, Note.is_feedback.is_(True))) is not None
