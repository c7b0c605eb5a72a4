"""TikTok adapter (API for Business, Business Account API): comments on the account's videos in, comment replies out.

Fetching (docs/PLATFORMS.md):
- `GET /business/video/list/` for the latest `recent_videos` videos with their comment counts; only videos
  whose count changed since the last poll are read further (the quotas are per app and per day);
- `GET /business/comment/list/` per such video, `include_replies=true`, newest first, until the comments
  are older than the newest one seen on that video (ties are read again; ingest drops repeats).
The first poll reads only the last `backfill_hours` (72). Comments by the account itself (`owner`) are ours.
Thread: one ticket per citizen per video, `video:<video id>:<user id>`, kind `comment`.
Replying: `POST /business/comment/reply/create/` to the citizen's comment; TikTok replies sit under a
top-level comment, so an answer to a reply goes under its parent. No idempotency key: a repeated attempt
first looks in `GET /business/comment/reply/list/` for our reply with the same text.
Direct messages (Business Messaging API) are not available for accounts registered in the EEA,
Switzerland or the UK: private replies are impossible for a Dutch municipality.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from webcare.platforms.base import (
    AccountInfo,
    FetchResult,
    InboundMessage,
    PlatformAdapter,
    ReplyRequest,
    SentReply,
    checked,
)
from webcare.platforms.errors import PermanentError, garbled_answer
from webcare.platforms.tiktok_http import TikTokClient
from webcare.platforms.token_renewal import RenewsThroughClient

WEB = "https://www.tiktok.com"
DEFAULT_OPTIONS = {"timeout": 15.0, "recent_videos": 20, "page_size": 30, "max_pages": 5, "backfill_hours": 72}
VIDEO_FIELDS = json.dumps(["item_id", "create_time", "caption", "share_url", "comments"])
_SPACE = re.compile(r"\s+")


def N_(message: str) -> str:  # noqa: N802  (marks a text for the Dutch catalog; translated where it is shown)
    return message


NO_PRIVATE = N_("TikTok direct messages are not available to accounts registered in the EEA, Switzerland or "
                "the UK: answer with a public reply to the comment.")


class TikTokAdapter(RenewsThroughClient, PlatformAdapter):
    platform = "tiktok"
    idempotency_window = None  # no idempotency key: every repeated attempt looks first
    max_reply_length = 150  # TikTok's limit for a comment reply through the API
    public_replies = True
    private_replies = False
    private_reply_note = NO_PRIVATE

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.client = TikTokClient(base_url, credentials, self.options["timeout"])

    # -- account ----------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        data = self.client.get("/business/get/", {"business_id": self.client.business_id,
                                                  "fields": json.dumps(["username", "display_name"])})
        username = str(data.get("username") or self.client.business_id)
        return AccountInfo(id=self.client.business_id, handle="@" + username,
                           display_name=str(data.get("display_name") or ""), url=f"{WEB}/@{username}")

    # -- fetching ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        state = dict(cursor or {})
        if state.get("business_id") not in (None, self.client.business_id):
            state = {}  # another account: start afresh
        state["business_id"] = self.client.business_id
        first_mark = int(state.get("started_at") or datetime.now(UTC).timestamp() - self.options["backfill_hours"] * 3600)
        state.setdefault("started_at", first_mark)
        data = self.client.get("/business/video/list/", {"business_id": self.client.business_id, "fields": VIDEO_FIELDS,
                                                         "max_count": self.options["recent_videos"]})
        videos = video_list(data)
        counts, marks = dict(state.get("counts") or {}), dict(state.get("marks") or {})
        messages, fetched, new_counts, new_marks = [], 0, {}, {}
        for video_id, video in videos.items():
            mark = int(marks.get(video_id) or first_mark)
            new_counts[video_id], new_marks[video_id] = video.get("comments"), mark
            if counts.get(video_id) == video.get("comments") and video_id in marks:
                continue
            comments = self._new_comments(video_id, mark)
            fetched += len(comments)
            new_marks[video_id] = max([mark] + [comment_time(c) for c in comments])
            messages += parse_comments(comments, video, self.client.business_id)
        state["counts"], state["marks"] = new_counts, new_marks
        messages.sort(key=lambda m: (m.created_at or datetime.now(UTC), m.external_id))
        return FetchResult(messages=messages, cursor=state, fetched=fetched + len(videos))

    def _new_comments(self, video_id: str, mark: int) -> list[dict]:
        """The video's comments and replies from `mark` on (newest first, TikTok's cursor paging)."""
        found, page_cursor = [], 0
        for _ in range(int(self.options["max_pages"])):
            data = self.client.get("/business/comment/list/", {
                "business_id": self.client.business_id, "video_id": video_id, "include_replies": "true",
                "sort_field": "create_time", "sort_order": "desc", "max_count": self.options["page_size"],
                "cursor": page_cursor})
            page = comment_list(data)
            fresh = [c for c in page if comment_time(c) >= mark]
            found += fresh
            page_cursor = data.get("cursor") or 0
            if len(fresh) < len(page) or not data.get("has_more"):
                break
        return found

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        if request.visibility == "private":
            raise PermanentError(NO_PRIVATE)
        video_id, comment_id = self._target(request)
        data = self.client.post("/business/comment/reply/create/", {
            "business_id": self.client.business_id, "video_id": video_id, "comment_id": comment_id,
            "text": request.text.strip()})
        return _sent(data, video_id, comment_id)

    def _target(self, request: ReplyRequest) -> tuple[str, str]:
        context = request.context or {}
        video_id = context.get("video_id") or _thread_video(request.thread_key)
        comment_id = context.get("parent_comment_id") or context.get("comment_id") or request.in_reply_to
        if not video_id or not comment_id:
            raise PermanentError("this reply has no TikTok comment to answer")
        return str(video_id), str(comment_id)

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        video_id, comment_id = self._target(request)
        data = self.client.get("/business/comment/reply/list/", {
            "business_id": self.client.business_id, "video_id": video_id, "comment_id": comment_id,
            "sort_field": "create_time", "sort_order": "desc", "max_count": 30})
        wanted = _SPACE.sub(" ", request.text).strip()
        for reply in data.get("comments") or []:
            if _ours(reply, self.client.business_id) and _SPACE.sub(" ", reply.get("text") or "").strip() == wanted:
                return _sent(reply, video_id, comment_id)
        return None


@garbled_answer("TikTok video list")
def video_list(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The videos of a `/business/video/list/` answer by id."""
    return {str(video["item_id"]): video for video in data.get("videos") or []}


@garbled_answer("TikTok comment list")
def comment_list(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The comments of a `/business/comment/list/` answer (objects with a readable `create_time`)."""
    page = list(data.get("comments") or [])
    for comment in page:
        comment_time(comment)
    return page


def comment_time(comment: dict[str, Any]) -> int:
    return int(comment.get("create_time") or 0)


@garbled_answer("TikTok comments")
def parse_comments(comments: list[dict[str, Any]], video: dict[str, Any], business_id: str) -> list[InboundMessage]:
    """The citizens' comments (not the account's own) on `video`, ready for ingest."""
    return [checked(normalise(c, video)) for c in comments if not _ours(c, business_id)]


def normalise(comment: dict[str, Any], video: dict[str, Any]) -> InboundMessage:
    video_id, user_id = str(video["item_id"]), str(comment.get("user_id") or comment.get("username") or "unknown")
    username = str(comment.get("username") or user_id)
    parent = comment.get("parent_comment_id")
    parent = str(parent) if parent and str(parent) not in ("0", str(comment.get("comment_id"))) else None
    return InboundMessage(
        external_id=str(comment["comment_id"]), thread_key=f"video:{video_id}:{user_id}", kind="comment",
        visibility="public", text=str(comment.get("text") or ""), author_id=user_id, author_handle="@" + username,
        author_name=str(comment.get("display_name") or username)[:255], author_url=f"{WEB}/@{username}",
        in_reply_to=parent, url=video.get("share_url") or None, created_at=_time(comment.get("create_time")),
        raw={"comment_id": str(comment["comment_id"]), "video_id": video_id, "parent_comment_id": parent,
             "user_id": user_id, "username": username},
    )


def _ours(comment: dict[str, Any], business_id: str) -> bool:
    return bool(comment.get("owner")) or str(comment.get("user_id") or "") == business_id


def _sent(data: dict[str, Any], video_id: str, comment_id: str) -> SentReply:
    return SentReply(external_id=str(data["comment_id"]), url=None,
                     created_at=_time(data.get("create_time")) or datetime.now(UTC),
                     raw={"comment_id": str(data["comment_id"]), "video_id": video_id, "in_reply_to": comment_id})


def _thread_video(thread_key: str | None) -> str | None:
    parts = (thread_key or "").split(":")
    return parts[1] if len(parts) >= 2 and parts[0] == "video" else None


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if str(value or "").isdigit() else None
