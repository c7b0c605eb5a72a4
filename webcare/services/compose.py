"""Replying to the citizen from the inbox: platform rules, canned responses and collision detection.

`send_reply` is the one way people reply (UI and API). Before it hands the text to
`services.replies.queue_reply` (which holds public text with personal data unless overridden) it
checks the platform's rules (private replies where the platform has them, the length limit) and
whether the reply is based on a stale view: when a citizen message or another person's reply arrived
after the view the author wrote in (`seen_seq` = the ticket's `activity_seq` then), the reply is held
with `StaleView` (409, with what is new) and nothing is sent until the author confirms. The view
tells which message it showed last (`seen_message_id`); without it, any change of `activity_seq`
since the view holds the reply. The same reply sent again at once (a double click, a client's retry) is
the first one, queued once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webcare import platforms
from webcare.db import utcnow
from webcare.errors import Conflict, ValidationFailed
from webcare.models import CannedResponse, Category, Message, Ticket, User
from webcare.services import channels, sla
from webcare.services.replies import queue_reply
from webcare.services.reply_addressing import overhead_for, reply_context
from webcare.services.ticket_actions import (
    NOTE_REPEAT_WINDOW,
    _move,
    acting_department,
    record_assignment,
    require_open,
    require_worker,
    touch,
)

DEFAULT_LIMIT = channels.DEFAULT_REPLY_LIMIT  # a platform without an adapter (yet): the platform decides


class StaleView(Conflict):
    code = "stale_view"


@dataclass(frozen=True)
class PlatformRules:
    platform: str
    limit: int
    private_allowed: bool
    public_allowed: bool
    private_note: str = ""  # why a private reply is limited or impossible (English; translated where shown)
    # what the composer starts on: private for a private conversation, and for a public ticket whose citizen
    # last wrote privately (on Mastodon a DM that answers our private question under their post joins that
    # post's ticket), so what they sent privately is not answered in public unless the agent chooses to
    default_visibility: str = "public"


def rules_for(ticket: Ticket) -> PlatformRules:
    """The platform's rules for this ticket, from its adapter (`platforms.capabilities`,
    `can_reply_privately` and `reply_overhead`, what the adapter adds to the text, such as Mastodon's
    @mention); a channel's `settings.max_chars` overrides the platform's length (e.g. a Mastodon
    instance's own limit). A platform without an adapter: the default limit, and a private reply only
    in a private conversation."""
    channel = ticket.channel
    # A DM conversation is answered in the DM: there is no public post to reply under.
    public_allowed = ticket.visibility == "public"
    try:
        caps = platforms.capabilities(channel.platform)
    except LookupError:
        caps = None
    limit = channels.reply_limit(channel)
    if caps is None:
        private = ticket.visibility == "private"
        return PlatformRules(channel.platform, limit, private, public_allowed,
                             default_visibility="private" if private else "public")
    adapter, context = platforms.adapter_class(channel.platform), reply_context(ticket)
    allowed = bool(caps.private_replies and adapter.can_reply_privately(ticket.kind, context))
    private = ticket.visibility == "private" or (allowed and context["message_visibility"] == "private")
    overhead = overhead_for(channel.platform)
    room = limit - overhead(context) if overhead else limit  # as ingest leaves for an acknowledgement
    return PlatformRules(channel.platform, room, allowed, public_allowed,
                         caps.private_reply_note, default_visibility="private" if private else "public")


def default_visibility(ticket: Ticket) -> str:
    """What the composer starts on (`PlatformRules.default_visibility`)."""
    return rules_for(ticket).default_visibility


def send_reply(session: Session, ticket: Ticket, actor: User, text: str, visibility: str, *,
               override_reason: str | None = None, seen_seq: int | None = None,
               seen_message_id: int | None = None, at: datetime | None = None) -> Message:
    """Queue a reply by a person; raises StaleView, ValidationFailed or PersonalDataInPublicReply, and Conflict
    `ticket_closed` on a closed ticket (reopen it first). Not for `webcare import` (`queue_reply`, `after_reply`)
    nor automatic acknowledgements (`routing`): they do not come this way."""
    require_worker(actor, ticket)
    require_open(ticket, "reply")
    text = (text or "").strip()
    _check_platform(ticket, text, visibility)
    at = at or utcnow()
    repeated = _repeated_reply(session, ticket, actor, text, visibility, at)
    if repeated is not None:  # before the view's check: the first one changed the ticket
        return repeated
    _check_fresh(session, ticket, actor, seen_seq, seen_message_id)
    reason = (override_reason or "").strip() or None
    message = queue_reply(session, ticket, actor, text, visibility, override_reason=reason, at=at)
    after_reply(session, ticket, actor, at)
    touch(session, ticket, at, "message_created", message_id=message.id)
    return message


def _check_platform(ticket: Ticket, text: str, visibility: str) -> None:
    rules = rules_for(ticket)
    if visibility == "private" and not rules.private_allowed:
        reason = rules.private_note or f"{rules.platform} has no private replies"
        raise ValidationFailed(f"a private reply is not possible in this conversation: {reason}",
                               fields={"visibility": "not available"})
    if visibility == "public" and not rules.public_allowed:
        raise ValidationFailed("a private conversation is answered privately", fields={"visibility": "private only"})
    if len(text) > rules.limit:
        raise ValidationFailed(f"{rules.platform} allows at most {rules.limit} characters ({len(text)} given)",
                               fields={"text": f"longer than {rules.limit}"})


def _check_fresh(session: Session, ticket: Ticket, actor: User, seen_seq: int | None,
                 seen_message_id: int | None) -> None:
    """Hold the reply when someone else's message arrived after the author's view."""
    if seen_message_id is None:
        if seen_seq is not None and ticket.activity_seq > seen_seq:
            raise StaleView("this ticket changed since you opened it; reload and send again",
                            fields={"activity_seq": ticket.activity_seq, "new_messages": []})
        return
    newer = list(session.scalars(select(Message).where(
        Message.ticket_id == ticket.id, Message.id > seen_message_id, Message.is_automatic.is_(False),
        or_(Message.direction == "in", Message.author_user_id.is_(None), Message.author_user_id != actor.id),
    ).order_by(Message.id)))
    if newer:
        raise StaleView(
            "new messages arrived since you opened this ticket; read them and send again",
            fields={"activity_seq": ticket.activity_seq, "last_message_id": newer[-1].id,
                    "new_messages": [{"id": m.id, "direction": m.direction, "author": m.author_name or m.author_handle,
                                      "text": m.text[:500]} for m in newer]},
        )


def _repeated_reply(session: Session, ticket: Ticket, actor: User, text: str, visibility: str,
                    at: datetime) -> Message | None:
    """The reply this one repeats: the ticket's last message (acknowledgements aside) is this person's reply
    with the same text and visibility, queued less than `NOTE_REPEAT_WINDOW` before and not failed. A double
    click or a client's retry of the same POST so reaches the citizen once; the same text after the citizen
    wrote again, after a failed delivery, or later, is a reply of its own (as a repeated note, `repeated_note`)."""
    last = session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.is_automatic.is_(False))
                           .order_by(Message.id.desc()).limit(1)).first()
    if last is None or last.direction != "out" or last.author_user_id != actor.id or last.delivery_state == "failed":
        return None
    if last.text != text or last.visibility != visibility or at - last.received_at > NOTE_REPEAT_WINDOW:
        return None
    return last


def last_message_id(session: Session, ticket: Ticket) -> int:
    return session.scalar(select(func.max(Message.id)).where(Message.ticket_id == ticket.id)) or 0


def after_reply(session: Session, ticket: Ticket, actor: User, at: datetime) -> None:
    """What a person's reply does to the ticket: it is claimed by them when nobody has it (an `assigned` event),
    a new ticket is in progress (In behandeling), the citizen's move is next, and the clocks are recomputed.
    Also for replies recorded by `webcare import`, so an answered conversation looks answered."""
    ticket.activity_seq += 1
    ticket.last_outbound_at = at
    if ticket.assignee_id is None:  # in the history as a claim is (`ticket_actions.assign`)
        record_assignment(session, ticket, actor, actor, at, department_id=acting_department(actor, ticket))
    if ticket.status == "new":
        _move(session, ticket, actor, "open", "", at)
    if ticket.awaiting == "webcare":
        ticket.awaiting = "citizen"
    sla.recompute(session, ticket, at)


# -- canned responses --------------------------------------------------------------------------------------

def canned_for(session: Session, ticket: Ticket, language: str = "nl") -> list[CannedResponse]:
    """Active canned responses for the ticket's category (and its main category), then general ones."""
    category_ids = _category_chain(session, ticket.category_id)
    statement = select(CannedResponse).where(CannedResponse.active.is_(True), CannedResponse.language == language,
                                             or_(CannedResponse.category_id.is_(None),
                                                 CannedResponse.category_id.in_(category_ids)))
    rows = list(session.scalars(statement.order_by(CannedResponse.title)))
    return sorted(rows, key=lambda r: (r.category_id is None, r.title))


def _category_chain(session: Session, category_id: int | None) -> list[int]:
    chain: list[int] = []
    while category_id is not None and category_id not in chain:
        chain.append(category_id)
        category_id = session.scalar(select(Category.parent_id).where(Category.id == category_id))
    return chain


def fill_variables(text: str, values: dict[str, str]) -> str:
    """Replace {naam}, {afdeling} and {termijn}; unknown braces are left as they are."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
