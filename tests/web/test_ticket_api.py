"""The ticket endpoints of the JSON API: list with filters and cursors, detail, replies, notes, hand-off,
status and assignment, with the same permissions as the UI and 400/404/409/422 as API.md says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.db import utcnow


@pytest.fixture
def api(client, session, cli):
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "ow": f.user(session, "department", ("OW",)),
              "afv": f.user(session, "department", ("AFV",))}
    now = utcnow()
    tickets = []
    for i in range(5):
        t = f.ticket(session, department_code="OW" if i < 3 else "AFV", text=f"melding {i}")
        t.next_due_at = now + timedelta(hours=5 - i)
        tickets.append(t)
    session.commit()
    tokens = {who: cli("create-token", p.email).output.strip() for who, p in people.items()}

    def call(method, path, who="agent", **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {tokens[who]}"},
                           **kwargs)

    return call, people, tickets


def test_list_most_urgent_first_with_cursor(api):
    call, _, tickets = api
    first = call("GET", "/tickets?limit=2").get_json()
    assert [t["id"] for t in first["items"]] == [tickets[4].id, tickets[3].id]
    assert first["items"][0]["sla"]["first_response"]["level"] in ("on_time", "none")
    rest = call("GET", f"/tickets?limit=10&cursor={first['next_cursor']}").get_json()
    assert [t["id"] for t in rest["items"]] == [tickets[2].id, tickets[1].id, tickets[0].id]
    assert rest["next_cursor"] is None


def test_list_newest_first_with_cursor(api, session):
    call, _, tickets = api
    tickets[4].next_due_at = utcnow() + timedelta(hours=10)  # the newest is no longer the most urgent
    session.commit()
    first = call("GET", "/tickets?sort=newest&limit=2").get_json()
    assert [t["id"] for t in first["items"]] == [tickets[4].id, tickets[3].id]
    rest = call("GET", f"/tickets?sort=newest&limit=10&cursor={first['next_cursor']}").get_json()
    assert [t["id"] for t in rest["items"]] == [tickets[2].id, tickets[1].id, tickets[0].id]
    most_urgent = call("GET", "/tickets?sort=urgent").get_json()["items"]
    assert [t["id"] for t in most_urgent] == [t.id for t in (tickets[3], tickets[2], tickets[1], tickets[0], tickets[4])]


def test_a_cursor_of_the_other_order_is_400(api):
    """A cursor names its order: read with the other, it would skip tickets without a word."""
    call, _, _ = api
    newest = call("GET", "/tickets?sort=newest&limit=2").get_json()["next_cursor"]
    urgent = call("GET", "/tickets?limit=2").get_json()["next_cursor"]
    assert call("GET", f"/tickets?limit=2&cursor={newest}").status_code == 400
    assert call("GET", f"/tickets?sort=newest&limit=2&cursor={urgent}").status_code == 400
    assert call("GET", f"/tickets?sort=newest&limit=2&cursor={newest}").status_code == 200


def test_list_scoped_and_filtered(api):
    call, _, tickets = api
    assert {t["department"] for t in call("GET", "/tickets", "ow").get_json()["items"]} == {"OW"}
    assert len(call("GET", "/tickets?department=AFV").get_json()["items"]) == 2
    assert call("GET", "/tickets?q=melding%201").get_json()["items"][0]["id"] == tickets[1].id


def test_status_filter_open_is_the_status_open(api, session):
    """`open` is the status "In behandeling" (DOMAIN.md), not every status that is not closed."""
    call, _, tickets = api
    tickets[0].status, tickets[1].status, tickets[2].status = "open", "with_department", "resolved"
    session.commit()

    def ids(query: str) -> set[int]:
        response = call("GET", f"/tickets?{query}")
        assert response.status_code == 200, response.get_json()
        return {t["id"] for t in response.get_json()["items"]}

    assert ids("status=open") == {tickets[0].id}
    assert ids("") == {t.id for t in tickets} - {tickets[2].id}
    assert ids("status=closed") == {tickets[2].id} and ids("status=all") == {t.id for t in tickets}
    assert ids("status=new,with_department") == {tickets[1].id, tickets[3].id, tickets[4].id}


@pytest.mark.parametrize("query", ["limit=0", "limit=500", "sla=soon", "priority=asap", "cursor=%%%", "bogus=1",
                                   "status=sleeping", "department=NOPE", "sort=oldest", "assignee=nobody@x.nl"])
def test_list_bad_input_is_400_with_fields(api, query):
    call, _, _ = api
    response = call("GET", f"/tickets?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]


def test_reply_202_and_422(api):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/replies", json={"text": "Wij pakken het op"})
    assert response.status_code == 202
    body = response.get_json()
    assert body["delivery"]["state"] == "queued" and body["direction"] == "out" and body["visibility"] == "public"
    held = call("POST", f"/tickets/{tickets[0].id}/replies", json={"text": "Mail jan@example.nl"})
    assert held.status_code == 422
    assert held.get_json()["error"]["fields"]["findings"][0]["kind"] == "email"
    assert call("POST", f"/tickets/{tickets[0].id}/replies",
                json={"text": "Mail jan@example.nl", "override_pii": True,
                      "override_reason": "op verzoek"}).status_code == 202
    assert call("POST", f"/tickets/{tickets[0].id}/replies", json={"text": ""}).status_code == 400
    stale = call("POST", f"/tickets/{tickets[0].id}/replies", json={"text": "x", "seen_seq": 0})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_view"


def test_override_pii_alone_sends_and_is_recorded(api, session):
    """The shared API promises `override_pii` without more; the history and audit log say no reason was given."""
    from webcare.api.tickets import OVERRIDE_WITHOUT_REASON
    from webcare.models import AuditEntry, TicketEvent

    call, _, tickets = api
    sent = call("POST", f"/tickets/{tickets[0].id}/replies", json={"text": "Mail jan@example.nl", "override_pii": True})
    assert sent.status_code == 202 and sent.get_json()["delivery"]["state"] == "queued"
    event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == tickets[0].id,
                                                      TicketEvent.type == "pii_override")).one()
    assert event.data["reason"] == OVERRIDE_WITHOUT_REASON and event.data["kinds"] == ["email"]
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "reply.pii_override")).one()


def test_a_reply_being_retried_is_still_queued_for_the_api(api, session):
    from webcare.models import Message

    call, _, tickets = api
    reply_id = call("POST", f"/tickets/{tickets[0].id}/replies", json={"text": "Wij pakken het op"}).get_json()["id"]
    reply = session.get(Message, reply_id)
    reply.delivery_state, reply.delivery_error = "sending", "503 Service Unavailable (retrying)"
    session.commit()
    shown = next(m for m in call("GET", f"/tickets/{tickets[0].id}").get_json()["messages"] if m["id"] == reply_id)
    assert shown["delivery"] == {"state": "queued", "error": "503 Service Unavailable (retrying)", "sent_at": None}


def test_notes_handoff_status_assign(api):
    call, people, tickets = api
    ticket = tickets[3]  # AFV
    assert call("POST", f"/tickets/{ticket.id}/notes", json={"text": "intern"}).status_code == 201
    assert call("POST", f"/tickets/{ticket.id}/notes", json={"text": "fb", "feedback": True}).status_code == 403
    response = call("POST", f"/tickets/{ticket.id}/handoff", json={"department": "OW", "question": "Van jullie?"})
    assert response.status_code == 200 and response.get_json()["status"] == "with_department"
    assert response.get_json()["awaiting"] == "department"
    feedback = call("POST", f"/tickets/{ticket.id}/notes", "ow", json={"text": "Ja, morgen", "feedback": True})
    assert feedback.status_code == 201 and feedback.get_json()["is_feedback"] is True
    assert call("POST", f"/tickets/{ticket.id}/notes", "afv", json={"text": "x"}).status_code == 404
    assert call("POST", f"/tickets/{ticket.id}/status", json={"status": "resolved"}).status_code == 400
    done = call("POST", f"/tickets/{ticket.id}/status", json={"status": "resolved", "text": "Gemaakt"})
    assert done.status_code == 200 and done.get_json()["status"] == "resolved"
    refused = call("POST", f"/tickets/{ticket.id}/status", json={"status": "waiting_citizen", "text": "?"})
    assert refused.status_code == 409
    assign = call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": people["agent"].email})
    assert assign.status_code == 200 and assign.get_json()["assignee"] == people["agent"].email
    assert call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": None}).get_json()["assignee"] is None
    assert call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": "nobody@x.nl"}).status_code == 400
    assert call("POST", f"/tickets/{tickets[0].id}/assign", json={}).status_code == 400


def test_the_agent_reads_the_question_and_the_feedback_in_the_ticket(api):
    call, people, tickets = api
    ticket = tickets[3]  # AFV
    call("POST", f"/tickets/{ticket.id}/handoff", json={"department": "OW", "question": "Wanneer is het gemaakt?"})
    call("POST", f"/tickets/{ticket.id}/notes", "ow", json={"text": "Donderdag gerepareerd", "feedback": True})
    detail = call("GET", f"/tickets/{ticket.id}").get_json()
    assert [(n["text"], n["is_feedback"]) for n in detail["notes"]] == [
        ("Wanneer is het gemaakt?", False), ("Donderdag gerepareerd", True)]
    feedback = next(e for e in detail["events"] if e["type"] == "feedback")
    assert feedback["data"]["note_id"] == detail["notes"][1]["id"] and feedback["actor_id"] == people["ow"].id


def test_department_cannot_act_outside_scope(api):
    call, _, tickets = api
    assert call("GET", f"/tickets/{tickets[3].id}", "ow").status_code == 404
    assert call("POST", f"/tickets/{tickets[3].id}/replies", "ow", json={"text": "x"}).status_code == 404
    assert call("POST", f"/tickets/{tickets[0].id}/replies", "ow", json={"text": "x"}).status_code == 403
    assert call("POST", f"/tickets/{tickets[0].id}/handoff", "ow",
                json={"department": "AFV", "question": "?"}).status_code == 403


def test_openapi_lists_ticket_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/tickets", "/tickets/{ticket_id}/replies", "/tickets/{ticket_id}/notes",
                 "/tickets/{ticket_id}/handoff", "/tickets/{ticket_id}/status", "/tickets/{ticket_id}/assign"):
        assert path in paths
    assert "requestBody" in paths["/tickets/{ticket_id}/replies"]["post"]


def test_fast_list_dump_equals_the_schema(session, api):
    from webcare.models import Ticket
    from webcare.schemas.ticket import SlaSchema, TicketSchema
    from webcare.schemas.ticket_fast import dump_ticket
    from webcare.services import ticket_actions
    from webcare.services.sla_state import clocks_of

    call, people, tickets = api
    call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": people["agent"].email})
    session.expire_all()
    ticket = session.get(Ticket, tickets[0].id)
    ticket_actions.set_labels(session, ticket, people["agent"], ["pers", "wethouder"])
    ticket.contact = None
    ticket.handling_paused_at = utcnow()
    now = utcnow()
    for t in session.scalars(select(Ticket)):
        expected = {**TicketSchema().dump(t), "sla": SlaSchema().dump(clocks_of(t, now))}
        assert dump_ticket(t, now) == expected


def test_list_rows_dump_like_the_orm_tickets(session, api):
    from webcare.models import Ticket
    from webcare.schemas.ticket import SlaSchema, TicketSchema
    from webcare.schemas.ticket_fast import dump_ticket
    from webcare.services import inbox
    from webcare.services.sla_state import clocks_of

    call, people, tickets = api
    call("POST", f"/tickets/{tickets[1].id}/assign", json={"user": people["agent"].email})
    call("POST", f"/tickets/{tickets[2].id}/status", json={"status": "resolved", "text": "klaar"})
    from webcare.services import ticket_actions

    for ticket, labels in ((tickets[0], ["wethouder", "afval", "pers"]), (tickets[2], ["pers"])):
        ticket_actions.set_labels(session, session.get(Ticket, ticket.id), people["agent"], labels)
    session.commit()
    now = utcnow()
    rows = inbox.list_tickets(session, people["agent"], inbox.Filters(statuses=inbox.parse_statuses("all"))).items
    assert len(rows) == len(tickets)
    session.expire_all()
    assert {row.id: row.label_names for row in rows if row.label_names} == {
        tickets[0].id: ["afval", "pers", "wethouder"], tickets[2].id: ["pers"]}
    for row in rows:
        ticket = session.get(Ticket, row.id)
        assert dump_ticket(row, now) == {**TicketSchema().dump(ticket), "sla": SlaSchema().dump(clocks_of(ticket, now))}


def test_the_department_that_took_a_ticket_over_changes_its_status(api, session):
    from webcare.services import department_actions
    call, people, tickets = api
    ticket = tickets[0]  # OW
    assert call("POST", f"/tickets/{ticket.id}/status", "ow", json={"status": "resolved", "text": "x"}).status_code \
        == 403  # not taken over yet
    department_actions.take_over(session, session.merge(ticket), session.merge(people["ow"]))
    session.commit()
    assert call("POST", f"/tickets/{ticket.id}/status", "afv", json={"status": "resolved", "text": "x"}).status_code \
        == 404
    done = call("POST", f"/tickets/{ticket.id}/status", "ow", json={"status": "resolved", "text": "Gemaakt"})
    assert done.status_code == 200 and done.get_json()["status"] == "resolved"


def test_a_department_member_assigning_themselves_takes_the_ticket_over_as_on_the_page(api):
    call, people, tickets = api
    ticket = tickets[3]  # AFV
    call("POST", f"/tickets/{ticket.id}/handoff", json={"department": "OW", "question": "Nemen jullie dit over?"})
    taken = call("POST", f"/tickets/{ticket.id}/assign", "ow", json={"user": people["ow"].email})
    assert taken.status_code == 200
    assert (taken.get_json()["status"], taken.get_json()["awaiting"]) == ("open", "department")
    assert taken.get_json()["sla"]["department_feedback"]["level"] == "met"  # the department reacted
    detail = call("GET", f"/tickets/{ticket.id}").get_json()
    moves = [e for e in detail["events"] if e["type"] == "status_changed"]
    assert (moves[-1]["actor_id"], moves[-1]["data"]["to"]) == (people["ow"].id, "open")
    again = call("POST", f"/tickets/{ticket.id}/assign", "ow", json={"user": people["ow"].email})
    assert again.status_code == 200 and again.get_json()["assignee"] == people["ow"].email


def test_the_statuses_are_in_the_openapi_document_and_an_unknown_one_lists_them(api, client):
    """Found by schemathesis against a running server: the document said `status` is any string, so a client
    generated from it could not know the seven codes of DOMAIN.md, and a wrong one answered with the value itself."""
    status = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["StatusInput"]["properties"]["status"]
    assert status["enum"] == ["new", "open", "with_department", "waiting_citizen", "forwarded_external", "resolved",
                              "cancelled"]
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/status", json={"status": "closed", "text": "klaar"})
    assert response.status_code == 400
    assert "resolved" in response.get_json()["error"]["fields"]["status"][0]


def test_the_same_hand_off_posted_twice_is_recorded_once(api, session):
    """Found by a black-box pass: a client that posts a hand-off again (a retry after a timeout) recorded a second
    question and a second hand-off, notified the department again and restarted its feedback clock, hiding how
    long the department had had it. The same question to the same department, still unanswered, is now a no-op;
    after the department's feedback, or with another question, it is a new hand-off."""
    call, _, tickets = api
    path, body = f"/tickets/{tickets[3].id}/handoff", {"department": "OW", "question": "Van jullie?"}
    first = call("POST", path, json=body).get_json()
    session.expire_all()
    again = call("POST", path, json={**body, "department": "ow", "question": " Van jullie? "})
    assert again.status_code == 200
    detail = call("GET", f"/tickets/{tickets[3].id}").get_json()
    assert [e["type"] for e in detail["events"]].count("handoff") == 1 and len(detail["notes"]) == 1
    assert detail["sla"]["department_feedback"]["due_at"] == first["sla"]["department_feedback"]["due_at"]

    call("POST", f"/tickets/{tickets[3].id}/notes", "ow", json={"text": "Ja", "feedback": True})
    call("POST", path, json=body)  # asked again after the answer: a new question
    call("POST", path, json={**body, "question": "Toch een andere vraag"})
    detail = call("GET", f"/tickets/{tickets[3].id}").get_json()
    assert [e["type"] for e in detail["events"]].count("handoff") == 3


def test_a_hand_off_to_the_front_office_is_400(api):
    """KCC is webcare itself (DOMAIN.md: the front office, sees everything): handing a ticket to it was a 200 that
    put the ticket 'with the department' webcare already is."""
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/handoff", json={"department": "KCC", "question": "Voor ons?"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["fields"] == {"department": ["front office"]} and "front office" in error["message"]
    detail = call("GET", f"/tickets/{tickets[0].id}").get_json()
    assert detail["status"] == "new" and "handoff" not in [e["type"] for e in detail["events"]]


def test_a_closed_ticket_refuses_replies_and_assignment_until_it_is_reopened(api, session):
    """Replies and assignment on a resolved ticket were accepted (202/200). They are 409 `ticket_closed`, as a
    refused status move is a 409, and say to reopen first; a note is still a 201 (the record)."""
    call, people, tickets = api
    path = f"/tickets/{tickets[0].id}"
    assert call("POST", f"{path}/status", json={"status": "resolved", "text": "Gemaakt"}).status_code == 200
    for act, body in (("replies", {"text": "Nog iets"}), ("assign", {"user": people["agent"].email}),
                      ("assign", {"user": None})):
        response = call("POST", f"{path}/{act}", json=body)
        assert response.status_code == 409, act
        error = response.get_json()["error"]
        assert error["code"] == "ticket_closed" and "reopen it first" in error["message"]
    assert call("POST", f"{path}/notes", json={"text": "Inwoner belde nog"}).status_code == 201
    detail = call("GET", path).get_json()
    assert detail["status"] == "resolved" and detail["assignee"] is None
    assert [m["direction"] for m in detail["messages"]] == ["in"]

    assert call("POST", f"{path}/status", json={"status": "open"}).status_code == 200
    assert call("POST", f"{path}/replies", json={"text": "Nog iets"}).status_code == 202
    spec = call("GET", "/openapi.json").get_json()["paths"]["/tickets/{ticket_id}/assign"]["post"]
    assert "409" in spec["responses"]  # the document says what the server does


def test_a_cancelled_ticket_is_not_reopened_nor_answered(api):
    call, _, tickets = api
    path = f"/tickets/{tickets[1].id}"
    assert call("POST", f"{path}/status", json={"status": "cancelled", "text": "Spam"}).status_code == 200
    reopen = call("POST", f"{path}/status", json={"status": "open"})
    assert reopen.status_code == 409 and reopen.get_json()["error"]["code"] == "transition_not_allowed"
    reply = call("POST", f"{path}/replies", json={"text": "Toch"})
    assert reply.status_code == 409 and "a cancelled ticket is not reopened" in reply.get_json()["error"]["message"]


def test_the_same_note_or_feedback_posted_twice_is_recorded_once(api):
    """A client that posted a note or feedback again (a retry after a timeout) stored it twice (and told webcare
    twice of the feedback). The repeat is a 201 with the first note, as a repeated hand-off is a 200 that records
    nothing; another text is a note of its own."""
    call, _, tickets = api
    path = f"/tickets/{tickets[0].id}"
    first = call("POST", f"{path}/notes", json={"text": "Buurman belde ook"})
    again = call("POST", f"{path}/notes", json={"text": "Buurman belde ook "})
    assert (first.status_code, again.status_code) == (201, 201) and again.get_json() == first.get_json()
    call("POST", f"{path}/handoff", json={"department": "OW", "question": "Wanneer?"})
    feedback = [call("POST", f"{path}/notes", "ow", json={"text": "Morgen", "feedback": True}) for _ in range(2)]
    assert [r.status_code for r in feedback] == [201, 201] and feedback[0].get_json() == feedback[1].get_json()
    call("POST", f"{path}/notes", json={"text": "Iets anders"})
    detail = call("GET", path).get_json()
    assert [n["text"] for n in detail["notes"]] == ["Buurman belde ook", "Wanneer?", "Morgen", "Iets anders"]
    assert [e["type"] for e in detail["events"]].count("feedback") == 1
