"""Ticket endpoints of the JSON API: list, detail, replies, notes, hand-off, status and assignment.

Same permissions as the UI: scoping through `services.access` (outside scope: 404), role rules in the
services (403). Shape errors are 400 with `fields`; a move the workflow refuses is 409; a reply or an
assignment on a closed ticket is 409 `ticket_closed`; a public reply with personal data is 422 with the
findings; a reply on a stale view is 409 `stale_view`.
"""

from __future__ import annotations

from flask import jsonify, request

from webcare.api import bp, json_body
from webcare.api.cached import kept_per_user
from webcare.api.spec import endpoint
from webcare.auth import current
from webcare.db import utcnow
from webcare.extensions import db
from webcare.schemas.common import page_schema
from webcare.schemas.ticket import MessageSchema, TicketDetailSchema, TicketSchema
from webcare.schemas.ticket_fast import dump_ticket
from webcare.schemas.ticket_input import (
    AssignInputSchema,
    HandoffInputSchema,
    NoteInputSchema,
    NoteOutputSchema,
    ReplyInputSchema,
    StatusInputSchema,
    TicketListQuerySchema,
    load,
)
from webcare.services import access, compose, department_actions, inbox, ticket_actions
from webcare.services.inbox import Filters

TicketPage = page_schema(TicketSchema, "TicketPage")
LIST_QUERY = TicketListQuerySchema()  # one instance: building a schema costs more than loading the query
TICKET_ERRORS = (400, 403, 404)


@endpoint(bp, "/tickets", "GET", summary="Tickets, most urgent first or newest first (filters, cursor paging)",
          response=TicketPage(), query=TicketListQuerySchema(), errors=(400, 403), tag="tickets")
@kept_per_user
def list_tickets():
    args = load(LIST_QUERY, request.args.to_dict())
    filters = Filters(statuses=inbox.parse_statuses(args["status"]), view=args["view"], platform=args["platform"],
                      channel_id=args["channel"], department=args["department"], category=args["category"],
                      priority=args["priority"], assignee=args["assignee"], sla=args["sla"], label=args["label"],
                      q=args["q"], sort=args["sort"])
    page = inbox.list_tickets(db(), current(), filters, limit=args["limit"], cursor=args["cursor"])
    now = utcnow()
    return jsonify(items=[dump_ticket(t, now) for t in page.items], next_cursor=page.next_cursor)


@endpoint(bp, "/tickets/<int:ticket_id>", "GET", summary="One ticket with its messages, events and SLA clocks",
          response=TicketDetailSchema(), errors=(404,), tag="tickets")
def get_ticket(ticket_id: int):
    ticket = access.get_ticket_for(db(), current(), ticket_id)
    return jsonify(TicketDetailSchema().dump(ticket))


@endpoint(bp, "/tickets/<int:ticket_id>/replies", "POST", summary="Reply to the citizen (queued for delivery)",
          response=MessageSchema(), status=202, body=ReplyInputSchema(), errors=TICKET_ERRORS + (409, 422),
          tag="tickets")
def post_reply(ticket_id: int):
    args = load(ReplyInputSchema(), json_body())
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    reason = _override_reason(args)
    message = compose.send_reply(session, ticket, current(), args["text"],
                                 args["visibility"] or compose.default_visibility(ticket), override_reason=reason,
                                 seen_seq=args["seen_seq"], seen_message_id=args["seen_message_id"])
    session.commit()
    return jsonify(MessageSchema().dump(message)), 202


# What the history and audit log say when an API client overrides the guard without `override_reason`
# (docs/shared API.md promises `override_pii` alone; people read this text, so it is Dutch).
OVERRIDE_WITHOUT_REASON = "(via de API, geen reden opgegeven)"


def _override_reason(args: dict) -> str | None:
    """The reason recorded with an override of the personal-data guard; None when there is no override."""
    if not args["override_pii"]:
        return None
    return (args["override_reason"] or "").strip() or OVERRIDE_WITHOUT_REASON


@endpoint(bp, "/tickets/<int:ticket_id>/notes", "POST", summary="Add an internal note or department feedback",
          response=NoteOutputSchema(), status=201, body=NoteInputSchema(), errors=TICKET_ERRORS, tag="tickets")
def post_note(ticket_id: int):
    args = load(NoteInputSchema(), json_body())
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    if args["feedback"]:
        note = department_actions.give_feedback(session, ticket, current(), args["text"])
    else:
        note = ticket_actions.add_note(session, ticket, current(), args["text"])
    session.commit()
    return jsonify(NoteOutputSchema().dump(note)), 201


@endpoint(bp, "/tickets/<int:ticket_id>/handoff", "POST", summary="Hand the ticket to a department with a question",
          response=TicketSchema(), body=HandoffInputSchema(), errors=TICKET_ERRORS + (409,), tag="tickets")
def post_handoff(ticket_id: int):
    args = load(HandoffInputSchema(), json_body())
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    department_actions.handoff(session, ticket, current(), args["department"], args["question"])
    session.commit()
    return jsonify(TicketSchema().dump(ticket))


@endpoint(bp, "/tickets/<int:ticket_id>/status", "POST", summary="Change the status (required texts apply)",
          response=TicketSchema(), body=StatusInputSchema(), errors=TICKET_ERRORS + (409,), tag="tickets")
def post_status(ticket_id: int):
    args = load(StatusInputSchema(), json_body())
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    ticket_actions.change_status(session, ticket, current(), args["status"], args["text"])
    session.commit()
    return jsonify(TicketSchema().dump(ticket))


@endpoint(bp, "/tickets/<int:ticket_id>/assign", "POST", summary="Assign the ticket to a user (null: nobody)",
          response=TicketSchema(), body=AssignInputSchema(), errors=TICKET_ERRORS + (409,), tag="tickets")
def post_assign(ticket_id: int):
    args = load(AssignInputSchema(), json_body())
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    assignee = None if args["user"] is None else ticket_actions.user_by_email(session, args["user"])
    department_actions.assign_or_take_over(session, ticket, current(), assignee)
    session.commit()
    return jsonify(TicketSchema().dump(ticket))
