"""Routing a ticket: decide from the cached rule set, apply the decision, acknowledge automatically.

This is ingest's hot path: no query per ticket (the rule set and the id maps come from the cache,
which checks its version stamp once per transaction). Only the automatic acknowledgement writes a
reply, and only when the deciding rule asks for it.

Two forms: `route_new_ticket` routes a stored ORM ticket (imports, tests, one ticket at a time);
ingest routes the rows of new tickets before they are stored (`route_new_row`, so each ticket is
written once), then stores their labels (`store_labels`) and acknowledges them in bulk
(`acknowledge_new_tickets`). Both set the same columns (`decision_columns`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from webcare.db import effective_at, utcnow
from webcare.models import Message, Ticket, TicketLabel
from webcare.models.ticket_event import TicketEvent
from webcare.services import channels, defaults, safety
from webcare.services.bulk import bulk_insert
from webcare.services.events import event_row, insert_events, record_event
from webcare.services.replies import AutomaticReply, queue_automatic_replies, queue_reply, reply_target
from webcare.services.reply_addressing import overhead_for, reply_context
from webcare.services.routing.decision import RouteDecision, RouteInput
from webcare.services.routing.engine import Catalog
from webcare.services.routing.store import current_ruleset
from webcare.services.routing.text import Text, guess_language, read

# The acknowledgement's {termijn} is a term ("binnen 3 werkdagen"), not a date as in `defaults.DEFAULT_PROMISE`
# ("uiterlijk donderdag 10 december", the promise an agent gives), so its default sentence has no "uiterlijk".
DEFAULT_ACKNOWLEDGEMENT = ("Dank voor uw bericht. We hebben het doorgegeven aan {afdeling}. "
                           "U hoort {termijn} van ons.")
DEFAULT_PROMISE_EN = ("Thank you for your message. We have passed it on to {afdeling}. "
                      "You will hear from us {termijn}.")


def route_input_for(ticket: Ticket, message: Message) -> RouteInput:
    return _input(ticket, message, tuple(ticket.label_names))


def _input(ticket: Ticket, message: Message, labels: tuple[str, ...]) -> RouteInput:
    return RouteInput(text=message.text or "", platform=message.platform, channel_id=message.channel_id,
                      kind=message.kind, visibility=message.visibility, author=message.author_handle or "",
                      language=message.language, at=effective_at(message.platform_created_at, message.received_at),
                      labels=labels)


def decide(session: Session, item: RouteInput) -> RouteDecision:
    """The decision for one message (no side effects)."""
    return current_ruleset(session).decide(item)


def decision_columns(catalog: Catalog, decision: RouteDecision) -> dict[str, Any]:
    """The ticket columns a decision sets (besides `threat`, which it only ever turns on, and labels)."""
    columns: dict[str, Any] = {"priority": decision.priority, "routed_by_rule_id": decision.rule_id}
    if decision.category:
        columns["category_id"] = decision.category_id or _id(catalog.categories, decision.category)
    if decision.department:
        columns["department_id"] = decision.department_id or _id(catalog.departments, decision.department)
    if decision.assignee_id or decision.assignee:
        columns["assignee_id"] = decision.assignee_id or catalog.users.get(decision.assignee.lower())
    return columns


def apply_decision(session: Session, ticket: Ticket, decision: RouteDecision) -> None:
    """Set the decision's category, department, priority, labels, assignee and flags (no events)."""
    for name, value in decision_columns(current_ruleset(session).catalog, decision).items():
        setattr(ticket, name, value)
    _forget_stale_relations(ticket)
    ticket.threat = ticket.threat or decision.threat
    if decision.labels:
        _add_labels(session, ticket, decision.labels)


def _forget_stale_relations(ticket: Ticket) -> None:
    """Ids were set directly; a relation loaded earlier would show the old row (reloaded lazily on use)."""
    state = inspect(ticket)
    stale = [name for name in ("category", "department", "assignee") if name not in state.unloaded]
    if stale and state.persistent:
        inspect(ticket).session.expire(ticket, stale)


def _id(known: dict, code: str) -> int | None:
    info = known.get(code)
    return info.id if info else None


def _add_labels(session: Session, ticket: Ticket, labels: tuple[str, ...]) -> None:
    state = inspect(ticket)
    if ticket.id is None or "labels" not in state.unloaded:
        present = set(ticket.label_names)
        ticket.labels.extend(TicketLabel(label=label) for label in labels if label not in present)
    else:  # a stored new ticket whose labels were never loaded has none: no query needed
        session.add_all(TicketLabel(ticket_id=ticket.id, label=label) for label in labels)


def route_new_ticket(session: Session, ticket: Ticket, message: Message, *, acknowledge: bool = True) -> RouteDecision:
    """Route a ticket that was just opened by `message`; the caller records the `routed` event.

    When the decision asks for it (and it is no threat), the citizen gets the automatic
    acknowledgement once. Pass `acknowledge=False` when replaying history (imports).
    """
    ruleset = current_ruleset(session)
    text = read(message.text or "")
    decision = ruleset.decide(_input(ticket, message, _labels_without_query(ticket)), text)
    apply_decision(session, ticket, decision)
    if ticket.language is None:
        ticket.language = _language(message.language, text)
    if acknowledge:
        acknowledge_ticket(session, ticket, decision)
    if decision.threat:
        safety.on_threat_flagged(session, ticket)
    return decision


def _language(given: str | None, text: Text) -> str | None:
    return (given or "")[:8] or guess_language(text.words)


def route_new_row(session: Session, row: dict[str, Any], item: RouteInput) -> RouteDecision:
    """Route a new ticket before it is stored: set the decision's columns and the language on `row` (its
    columns). The caller stores the labels (`store_labels`), records `routed`, tells the safety team of a
    threat (`safety.on_threat_flagged`) and acknowledges (`acknowledgement`, `acknowledge_new_tickets`)."""
    ruleset = current_ruleset(session)
    text = read(item.text)
    decision = ruleset.decide(item, text)
    row.update(decision_columns(ruleset.catalog, decision))
    row["threat"] = bool(row.get("threat")) or decision.threat
    if row.get("language") is None:
        row["language"] = _language(item.language, text)
    return decision


def store_labels(session: Session, labels: dict[int, tuple[str, ...]]) -> None:
    """The labels of tickets routed as rows (ticket id -> labels), in one statement."""
    rows = [{"ticket_id": ticket_id, "label": label} for ticket_id, names in sorted(labels.items())
            for label in dict.fromkeys(names)]
    bulk_insert(session, TicketLabel.__table__, rows, conflict=("ticket_id", "label"))


def _labels_without_query(ticket: Ticket) -> tuple[str, ...]:
    if "labels" in inspect(ticket).unloaded:
        return ()
    return tuple(ticket.label_names)


def promise_text(catalog: Catalog, decision: RouteDecision, language: str | None = None, *,
                 category_text: bool = True) -> str:
    """The category's promise to the citizen, with department and term filled in; with `category_text=False`
    (or a category without one) the default acknowledgement in the ticket's language, with the same ones."""
    category = catalog.categories.get(decision.category or "")
    department = catalog.departments.get(decision.department or "")
    own = category.promise_text if category_text and category and category.promise_text else None
    english = language == "en" and not own
    template = own or (DEFAULT_PROMISE_EN if english else DEFAULT_ACKNOWLEDGEMENT)
    return defaults.fill_promise(template, afdeling=department.name if department else "",
                                 categorie=category.name if category else "", termijn=_term(category, english))


def _term(category, english: bool) -> str:
    if category is None or not category.handling_target:
        return "as soon as possible" if english else "zo snel mogelijk"
    n = category.handling_target
    if category.handling_unit == "calendar_days":
        unit = ("day" if n == 1 else "days") if english else ("dag" if n == 1 else "dagen")
    else:
        unit = ("working day" if n == 1 else "working days") if english else ("werkdag" if n == 1 else "werkdagen")
    return f"within {n} {unit}" if english else f"binnen {n} {unit}"


class Acknowledgement(NamedTuple):  # a tuple: made for every new ticket of an ingest batch
    """The automatic acknowledgement of a new ticket. `text` is the category's promise when it fits in the
    `room` the reply has (the platform's limit less what sending adds: Mastodon's @mentions and copied content
    warning, `reply_addressing.overhead_for`), else the default acknowledgement with the same department and
    term (`default_text`) when that fits. Else nothing fits (`fits` False): the category's promise is recorded
    on the ticket as an acknowledgement not sent (`too_long`), never sent to be refused. No shortening with
    an ellipsis: the end of a promise is what it promises ("... U hoort binnen 3 werkdagen van ons.")."""

    text: str
    fits: bool = True
    default_text: bool = False


def fit_acknowledgement(catalog: Catalog, decision: RouteDecision, language: str | None,
                        room: int | None) -> Acknowledgement:
    """The `Acknowledgement` for `room` characters (None: no limit). Lengths as the composer counts them."""
    text = promise_text(catalog, decision, language)
    if room is None or len(text) <= room:
        return Acknowledgement(text)
    short = promise_text(catalog, decision, language, category_text=False)
    if len(short) <= room:
        return Acknowledgement(short, default_text=True)
    return Acknowledgement(text, fits=False)


def acknowledgement(session: Session, decision: RouteDecision, language: str | None, threat: bool,
                    room: int | None = None) -> Acknowledgement | None:
    """The automatic acknowledgement of a new ticket (routed as a row), or None when it gets none: never for
    threats, never for replayed history. `room`: the characters the reply has (`fit_acknowledgement`).

    When it fits, store the ticket with `promise_text` = its text and `auto_ack_sent_at` = the moment; then
    queue all of them with `acknowledge_new_tickets` (one that does not fit is recorded there, not sent)."""
    if not _acknowledges(session, decision, threat):
        return None
    return fit_acknowledgement(current_ruleset(session).catalog, decision, language, room)


def _acknowledges(session: Session, decision: RouteDecision, threat: bool) -> bool:
    """Does a new ticket get the automatic acknowledgement? When its rule asks for it, never for a threat, and
    never while `webcare import` replays history (the session's `replaying_history`): the past is not
    acknowledged again, weeks late; the municipality's own historic replies come as reply lines."""
    return decision.auto_ack and not (decision.threat or threat or session.info.get("replaying_history"))


def acknowledge_new_tickets(session: Session, acks: list[AutomaticReply]) -> None:
    """Queue the acknowledgements of stored new tickets in bulk, each with its `auto_ack_sent` event (with
    `default_text` when the category's promise did not fit); one that does not fit at all (`unsent`) is stored
    `skipped` with its `auto_ack_skipped` event, so the ticket shows why the citizen got none."""
    if not acks:
        return
    made = queue_automatic_replies(session, acks)
    insert_events(session, [_acknowledgement_event(ack, made[ack.ticket_id]) for ack in acks])


def _acknowledgement_event(ack: AutomaticReply, message_id: int) -> dict[str, Any]:
    if ack.unsent:
        return event_row(ack.ticket_id, "auto_ack_skipped", ack.at, {"message_id": message_id, "reason": ack.unsent})
    data = {"message_id": message_id, "default_text": True} if ack.default_text else {"message_id": message_id}
    return event_row(ack.ticket_id, "auto_ack_sent", ack.at, data)


def acknowledge_ticket(session: Session, ticket: Ticket, decision: RouteDecision) -> None:
    """Send the automatic acknowledgement when the decision asks for it: once per ticket, never for threats;
    in the room the reply has on the ticket's channel (`fit_acknowledgement`), as ingest does.

    Ingest routes a batch with `acknowledge=False` and calls this after the batch's history is written,
    so a ticket's history starts with `created` and `routed`.
    """
    if not _acknowledges(session, decision, ticket.threat) or ticket.auto_ack_sent_at is not None:
        return
    if ticket.id is None:
        session.flush()
    overhead, room = overhead_for(ticket.channel.platform), channels.reply_limit(ticket.channel)
    room -= overhead(reply_context(ticket)) if overhead else 0
    ack = fit_acknowledgement(current_ruleset(session).catalog, decision, ticket.language, room)
    if ack.fits:
        send_auto_ack(session, ticket, ack)
        return
    acknowledge_new_tickets(session, [AutomaticReply(  # recorded, not sent (the platform would refuse it)
        ticket_id=ticket.id, channel_id=ticket.channel_id, contact_id=ticket.contact_id,
        platform=ticket.channel.platform, thread_key=ticket.thread_key, in_reply_to=reply_target(session, ticket),
        visibility="private" if ticket.visibility == "private" else "public", text=ack.text,
        handle=ticket.channel.handle, at=utcnow(), language=ticket.language, unsent="too_long")])


def send_auto_ack(session: Session, ticket: Ticket, ack: Acknowledgement) -> TicketEvent:
    """Queue the acknowledgement as an automatic reply (never a first response) and mark the ticket."""
    visibility = "private" if ticket.visibility == "private" else "public"
    reply = queue_reply(session, ticket, None, ack.text, visibility, automatic=True)
    ticket.auto_ack_sent_at = reply.received_at or utcnow()
    ticket.promise_text = ack.text
    data = {"message_id": reply.id, "default_text": True} if ack.default_text else {"message_id": reply.id}
    return record_event(session, ticket, "auto_ack_sent", at=ticket.auto_ack_sent_at, data=data)
