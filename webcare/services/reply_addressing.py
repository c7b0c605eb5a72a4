"""Who a reply goes to and in which language, asked alike by the composer (`compose.reply_context`, for the
length limit) and by delivery (`replies.begin_delivery`, for the `ReplyRequest`): the ticket's citizen as the
platform knows them, and the language the reply is written in.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from webcare.models import Contact, Message


def citizen_address(session: Session, ticket_id: int, contact_id: int | None, latest=None) -> str | None:
    """The ticket's citizen (its contact) as the platform knows them (`ReplyRequest.recipient`; Mastodon: the
    `acct` our server gave, which resolves as a mention there): from `latest` (a row with `raw`, `author_handle`
    and `contact_id` of a message on the ticket) when the citizen wrote it, else from the citizen's latest
    message on the ticket, else from their contact's handle. The composer asks the same (`compose.reply_context`),
    so its limit leaves room for exactly the mentions the reply gets."""
    if contact_id is None:
        return None
    if latest is None or latest.contact_id != contact_id:
        latest = session.execute(select(Message.raw, Message.author_handle, Message.contact_id).where(
            Message.ticket_id == ticket_id, Message.direction == "in", Message.contact_id == contact_id)
            .order_by(Message.id.desc()).limit(1)).first()
    if latest is not None:
        return (latest.raw or {}).get("acct") or latest.author_handle.lstrip("@") or None
    contact = session.get(Contact, contact_id)
    return contact.handle.lstrip("@") if contact and contact.handle else None


def reply_language(text: str, ticket_language: str | None) -> str:
    """The language of an agent's reply, as ISO 639-1 (what Mastodon's `language` and Bluesky's `langs` take): as
    its text reads when the guess knows (`guess_language`: Dutch or English, from common words), else the
    ticket's (`language_code`)."""
    # imported here: the routing package imports `replies`, which imports this module
    from webcare.services.routing.text import guess_language, normalise

    return guess_language(normalise(text)) or language_code(ticket_language)


def language_code(language: str | None) -> str:
    """A stored language tag as ISO 639-1 (`en-GB` is `en`); Dutch when there is none (X's `und`). An automatic
    acknowledgement is written in the ticket's language (routing.acknowledgement_text), so it takes this of the
    ticket's language without a guess (that would cost every new ticket of an ingest batch)."""
    code = re.split(r"[-_]", (language or "").strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else "nl"
