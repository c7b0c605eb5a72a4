"""Meta webhook deliveries and Graph API objects to normalised messages (Facebook Page, Messenger, Instagram).

Thread keys (docs/PLATFORMS.md, docs/INGEST.md):
- a comment (or a citizen's post on the Page) belongs to the post it sits under, one thread per citizen:
  `post:<post_id>:<author id>` (Facebook), `media:<media_id>:<author id>` (Instagram). Nearly every
  post on a municipality's Page is its own announcement, so two citizens reacting to one announcement
  are two tickets, as on X, Mastodon and Bluesky;
- a Messenger or Instagram conversation belongs to the citizen: `dm:<PSID>` / `dm:<IGSID>`.
What is ignored: the Page's (account's) own posts, comments and messages (echoes), edits, removals,
hides and reactions, delivery and read receipts, postbacks. An edited comment keeps its first text.

Everything here is pure: a garbled delivery raises `BadDelivery` (a `PermanentError`), items of unknown
shape inside a well-formed delivery are skipped. A garbled Graph API page of the polling backfill (feed,
media, conversations) raises a `TransientError` (`garbled_answer`), as the other platforms' polling does.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.errors import PermanentError, garbled_answer

log = logging.getLogger(__name__)
FB_WEB = "https://www.facebook.com"
MAX_TEXT = 20_000
POST_ITEMS = frozenset({"post", "status", "photo", "video", "share"})
MENTION_NOTE = "(mentioned the municipality; open the post on {platform} to read it)"


class BadDelivery(PermanentError, ValueError):
    """The delivery body is not a Meta webhook notification (retrying will not change that)."""


def load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadDelivery("the webhook body is not JSON") from exc
    except RecursionError:  # nested deeper than the parser goes (not a ValueError: it was a 500)
        raise BadDelivery("the webhook body nests too deep to be a Meta notification") from None
    if not isinstance(data, dict) or not isinstance(data.get("entry", []), list):
        raise BadDelivery("the webhook body is not a Meta notification (no entry list)")
    return data


def parse_delivery(body: bytes, platform: str, account: str | None = None) -> list[InboundMessage]:
    """All citizens' messages in one delivery (deliveries are batched: many entries, changes, events).
    With `account` (the channel's Page or Instagram account id) only that account's entries count: Meta
    sends every Page of an app to the app's one callback URL, and another Page's entry is not ours."""
    data = load(body)
    expected = "page" if platform == "facebook" else "instagram"
    if data.get("object") != expected:
        return []
    messages: list[InboundMessage] = []
    for entry in data.get("entry") or []:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        own = str(entry["id"])
        if account and own != account:
            log.debug("%s webhook entry for account %s is not for channel account %s", platform, own, account)
            continue
        for change in dicts(entry.get("changes")):
            value = change.get("value")
            if isinstance(value, dict):
                messages += _change(platform, str(change.get("field") or ""), value, own)
        for event in dicts(entry.get("messaging")):
            try:
                found = messenger_event(event, own, platform)
            except (KeyError, TypeError, ValueError, AttributeError):
                found = None
            if found:
                messages.append(found)
    return messages


def _change(platform: str, field: str, value: dict[str, Any], own: str) -> list[InboundMessage]:
    try:
        if platform == "facebook" and field == "feed":
            found = feed_change(value, own)
        elif platform == "facebook" and field == "mention":
            found = fb_mention(value, own)
        elif platform == "instagram" and field in ("comments", "live_comments"):
            found = ig_comment(value, own, value.get("media") or {})
        elif platform == "instagram" and field == "mentions":
            found = ig_mention(value, own)
        else:
            found = None
    except (KeyError, TypeError, ValueError, AttributeError):
        found = None  # an item of a shape we do not know: skipped, the rest of the delivery counts
    return [found] if found else []


# -- Facebook Page -------------------------------------------------------------------------------
def feed_change(value: dict[str, Any], page_id: str) -> InboundMessage | None:
    """A `feed` change: a citizen's new comment, or a citizen's new post on the Page."""
    author = value.get("from") or {}
    if value.get("verb") != "add" or not author.get("id") or str(author["id"]) == page_id:
        return None
    if value.get("item") == "comment" and value.get("comment_id") and value.get("post_id"):
        return fb_comment(str(value["comment_id"]), str(value["post_id"]), author, value.get("message"),
                          value.get("created_time"), _str(value.get("parent_id")), page_id)
    if value.get("item") in POST_ITEMS and value.get("post_id"):
        return fb_post(str(value["post_id"]), author, value.get("message"), value.get("created_time"), page_id,
                       kind="mention")
    return None


def fb_mention(value: dict[str, Any], page_id: str) -> InboundMessage | None:
    """The Page was @mentioned in a post or comment (`mention` field)."""
    sender = {"id": value.get("sender_id"), "name": value.get("sender_name")}
    if value.get("verb", "add") != "add" or not sender["id"] or str(sender["id"]) == page_id:
        return None
    text = value.get("message") or MENTION_NOTE.format(platform="Facebook")
    if value.get("item") == "comment" and value.get("comment_id") and value.get("post_id"):
        found = fb_comment(str(value["comment_id"]), str(value["post_id"]), sender, text,
                           value.get("created_time"), _str(value.get("parent_id")), page_id)
    elif value.get("post_id"):
        found = fb_post(str(value["post_id"]), sender, text, value.get("created_time"), page_id, kind="mention")
    else:
        return None
    return replace(found, kind="mention")


def fb_comment(comment_id: str, post_id: str, author: dict, text: Any, created: Any, parent_id: str | None,
               page_id: str) -> InboundMessage:
    author_id, name = str(author["id"]), str(author.get("name") or author["id"])
    return InboundMessage(
        external_id=comment_id, thread_key=f"post:{post_id}:{author_id}", kind="comment", visibility="public",
        text=text_of(text), author_id=author_id, author_handle=name[:255], author_name=name[:255],
        in_reply_to=parent_id, url=fb_url(post_id, comment_id), created_at=parse_time(created),
        raw={"comment_id": comment_id, "post_id": post_id, "parent_id": parent_id, "from_id": author_id,
             "page_id": page_id, "created_at": _iso(parse_time(created))})


def fb_post(post_id: str, author: dict, text: Any, created: Any, page_id: str, *, kind: str) -> InboundMessage:
    author_id, name = str(author["id"]), str(author.get("name") or author["id"])
    return InboundMessage(
        external_id=post_id, thread_key=f"post:{post_id}:{author_id}", kind=kind, visibility="public",
        text=text_of(text), author_id=author_id, author_handle=name[:255], author_name=name[:255],
        url=fb_url(post_id, None), created_at=parse_time(created),
        raw={"post_id": post_id, "from_id": author_id, "page_id": page_id, "created_at": _iso(parse_time(created))})


def fb_url(post_id: str, comment_id: str | None) -> str:
    page, _, post = post_id.partition("_")
    url = f"{FB_WEB}/{page}/posts/{post}" if post else f"{FB_WEB}/{post_id}"
    return url + (f"?comment_id={comment_id.rpartition('_')[2]}" if comment_id else "")


# -- Messenger and Instagram Direct --------------------------------------------------------------
def messenger_event(event: dict[str, Any], own: str, platform: str) -> InboundMessage | None:
    """A `messaging` event: a citizen's message; echoes, receipts, reactions and postbacks are skipped."""
    message, sender = event.get("message"), event.get("sender") or {}
    if not isinstance(message, dict) or not isinstance(sender, dict) or not message.get("mid"):
        return None
    if message.get("is_echo") or message.get("is_deleted") or not sender.get("id") or str(sender["id"]) == own:
        return None
    text = text_of(message.get("text")) + _attachment_links(message.get("attachments"))
    if not text.strip():
        return None
    return direct_message(str(message["mid"]), str(sender["id"]), "", text.strip(), event.get("timestamp"), own,
                          platform, reply_to=_str((message.get("reply_to") or {}).get("mid")))


def direct_message(mid: str, sender_id: str, name: str, text: str, created: Any, own: str, platform: str,
                   reply_to: str | None = None) -> InboundMessage:
    when = parse_time(created)
    handle = ("@" + name if platform == "instagram" else name) if name else sender_id
    return InboundMessage(
        external_id=mid, thread_key=f"dm:{sender_id}", kind="dm", visibility="private", text=text[:MAX_TEXT],
        author_id=sender_id, author_handle=handle[:255], author_name=(name or "")[:255], in_reply_to=reply_to,
        created_at=when,
        raw={"mid": mid, "sender_id": sender_id, "account_id": own, "created_at": _iso(when)})


def _attachment_links(attachments: Any) -> str:
    urls = [str((a.get("payload") or {}).get("url")) for a in dicts(attachments)
            if isinstance(a.get("payload"), dict) and a["payload"].get("url")]
    return ("\n\n" + "\n".join(urls)) if urls else ""


# -- Instagram -----------------------------------------------------------------------------------
def ig_comment(value: dict[str, Any], own: str, media: dict[str, Any]) -> InboundMessage | None:
    """A comment on one of the account's media (webhook `comments` value, or a Graph comment object)."""
    author = value.get("from") or {}
    author_id = str(author.get("id") or "")
    media_id = str((media or {}).get("id") or value.get("media_id") or "")
    if not value.get("id") or not author_id or author_id == own or not media_id:
        return None
    username = str(author.get("username") or value.get("username") or author_id)
    created = parse_time(value.get("timestamp") or value.get("created_time"))
    comment_id, parent = str(value["id"]), _str(value.get("parent_id"))
    return InboundMessage(
        external_id=comment_id, thread_key=f"media:{media_id}:{author_id}", kind="comment", visibility="public",
        text=text_of(value.get("text")), author_id=author_id, author_handle="@" + username[:250],
        author_name=username[:255], author_url=f"https://www.instagram.com/{username}", in_reply_to=parent,
        url=_str(media.get("permalink")), created_at=created,
        raw={"comment_id": comment_id, "media_id": media_id, "parent_id": parent, "from_id": author_id,
             "username": username, "ig_user_id": own, "created_at": _iso(created)})


def ig_mention(value: dict[str, Any], own: str) -> InboundMessage | None:
    """An @mention of the account in a comment (`media_id` + `comment_id`) or a caption (`media_id`).
    The webhook carries no text or author: the ticket says so and links the post."""
    media_id, comment_id = _str(value.get("media_id")), _str(value.get("comment_id"))
    if not media_id:
        return None
    external = comment_id or media_id
    return InboundMessage(
        external_id=external, thread_key=f"media:{media_id}:mention:{external}", kind="mention",
        visibility="public", text=text_of(value.get("text")) or MENTION_NOTE.format(platform="Instagram"),
        author_id=f"mention:{external}", author_handle="Instagram", author_name="",
        raw={"media_id": media_id, "comment_id": comment_id, "ig_user_id": own, "mention": True})


# -- Graph API backfill pages (polling) -----------------------------------------------------------
@garbled_answer("page of the Facebook feed")
def feed_page(body: dict[str, Any], page_id: str, since: datetime) -> tuple[list[InboundMessage], int]:
    """Citizens' posts and comments newer than `since` in a `/{page}/feed` answer, and how many items it had."""
    found, read = [], 0
    for post in dicts(body.get("data")):
        read += 1
        author = post.get("from") or {}
        if author.get("id") and str(author["id"]) != page_id and _newer(post.get("created_time"), since):
            found.append(fb_post(str(post["id"]), author, post.get("message"), post.get("created_time"), page_id,
                                 kind="mention"))
        for comment in dicts((post.get("comments") or {}).get("data")):
            read += 1
            author = comment.get("from") or {}
            if not author.get("id") or str(author["id"]) == page_id or not _newer(comment.get("created_time"), since):
                continue
            parent = str((comment.get("parent") or {}).get("id") or post["id"])
            found.append(fb_comment(str(comment["id"]), str(post["id"]), author, comment.get("message"),
                                    comment.get("created_time"), parent, page_id))
    return [checked(m) for m in found], read


@garbled_answer("page of Instagram media")
def media_page(body: dict[str, Any], ig_user_id: str, since: datetime) -> tuple[list[InboundMessage], int]:
    """Citizens' comments and replies from `since` on in a `/{ig-user}/media` answer, and how many it had."""
    found, read = [], 0
    for media in dicts(body.get("data")):
        for comment in dicts((media.get("comments") or {}).get("data")):
            replies = dicts((comment.get("replies") or {}).get("data"))
            for item in [comment, *({**r, "parent_id": r.get("parent_id") or comment.get("id")} for r in replies)]:
                read += 1
                created = parse_time(item.get("timestamp"))
                message = ig_comment(item, ig_user_id, media) if not created or created >= since else None
                if message:
                    found.append(checked(message))
    return found, read


@garbled_answer("page of Meta conversations")
def conversations_page(body: dict[str, Any], own_id: str, platform: str,
                       since: datetime) -> tuple[list[InboundMessage], int]:
    """Citizens' messages from `since` on in a `/{node}/conversations` answer, and how many messages it had."""
    found, read = [], 0
    for conversation in dicts(body.get("data")):
        updated = parse_time(conversation.get("updated_time"))
        if updated is not None and updated < since:
            continue
        for message in dicts((conversation.get("messages") or {}).get("data")):
            read += 1
            sender, created = message.get("from") or {}, parse_time(message.get("created_time"))
            if not sender.get("id") or str(sender["id"]) == own_id or (created and created < since):
                continue
            text = (text_of(message.get("message")) + _graph_attachments(message)).strip()
            if text:
                name = str(sender.get("name") or sender.get("username") or "")
                found.append(checked(direct_message(str(message["id"]), str(sender["id"]), name, text,
                                                    message.get("created_time"), own_id, platform)))
    return found, read


def _graph_attachments(message: dict[str, Any]) -> str:
    urls = []
    for item in dicts((message.get("attachments") or {}).get("data")):
        url = item.get("file_url") or (item.get("image_data") or {}).get("url")
        if url:
            urls.append(str(url))
    return ("\n\n" + "\n".join(urls)) if urls else ""


def _newer(created: Any, since: datetime) -> bool:
    when = parse_time(created)
    return when is None or when >= since


# -- shared --------------------------------------------------------------------------------------
def parse_time(value: Any) -> datetime | None:
    """Epoch seconds (feed), epoch milliseconds (messaging) or ISO 8601 (`2026-11-21T09:14:02+0000`)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    try:
        if number is not None:
            return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
        text = str(value).replace("Z", "+00:00")
        if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
            text = text[:-2] + ":" + text[-2:]  # Graph's +0000
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def text_of(value: Any) -> str:
    return str(value)[:MAX_TEXT] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _str(value: Any) -> str | None:
    return None if value is None or value == "" or isinstance(value, (dict, list)) else str(value)


def dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
