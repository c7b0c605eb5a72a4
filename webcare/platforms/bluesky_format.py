"""Bluesky (AT Protocol) notifications and chat messages to normalised messages; record keys and facets.

Thread keys (docs/PLATFORMS.md):
- a post belongs to the thread of its root post: `post:<root at-uri>`. A citizen replying under one of
  *our* posts (an announcement) gets a thread of their own, `post:<root>:<author did>`, kind `comment`;
- a chat message belongs to its conversation: `convo:<convoId>`.

Replies are created with a record key (TID) derived from the reply's idempotency key and the time it
was written, so a repeated attempt addresses the same record and can never create a second post.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.errors import garbled_answer

WEB = "https://bsky.app"
POST_COLLECTION = "app.bsky.feed.post"
MAX_TEXT = 20_000
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable


def tid_for(idempotency_key: str, written_at: datetime | None) -> str:
    """A TID record key: 53 bits of microseconds since the epoch, 10 bits of "clock id" from the key."""
    moment = written_at or datetime.now(UTC)
    micros = int(moment.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def did_of(uri: str) -> str:
    """`at://did:plc:abc/app.bsky.feed.post/3k...` -> `did:plc:abc`."""
    return uri.removeprefix("at://").split("/", 1)[0]


def post_url(handle: str, uri: str) -> str:
    return f"{WEB}/profile/{handle}/post/{rkey_of(uri)}"


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def record_text(record: dict[str, Any]) -> str:
    """The text with every link facet written out in full (the app shortens the visible link text),
    and an external link card or images noted at the end."""
    text = str(record.get("text") or "")
    data = text.encode("utf-8")
    links = []
    for facet in record.get("facets") or []:
        uri = next((f.get("uri") for f in facet.get("features") or [] if str(f.get("$type", "")).endswith("#link")), None)
        index = facet.get("index") or {}
        if uri and "byteStart" in index and "byteEnd" in index:
            links.append((int(index["byteStart"]), int(index["byteEnd"]), uri))
    for start, end, uri in sorted(links, reverse=True):
        data = data[:start] + uri.encode("utf-8") + data[end:]
    text = data.decode("utf-8", errors="replace")
    external = ((record.get("embed") or {}).get("external") or {}).get("uri")
    if external and external not in text:
        text += "\n\n" + external
    return text[:MAX_TEXT]


def strong_ref(value: dict[str, Any] | None) -> dict[str, str] | None:
    return {"uri": str(value["uri"]), "cid": str(value["cid"])} if value and value.get("uri") else None


def post_thread(uri: str, record: dict[str, Any], own_did: str) -> tuple[str, str]:
    """(thread key, kind): the root post's thread; replies under our own root post get one per author."""
    root = (strong_ref((record.get("reply") or {}).get("root")) or {}).get("uri") or uri
    if root != uri and did_of(root) == own_did:
        return f"post:{root}:{did_of(uri)}", "comment"
    return f"post:{root}", "mention"


def normalise_notification(item: dict[str, Any], own_did: str) -> InboundMessage:
    """A `mention`, `reply` or `quote` notification (a dict in the lexicon's camelCase) as an InboundMessage."""
    record, author, uri = item.get("record") or {}, item.get("author") or {}, str(item["uri"])
    thread_key, kind = post_thread(uri, record, own_did)
    handle = str(author.get("handle") or author.get("did"))
    parent = strong_ref((record.get("reply") or {}).get("parent"))
    root = strong_ref((record.get("reply") or {}).get("root")) or {"uri": uri, "cid": str(item["cid"])}
    chat = ((author.get("associated") or {}).get("chat") or {})
    return InboundMessage(
        external_id=uri, thread_key=thread_key, kind=kind, visibility="public", text=record_text(record),
        author_id=str(author["did"]), author_handle="@" + handle,
        author_name=str(author.get("displayName") or handle)[:255], author_url=f"{WEB}/profile/{handle}",
        in_reply_to=parent["uri"] if parent else None, url=post_url(handle, uri),
        language=(record.get("langs") or [None])[0], created_at=parse_time(record.get("createdAt") or item.get("indexedAt")),
        raw={"uri": uri, "cid": str(item["cid"]), "reason": item.get("reason"), "author_did": str(author["did"]),
             "handle": handle, "root": root, "parent": {"uri": uri, "cid": str(item["cid"])},
             "allow_incoming": chat.get("allowIncoming"),
             "followed_by": bool((author.get("viewer") or {}).get("followedBy"))},
    )


@garbled_answer("Bluesky notification")
def parse_notification(item: dict[str, Any], own_did: str, reasons: list[str] | tuple[str, ...]) -> InboundMessage | None:
    """A citizen's mention, reply or quote (`reasons`) as an `InboundMessage`; None for anything else."""
    if item.get("reason") not in reasons or (item.get("author") or {}).get("did") == own_did:
        return None
    return checked(normalise_notification(item, own_did))


@garbled_answer("Bluesky chat message")
def parse_chat(message: dict[str, Any], convo_id: str, member: dict[str, Any]) -> InboundMessage:
    """A chat message (see `normalise_chat`); a payload of the wrong shape raises `TransientError`."""
    return checked(normalise_chat(message, convo_id, member))


def normalise_chat(message: dict[str, Any], convo_id: str, member: dict[str, Any]) -> InboundMessage:
    """A chat message (messageView) from `member` (a profileViewBasic of the sender)."""
    handle = str(member.get("handle") or message["sender"]["did"])
    return InboundMessage(
        external_id=str(message["id"]), thread_key=f"convo:{convo_id}", kind="dm", visibility="private",
        text=record_text(message), author_id=str(message["sender"]["did"]), author_handle="@" + handle,
        author_name=str(member.get("displayName") or handle)[:255], author_url=f"{WEB}/profile/{handle}",
        created_at=parse_time(message.get("sentAt")),
        raw={"convo_id": convo_id, "message_id": str(message["id"]), "author_did": str(message["sender"]["did"]),
             "handle": handle, "allow_incoming": "all"},
    )


def with_mention(text: str, handle: str | None, did: str | None, limit: int) -> tuple[str, list[dict]]:
    """The reply text starting with `@handle` and its mention facet (byte offsets), if it still fits."""
    text = text.strip()
    if not handle or not did:
        return text, []
    mention = "@" + handle
    if not text.lower().startswith(mention.lower()):
        if len(text) + len(mention) + 1 > limit:
            return text, []  # a reply notifies its parent's author anyway; the text comes first
        text = f"{mention} {text}"
    facet = {"index": {"byteStart": 0, "byteEnd": len(mention.encode("utf-8"))},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]}
    return text, [facet]


def can_chat(context: dict[str, Any]) -> bool:
    """Whether the citizen's chat setting (`allowIncoming`) lets us start a chat: `all`, or `following`
    when they follow us. Accounts without a declaration behave as `following` (the app's default)."""
    allowed = context.get("allow_incoming") or "following"
    return allowed == "all" or (allowed == "following" and bool(context.get("followed_by")))
