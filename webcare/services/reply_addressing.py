"""Who a reply goes to, what the platform adds to it and in which language, asked alike by the composer
(`compose.reply_context`, for the length limit), by ingest (the room an automatic acknowledgement has) and by
delivery (`replies.begin_delivery`, for the `ReplyRequest`): the ticket's citizen as the platform knows them,
the room the platform leaves for the text, and the language the reply is written in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from webcare import platforms
from webcare.db import iso_text
from webcare.models import Contact, Message, Ticket
from webcare.platforms.base import PlatformAdapter


def citizen_address(session: Session, ticket_id: int, contact_id: int | None, latest=None) -> str | None:
    """The ticket's citizen (its contact) as the platform knows them (`ReplyRequest.recipient`; Mastodon: the
    `acct` our server gave, which resolves as a mention there): from `latest` (a row with `raw`, `author_handle`
    and `contact_id` of a message on the ticket) when the citizen wrote it, else from the citizen's latest
    message on the ticket, else from their contact's handle. The composer asks the same (`reply_context`),
    so its limit leaves room for exactly the mentions the reply gets."""
    if contact_id is None:
        return None
    if latest is None or latest.contact_id != contact_id:
        latest = session.execute(select(Message.raw, Message.author_handle, Message.contact_id).where(
            Message.ticket_id == ticket_id, Message.direction == "in", Message.contact_id == contact_id)
            .order_by(Message.id.desc()).limit(1)).first()
    if latest is not None:
        return address_of(latest.raw, latest.author_handle)
    contact = session.get(Contact, contact_id)
    return contact.handle.lstrip("@") if contact and contact.handle else None


def address_of(raw: dict[str, Any] | None, author_handle: str | None) -> str | None:
    """A message's author as a reply addresses them: the platform's `acct` in its raw payload, else its handle."""
    return (raw or {}).get("acct") or (author_handle or "").lstrip("@") or None


def context_for(raw: dict[str, Any] | None, *, kind: str, visibility: str, last_inbound_at: datetime | None,
                author_handle: str | None, message_visibility: str | None, recipient: str | None) -> dict[str, Any]:
    """What the adapters' `can_reply_privately` and `reply_overhead` decide on (base.PlatformAdapter): the raw
    payload of the message a reply answers with the ticket's `kind` and `visibility`, `last_inbound_at` (ISO),
    that message's `author_handle` and own `message_visibility`, and `recipient` (`citizen_address`). Built from
    stored rows by `reply_context`, from a batch's messages by ingest."""
    last = iso_text(last_inbound_at.replace(tzinfo=last_inbound_at.tzinfo or UTC)) if last_inbound_at else None
    return {**(raw or {}), "kind": kind, "visibility": visibility, "last_inbound_at": last,
            "author_handle": author_handle, "message_visibility": message_visibility, "recipient": recipient}


def reply_context(ticket: Ticket) -> dict[str, Any]:
    """`context_for` the latest message in the ticket's thread (the one a reply answers; possibly someone
    else's than the citizen's), with the ticket's citizen as the reply will address them (`citizen_address`)."""
    session = object_session(ticket)
    latest = recipient = None
    if session is not None and ticket.id is not None:
        latest = session.execute(select(Message.raw, Message.author_handle, Message.visibility, Message.contact_id)
                                 .where(Message.ticket_id == ticket.id, Message.direction == "in")
                                 .order_by(Message.id.desc()).limit(1)).first()
        recipient = citizen_address(session, ticket.id, ticket.contact_id, latest)
    return context_for(latest.raw if latest else None, kind=ticket.kind, visibility=ticket.visibility,
                       last_inbound_at=ticket.last_inbound_at, author_handle=latest.author_handle if latest else None,
                       message_visibility=latest.visibility if latest else None, recipient=recipient)


def overhead_for(platform: str) -> Callable[[dict[str, Any]], int] | None:
    """The platform's `reply_overhead` (what sending adds to a reply's text and counts against its limit, e.g.
    Mastodon's @mentions and copied content warning), to ask about a `context_for`; None when it adds nothing
    (no adapter, or the base class's), so no context need be built. Look it up once (ingest: once per batch)."""
    try:
        adapter = platforms.adapter_class(platform)
    except LookupError:
        return None
    return None if adapter.reply_overhead.__func__ is PlatformAdapter.reply_overhead.__func__ else adapter.reply_overhead


def reply_language(text: str, ticket_language: str | None) -> str:
    """The language of an agent's reply, as ISO 639-1 (what Mastodon's `language` and Bluesky's `langs` take): as
    its text reads when the guess knows (`guess_language`: Dutch or English, from common words), else the
    ticket's (`language_code`)."""
    # imported here: the routing package imports `replies`, which imports this module
    from webcare.services.routing.text import guess_language, normalise

    return guess_language(normalise(text)) or language_code(ticket_language)


def language_code(language: str | None) -> str:
    """A stored language tag as ISO 639-1 (`en-GB` is `en`); Dutch when there is none (X's `und`). An automatic
    acknowledgement is written in the ticket's language (routing.acknowledgement), so it takes this of the
    ticket's language without a guess (that would cost every new ticket of an ingest batch)."""
    code = re.split(r"[-_]", (language or "").strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else "nl"
