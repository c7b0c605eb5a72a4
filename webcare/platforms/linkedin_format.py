"""LinkedIn comments, posts and notifications to normalised messages: text, author, kind and thread key.

Thread keys (docs/PLATFORMS.md): a citizen's comments under one post are one thread per citizen,
`post:<post urn>|<author urn>` (two citizens reacting to one announcement are two tickets, as on X and
Bluesky); a post that mentions the organisation is its own thread, `post:<post urn>`. URNs contain
colons, hence the `|`. The message's external id is the comment URN
(`urn:li:comment:(urn:li:activity:<id>,<comment id>)`) or the post URN.

The `parse_*` functions are what the adapter calls: a payload of the wrong shape raises a `TransientError`
(`garbled_answer`), a message ingest could not store never leaves them.

LinkedIn gives a Page app the author's URN, not their name (that needs member-data permissions a Page
app does not get): the handle is the URN's id, the name stays empty.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.errors import garbled_answer

WEB = "https://www.linkedin.com"
MAX_TEXT = 20_000
_COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[a-zA-Z]+:[^,]+),([^)]+)\)$")
_MENTION_MARKUP = re.compile(r"@\[([^\]]*)\]\((urn:li:[^)]+)\)")
_SPACE = re.compile(r"\s+")


def split_comment_urn(value: str | None) -> tuple[str, str] | None:
    """`urn:li:comment:(urn:li:activity:1,2)` -> ("urn:li:activity:1", "2")."""
    match = _COMMENT_URN.match(str(value or ""))
    return (match.group(1), match.group(2)) if match else None


def comment_urn(comment: dict[str, Any]) -> str:
    found = comment.get("commentUrn") or comment.get("$URN")
    if found:
        return str(found)
    return f"urn:li:comment:({comment.get('object')},{comment.get('id')})"


def comment_key(comment: dict[str, Any]) -> str:
    """The comment's own id (the second part of its URN)."""
    return str(comment.get("id") or (split_comment_urn(comment_urn(comment)) or ("", ""))[1])


def reply_count(comment: dict[str, Any]) -> int:
    summary = comment.get("commentsSummary") or {}
    return int(summary.get("totalFirstLevelComments") or summary.get("aggregatedTotalComments") or 0)


def parse_ms(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value) / 1000, UTC) if str(value or "").isdigit() else None


def created_ms(item: dict[str, Any]) -> int:
    created = item.get("created") or {}
    return int(created.get("time") or item.get("publishedAt") or item.get("createdAt") or 0)


def post_text(commentary: str) -> str:
    """A post's `commentary` with LinkedIn's mention markup `@[Name](urn:li:...)` written as `@Name`."""
    return _MENTION_MARKUP.sub(lambda m: "@" + m.group(1), commentary or "")[:MAX_TEXT]


def same_text(ours: str, theirs: str) -> bool:
    wanted = _SPACE.sub(" ", ours).strip()
    return bool(wanted) and wanted == _SPACE.sub(" ", theirs or "").strip()


def post_url(post_urn: str) -> str:
    return f"{WEB}/feed/update/{post_urn}/"


def thread_post(thread_key: str | None) -> str | None:
    """The post URN of a thread key (`post:<urn>` or `post:<urn>|<author>`)."""
    if not (thread_key or "").startswith("post:"):
        return None
    return thread_key[5:].split("|", 1)[0] or None


def _handle(actor: str) -> str:
    return actor.rsplit(":", 1)[-1] if actor else "unknown"


def normalise_comment(comment: dict[str, Any], post_urn: str, kind: str) -> InboundMessage:
    """A citizen's comment (on our post: `comment`; elsewhere, mentioning us: `mention`)."""
    actor = str(comment.get("actor") or (comment.get("created") or {}).get("actor") or "")
    urn_ = comment_urn(comment)
    parent = comment.get("parentComment")
    return InboundMessage(
        external_id=urn_, thread_key=f"post:{post_urn}|{actor}", kind=kind, visibility="public",
        text=str((comment.get("message") or {}).get("text") or "")[:MAX_TEXT], author_id=actor,
        author_handle=_handle(actor), author_name="", author_url=None, in_reply_to=str(parent) if parent else None,
        url=f"{post_url(post_urn)}?commentUrn={urn_}", created_at=parse_ms(created_ms(comment)),
        raw={"comment_urn": urn_, "comment_id": comment_key(comment), "post_urn": post_urn,
             "parent_comment": str(parent) if parent else None, "actor": actor},
    )


def normalise_post(post: dict[str, Any]) -> InboundMessage:
    """A member's post that mentions the organisation."""
    actor = str(post.get("author") or "")
    post_urn = str(post["id"])
    return InboundMessage(
        external_id=post_urn, thread_key=f"post:{post_urn}", kind="mention", visibility="public",
        text=post_text(str(post.get("commentary") or "")), author_id=actor, author_handle=_handle(actor),
        author_name="", url=post_url(post_urn), created_at=parse_ms(created_ms(post)),
        raw={"post_urn": post_urn, "actor": actor},
    )


@garbled_answer("LinkedIn notifications")
def wanted_from_notes(notes: list[dict[str, Any]]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """From notifications: {post urn: {comment id: kind}} of the comments to read, and the mentioning posts."""
    wanted: dict[str, dict[str, str]] = {}
    mentioned: list[str] = []
    for note in notes:
        action, post = note.get("action"), str(note.get("sourcePost") or "")
        generated = split_comment_urn(note.get("generatedActivity"))
        if action == "SHARE_MENTION" and (note.get("generatedActivity") or post):
            mentioned.append(str(note.get("generatedActivity") or post))
        elif action in ("COMMENT", "COMMENT_MENTION") and post and generated:
            kind = "comment" if action == "COMMENT" else "mention"
            wanted.setdefault(post, {}).setdefault(generated[1], kind)
    return wanted, list(dict.fromkeys(mentioned))


@garbled_answer("LinkedIn comment")
def parse_comment(comment: dict[str, Any], post_urn: str, kind: str) -> InboundMessage:
    return checked(normalise_comment(comment, post_urn, kind))


@garbled_answer("LinkedIn post")
def parse_post(post: dict[str, Any]) -> InboundMessage:
    return checked(normalise_post(post))


@garbled_answer("LinkedIn comments")
def parse_wanted_comments(found: list[dict[str, Any]], post_urn: str, ids: dict[str, str]) -> list[InboundMessage]:
    """The wanted comments (`ids`: comment id -> kind) among the comments and replies `found` on a post."""
    by_key = {comment_key(c): c for c in found}
    return [parse_comment(by_key[i], post_urn, kind) for i, kind in ids.items() if i in by_key]


@garbled_answer("LinkedIn comments")
def parse_new_comments(comments: list[dict[str, Any]], post_urn: str, since_ms: int) -> list[InboundMessage]:
    """The comments (or replies) created after `since_ms`, as `comment`s on the post."""
    return [parse_comment(c, post_urn, "comment") for c in comments if created_ms(c) > since_ms]
