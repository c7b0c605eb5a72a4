"""Mastodon statuses to normalised messages: text, author, kind and thread key.

Thread keys (see docs/INGEST.md):
- a DM (`visibility=direct`) belongs to the private conversation with its participants:
  `dm:<sorted account ids other than ours>`; Mastodon's own conversation id is not stable on every
  server and two DMs of one citizen are one conversation for a municipality; but a DM in reply within
  the thread of the writer's own post that is no DM (an answer to our private reply there) belongs to that
  thread;
- a public (or followers-only) post belongs to the thread rooted at the first post in its reply chain that
  is not ours:
  `status:<id>`. A citizen replying under one of our own posts gets their own thread (kind `comment`),
  so two citizens reacting to one announcement are two tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.errors import garbled_answer
from webcare.platforms.html import html_to_text

MAX_TEXT = 20_000
# Posts only their audience sees: a DM, and a followers-only post (`private`), which is still a thread of
# statuses, not a conversation. Both are answered privately (a direct status with the @mention), so a reply
# never shows a citizen's words, or that they wrote to the municipality, to more people than they chose.
# An `unlisted` post is public (anyone can open it), only left out of the public timelines: its answer is
# `unlisted` too, as Mastodon's own apps do, so the reply does not put the conversation on those timelines.
PRIVATE_VISIBILITIES = ("direct", "private")


def reply_visibility(visibility: str, answered: dict[str, Any]) -> str:
    """The status visibility of our reply: `direct` for a private one; for a public one, `unlisted` when the
    post we answer (`answered`: its raw payload) was unlisted, else `public`."""
    if visibility == "private":
        return "direct"
    return "unlisted" if answered.get("visibility") == "unlisted" else "public"


def qualified_acct(account: dict[str, Any], default_host: str) -> str:
    """`user@domain` for remote and local accounts alike (local ones get the server's host)."""
    acct = str(account.get("acct") or account.get("username") or "")
    if "@" in acct:
        return acct.lower()
    host = urlparse(str(account.get("url") or "")).hostname or default_host
    return f"{acct}@{host}".lower()


def status_text(status: dict[str, Any]) -> str:
    """The post as plain text: content warning first, links kept, a poll's options as a list (they are not
    in the content), media as links at the end, after its description (alt text) when it has one."""
    text = html_to_text(status.get("content"))
    spoiler = (status.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"CW: {spoiler}\n\n{text}"
    options = [str(o.get("title") or "").strip() for o in (status.get("poll") or {}).get("options") or []]
    if any(options):
        text = text + "\n\n" + "\n".join(f"- {option}" for option in options if option)
    media = [(m.get("url") or m.get("remote_url"), (m.get("description") or "").strip())
             for m in status.get("media_attachments") or []]
    media = [f"{about} ({url})" if about else url for url, about in media if url]  # as html_to_text writes a link
    if media:
        text = text + "\n\n" + "\n".join(media)
    return text[:MAX_TEXT]


def created_at(status: dict[str, Any]) -> datetime | None:
    value = status.get("created_at")
    if not value:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def dm_thread_key(status: dict[str, Any], own_id: str) -> str:
    participants = {str(status["account"]["id"])}
    participants |= {str(m.get("id")) for m in status.get("mentions") or [] if m.get("id") is not None}
    participants.discard(own_id)
    return "dm:" + ",".join(sorted(participants))


def direct_thread(status: dict[str, Any], own_id: str,
                  ancestors_of: Callable[[str], list[dict[str, Any]]]) -> tuple[str, str]:
    """(thread key, kind) of a DM: its private conversation, unless it answers within the thread of the same
    citizen's post that is no DM (our private answer to a public post, our direct acknowledgement of a
    followers-only one): then it belongs to that post's ticket, as their public replies do. A DM within
    another citizen's thread stays in the writer's private conversation."""
    if status.get("in_reply_to_id"):
        ancestors = ancestors_of(str(status["id"]))
        root = next((a for a in ancestors if str(a["account"]["id"]) != own_id), None)
        if root and root.get("visibility") != "direct" and str(root["account"]["id"]) == str(status["account"]["id"]):
            return f"status:{root['id']}", "dm"
    return dm_thread_key(status, own_id), "dm"


def public_thread(status: dict[str, Any], ancestors: list[dict[str, Any]], own_id: str) -> tuple[str, str]:
    """(thread key, kind) of a public post given its ancestors, oldest first."""
    if not ancestors:
        return f"status:{status['id']}", "mention"
    kind = "comment" if str(ancestors[0]["account"]["id"]) == own_id else "mention"
    root = next((a for a in ancestors if str(a["account"]["id"]) != own_id), status)
    return f"status:{root['id']}", kind


def normalise(notification: dict[str, Any], thread: tuple[str, str], default_host: str,
              own_id: str = "") -> InboundMessage:
    """A mention notification as an `InboundMessage`; `thread` is (thread key, kind). The raw payload keeps what
    a reply to the status copies, as Mastodon's apps do: the other accounts it mentions (`cc`: their `acct`s, not
    ours nor the author's; in a DM its other participants), whom a reply mentions too, and its content warning
    (`spoiler_text`), which a reply repeats. Both only when there are any."""
    status = notification["status"]
    account = status["account"]
    direct = status.get("visibility") == "direct"
    others = [str(m["acct"]) for m in status.get("mentions") or []
              if m.get("acct") and str(m.get("id")) not in (own_id, str(account["id"]))]
    spoiler = str(status.get("spoiler_text") or "").strip()
    thread_key, kind = thread
    address = qualified_acct(account, default_host)
    return InboundMessage(
        external_id=str(status["id"]),
        thread_key=thread_key,
        kind="dm" if direct else kind,
        visibility="private" if status.get("visibility") in PRIVATE_VISIBILITIES else "public",
        text=status_text(status),
        author_id=address,
        author_handle="@" + address,
        author_name=str(account.get("display_name") or account.get("username") or "")[:255],
        author_url=account.get("url"),
        in_reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        url=status.get("url") or status.get("uri"),
        language=(status.get("language") or None),
        created_at=created_at(status),
        raw={
            "notification_id": str(notification["id"]),
            "status_id": str(status["id"]),
            "visibility": status.get("visibility"),
            "account_id": str(account["id"]),
            "acct": str(account.get("acct") or ""),
            "in_reply_to_account_id": _str_or_none(status.get("in_reply_to_account_id")),
            "filtered": bool(notification.get("filtered")),
            **({"cc": others} if others else {}),
            **({"spoiler_text": spoiler} if spoiler else {}),
        },
    )


@garbled_answer("Mastodon notification")
def parse_notification(notification: dict[str, Any], own_id: str, default_host: str,
                       ancestors_of: Callable[[str], list[dict[str, Any]]]) -> InboundMessage | None:
    """A citizen's mention or DM as an `InboundMessage`, None for anything else (our own posts, boosts,
    other notification types); `ancestors_of(status id)` reads a reply's thread (oldest first).
    A payload of the wrong shape raises `TransientError`."""
    if not is_citizen_mention(notification, own_id):
        return None
    status = notification["status"]
    if status.get("visibility") == "direct":
        thread = direct_thread(status, own_id, ancestors_of)
    elif status.get("in_reply_to_id"):
        thread = public_thread(status, ancestors_of(str(status["id"])), own_id)
    else:
        thread = public_thread(status, [], own_id)
    return checked(normalise(notification, thread, default_host, own_id))


def is_citizen_mention(notification: dict[str, Any], own_id: str) -> bool:
    status = notification.get("status")
    if notification.get("type") != "mention" or not status or status.get("reblog"):
        return False
    return str(status["account"]["id"]) != own_id


def id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are opaque strings that sort by length, then lexically."""
    return len(value), value


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
