"""X API v2 posts and DM events to normalised messages: text, author, kind and thread key.

Thread keys (docs/PLATFORMS.md, docs/INGEST.md):
- a public post belongs to its conversation: `conversation:<conversation_id>` (the id of the thread's
  root post). A citizen replying under one of *our* posts (an announcement) gets a thread of their own,
  `conversation:<root>:<author id>` with kind `comment`, so two citizens reacting to one announcement
  are two tickets (as on Mastodon);
- a DM belongs to its DM conversation: `dm:<dm_conversation_id>` (1:1 ids are `<small id>-<large id>`).

X renamed "tweet" to "post" in its generated OpenAPI document (2.167: `post.fields`, `includes.posts`,
`referenced_posts`); the live API and its docs still use the tweet names. Both are read here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.errors import garbled_answer

WEB = "https://x.com"
MAX_TEXT = 20_000
TWEET_FIELDS = ("author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets,entities,lang,"
                "attachments,note_tweet")
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id,attachments.media_keys"
USER_FIELDS = "username,name,receives_your_dm"
MEDIA_FIELDS = "url,preview_image_url,type"
DM_EVENT_FIELDS = "id,text,event_type,created_at,dm_conversation_id,sender_id,referenced_tweets,attachments"
_SPACE = re.compile(r"\s+")


class Includes:
    """The `includes` of an answer, indexed: users and referenced posts by id, media by key."""

    def __init__(self, includes: dict[str, Any] | None = None):
        self.users: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.add(includes or {})

    @garbled_answer("includes of an X answer")
    def add(self, includes: dict[str, Any]) -> None:
        self.users.update({str(u["id"]): u for u in includes.get("users") or [] if u.get("id")})
        posts = (includes.get("tweets") or []) + (includes.get("posts") or [])
        self.posts.update({str(p["id"]): p for p in posts if p.get("id")})
        self.media.update({str(m["media_key"]): m for m in includes.get("media") or [] if m.get("media_key")})


def referenced(post: dict[str, Any]) -> list[dict[str, Any]]:
    return list(post.get("referenced_tweets") or post.get("referenced_posts") or [])


def replied_to(post: dict[str, Any]) -> str | None:
    return next((str(r["id"]) for r in referenced(post) if r.get("type") == "replied_to"), None)


def is_retweet(post: dict[str, Any]) -> bool:
    return any(r.get("type") == "retweeted" for r in referenced(post))


def edit_of_seen(post: dict[str, Any], since_id: str | None) -> bool:
    """Is `post` an edited version of a post we read before? X gives every edit a new id and the chain in
    `edit_history_tweet_ids` (oldest first); an original at or before `since_id` was read by an earlier
    poll, and an edited post keeps the text it was received with. An original we never saw (edited before
    we read it) is not: timelines return only the newest version."""
    chain = post.get("edit_history_tweet_ids") or post.get("edit_history_post_ids") or []
    return bool(since_id) and len(chain) > 1 and id_key(str(chain[0])) <= id_key(since_id)


def id_key(value: str | None) -> int:
    """X ids are snowflakes: numbers that grow with time (sent as strings)."""
    return int(value) if value and str(value).isdigit() else 0


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def post_text(post: dict[str, Any], includes: Includes) -> str:
    """The full text (a long post's `note_tweet`), t.co links written out, media as links at the end."""
    note = post.get("note_tweet") or {}
    text = str(note.get("text") or post.get("text") or "")
    entities = note.get("entities") or post.get("entities") or {}
    for link in entities.get("urls") or []:
        if link.get("url") and link.get("expanded_url"):
            text = text.replace(link["url"], link["expanded_url"])
    keys = (post.get("attachments") or {}).get("media_keys") or []
    media = [includes.media.get(str(k), {}) for k in keys]
    urls = [m.get("url") or m.get("preview_image_url") for m in media]
    urls = [u for u in urls if u and u not in text]
    if urls:
        text = text + "\n\n" + "\n".join(urls)
    return text[:MAX_TEXT]


def same_text(ours: str, theirs: str) -> bool:
    """Is `ours` (what we sent) the text of `theirs` (what X shows, perhaps with @mentions before it)?"""
    wanted = _SPACE.sub(" ", ours).strip()
    return bool(wanted) and wanted in _SPACE.sub(" ", theirs or "")


def mentions_user(post: dict[str, Any], user_id: str, username: str | None) -> bool:
    for mention in (post.get("entities") or {}).get("mentions") or []:
        if str(mention.get("id") or "") == user_id:
            return True
        if username and str(mention.get("username") or "").lower() == username.lower():
            return True
    return False


def public_thread(post: dict[str, Any], own_id: str, root_author: str | None) -> tuple[str, str]:
    """(thread key, kind) of a public post; `root_author` is the author of its conversation's root."""
    post_id = str(post["id"])
    conversation = str(post.get("conversation_id") or post_id)
    if conversation != post_id and root_author == own_id:
        return f"conversation:{conversation}:{post['author_id']}", "comment"
    return f"conversation:{conversation}", "mention"


def normalise_post(post: dict[str, Any], includes: Includes, thread: tuple[str, str], own: dict) -> InboundMessage:
    """A citizen's post that mentions us (or answers one of our posts) as an `InboundMessage`."""
    author = includes.users.get(str(post.get("author_id")), {})
    username = str(author.get("username") or post.get("author_id"))
    thread_key, kind = thread
    return InboundMessage(
        external_id=str(post["id"]), thread_key=thread_key, kind=kind, visibility="public",
        text=post_text(post, includes), author_id=str(post["author_id"]), author_handle="@" + username,
        author_name=str(author.get("name") or username)[:255], author_url=f"{WEB}/{username}",
        in_reply_to=replied_to(post), url=f"{WEB}/{username}/status/{post['id']}", language=post.get("lang") or None,
        created_at=parse_time(post.get("created_at")),
        raw={"post_id": str(post["id"]), "author_id": str(post["author_id"]), "username": username,
             "conversation_id": str(post.get("conversation_id") or post["id"]),
             "in_reply_to_user_id": _str_or_none(post.get("in_reply_to_user_id")),
             "referenced": [{"type": r.get("type"), "id": str(r.get("id"))} for r in referenced(post)],
             "summoned": mentions_user(post, own["id"], own.get("username")) or _quotes_us(post, includes, own["id"]),
             "receives_your_dm": author.get("receives_your_dm")},
    )


def normalise_dm(event: dict[str, Any], includes: Includes) -> InboundMessage:
    sender = includes.users.get(str(event.get("sender_id")), {})
    username = str(sender.get("username") or event.get("sender_id"))
    conversation = str(event.get("dm_conversation_id") or "")
    return InboundMessage(
        external_id=str(event["id"]), thread_key=f"dm:{conversation}", kind="dm", visibility="private",
        text=post_text(event, includes), author_id=str(event["sender_id"]), author_handle="@" + username,
        author_name=str(sender.get("name") or username)[:255], author_url=f"{WEB}/{username}",
        created_at=parse_time(event.get("created_at")),
        raw={"dm_event_id": str(event["id"]), "dm_conversation_id": conversation,
             "sender_id": str(event["sender_id"]), "username": username, "receives_your_dm": True},
    )


@garbled_answer("X post")
def parse_post(post: dict[str, Any], includes: Includes, own: dict[str, Any],
               root_authors: dict[str, str]) -> InboundMessage | None:
    """A citizen's post as an `InboundMessage`; None for our own posts and reposts. `own` is
    {"id", "username"} of our account, `root_authors` the author of each conversation's root post."""
    if str(post.get("author_id")) == own["id"] or is_retweet(post):
        return None
    thread = public_thread(post, own["id"], root_authors.get(str(post.get("conversation_id"))))
    return checked(normalise_post(post, includes, thread, own))


@garbled_answer("X direct message event")
def parse_dm(event: dict[str, Any], includes: Includes, own_id: str) -> InboundMessage | None:
    """A citizen's direct message as an `InboundMessage`; None for ours and for other event types."""
    if event.get("event_type", "MessageCreate") != "MessageCreate" or str(event.get("sender_id")) == own_id:
        return None
    return checked(normalise_dm(event, includes))


def dm_participant(conversation_id: str, own_id: str) -> str | None:
    """The other person of a 1:1 DM conversation id `<small id>-<large id>`."""
    parts = [p for p in conversation_id.split("-") if p and p != own_id]
    return parts[0] if len(parts) == 1 else None


def _quotes_us(post: dict[str, Any], includes: Includes, own_id: str) -> bool:
    return any(r.get("type") == "quoted" and str(includes.posts.get(str(r.get("id")), {}).get("author_id")) == own_id
               for r in referenced(post))


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
