"""Facebook Page + Messenger adapter (Graph API): comments, posts on the Page, @mentions and Messenger
conversations in (webhooks first, polling as backfill), public comment replies and Messenger messages out.

Webhooks (`meta_webhooks`) bring everything as it happens. `fetch(cursor)` is the backfill for a
channel that was down (or whose webhook subscription broke): it reads the newest `max_posts` posts of the
Page's feed with their newest `max_comments` comments, and the newest `max_conversations` Messenger
conversations, keeping what is newer than `cursor["since"]` (first poll: the last `backfill_hours`). It
is bounded on purpose: comments on older posts and conversations beyond the first page are not
backfilled (the webhook remains the source); ingest drops what it already has by id.

Replies: public `POST /{comment-id}/comments` (under the top-level comment: Facebook nests one level);
private `POST /{page-id}/messages` (see `meta_adapter` for the 24-hour / 7-day window and the private
reply to a comment).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from webcare.platforms import meta_format as fmt
from webcare.platforms.base import AccountInfo, FetchResult, InboundMessage, ReplyRequest, SentReply
from webcare.platforms.errors import PermanentError
from webcare.platforms.meta_adapter import MetaAdapter, order, same_text
from webcare.platforms.meta_http import N_

COMMENT_FIELDS = "id,message,created_time,from,parent{id}"


class FacebookAdapter(MetaAdapter):
    platform = "facebook"
    max_reply_length = 8000
    conversation_platform = "messenger"
    private_reply_note = N_("A private reply on Facebook is a Messenger message. Meta allows it within 24 hours "
                            "of the citizen's last message, and up to 7 days as a human agent; after that only "
                            "a public reply is possible. A comment can be answered privately once, within 7 days.")

    @property
    def own_id(self) -> str:
        if not self.page_id:
            self.page_id = str(self.client.get("/me", {"fields": "id"})["id"])
        return self.page_id

    def verify(self) -> AccountInfo:
        page = self.client.get(f"/{self.page_id or 'me'}", {"fields": "id,name,username,link"})
        self.page_id = str(page["id"])
        name = str(page.get("name") or page["id"])
        return AccountInfo(id=self.page_id, handle="@" + str(page["username"]) if page.get("username") else name,
                           display_name=name, url=page.get("link") or f"{fmt.FB_WEB}/{self.page_id}")

    # -- backfill ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        now, state = datetime.now(UTC), dict(cursor or {})
        since = self.since(state, now)
        messages, read = self._read_feed(since)
        dms, dm_read = self.read_conversations(since)
        messages = order(messages + dms)[:max_messages]
        state["since"] = self.next_since(since, messages, now)
        return FetchResult(messages=messages, cursor=state, fetched=read + dm_read,
                           throttle_until=self.client.throttle_until(float(self.options["throttle_percent"])))

    def _read_feed(self, since: datetime) -> tuple[list[InboundMessage], int]:
        comments = (f"comments.limit({self.options['max_comments']}).order(reverse_chronological)"
                    f"{{{COMMENT_FIELDS}}}")
        body = self.client.get(f"/{self.own_id}/feed", {"limit": self.options["max_posts"],
                                                        "fields": f"id,message,created_time,from,{comments}"})
        return fmt.feed_page(body, self.own_id, since)

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        if request.visibility == "private":
            return self.send_private(request)
        target = self._public_target(request)
        answer = self.client.post(f"/{target}/comments", {"message": request.text.strip()})
        return self._sent_comment(str(answer["id"]), target, request)

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        if request.visibility == "private":
            return self.find_private(request)
        target = self._public_target(request)
        body = self.client.get(f"/{target}/comments", {"fields": COMMENT_FIELDS, "limit": 100,
                                                       "order": "reverse_chronological", "filter": "stream"})
        for comment in fmt.dicts(body.get("data")):
            if str((comment.get("from") or {}).get("id")) == self.own_id and same_text(request.text,
                                                                                      comment.get("message")):
                return self._sent_comment(str(comment["id"]), target, request)
        return None

    def _public_target(self, request: ReplyRequest) -> str:
        """The comment (or post) to comment under: a reply's top-level comment, since Facebook nests one level."""
        if (request.thread_key or "").startswith("dm:"):
            raise PermanentError("a Messenger conversation can only be answered privately")
        context = request.context or {}
        parent, post = context.get("parent_id"), context.get("post_id")
        if context.get("comment_id") and parent and parent != post:
            return str(parent)
        target = request.in_reply_to or context.get("comment_id") or post
        if not target:
            raise PermanentError("this reply has no comment or post to answer")
        return str(target)

    def _sent_comment(self, comment_id: str, target: str, request: ReplyRequest) -> SentReply:
        post = str((request.context or {}).get("post_id") or "")
        return SentReply(external_id=comment_id, url=fmt.fb_url(post, comment_id) if post else None,
                         created_at=datetime.now(UTC), raw={"comment_id": comment_id, "in_reply_to": target})

