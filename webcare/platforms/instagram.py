"""Instagram adapter (Instagram API with Facebook Login, Graph API): comments, @mentions and Direct
messages in (webhooks first, polling as backfill), comment replies and Direct messages out.

Credentials: the Page access token of the Page linked to the Instagram professional account, the
Instagram account id (`ig_user_id`) and the Page id (`page_id`, for Direct messages; without it the
Instagram-Login node `/{ig-user-id}/messages` is used).

`fetch(cursor)` backfills the newest `max_posts` media with their newest `max_comments` comments (and
replies), and the newest `max_conversations` Instagram conversations; bounded like Facebook's.
@mentions come only by webhook (Meta sends no text: the ticket links the post).

Replies: public `POST /{ig-comment-id}/replies` (under the top-level comment: Instagram nests one
level); an @mention in someone else's comment `POST /{ig-user-id}/mentions` (`media_id`, `comment_id`,
`message`); private `POST /{page-id}/messages`, window as in `meta_adapter`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from webcare.platforms import meta_format as fmt
from webcare.platforms.base import AccountInfo, FetchResult, InboundMessage, ReplyRequest, SentReply
from webcare.platforms.errors import NeedsReauth, PermanentError
from webcare.platforms.meta_adapter import MetaAdapter, order, same_text
from webcare.platforms.meta_http import N_

COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id"


class InstagramAdapter(MetaAdapter):
    platform = "instagram"
    max_reply_length = 2200
    conversation_platform = "instagram"
    private_reply_note = N_("A private reply on Instagram is a Direct message. Meta allows it within 24 hours "
                            "of the citizen's last message, and up to 7 days as a human agent. A comment can be "
                            "answered privately once, within 7 days; an @mention only publicly.")

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        super().__init__(base_url, credentials, options)
        self.ig_user_id = str(self.credentials.get("ig_user_id") or "")
        if not self.ig_user_id:
            raise NeedsReauth("no Instagram account id (ig_user_id) stored for this channel")

    @property
    def own_id(self) -> str:
        return self.ig_user_id

    def verify(self) -> AccountInfo:
        account = self.client.get(f"/{self.ig_user_id}", {"fields": "id,username,name"})
        username = str(account.get("username") or account["id"])
        return AccountInfo(id=str(account["id"]), handle="@" + username, display_name=str(account.get("name") or ""),
                           url=f"https://www.instagram.com/{username}")

    # -- backfill ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        now, state = datetime.now(UTC), dict(cursor or {})
        since = self.since(state, now)
        messages, read = self._read_media(since)
        dms, dm_read = self.read_conversations(since)
        messages = order(messages + dms)[:max_messages]
        state["since"] = self.next_since(since, messages, now)
        return FetchResult(messages=messages, cursor=state, fetched=read + dm_read,
                           throttle_until=self.client.throttle_until(float(self.options["throttle_percent"])))

    def _read_media(self, since: datetime) -> tuple[list[InboundMessage], int]:
        comments = (f"comments.limit({self.options['max_comments']}){{{COMMENT_FIELDS},"
                    f"replies{{{COMMENT_FIELDS}}}}}")
        body = self.client.get(f"/{self.ig_user_id}/media", {"limit": self.options["max_posts"],
                                                             "fields": f"id,timestamp,permalink,{comments}"})
        return fmt.media_page(body, self.ig_user_id, since)

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        if request.visibility == "private":
            return self.send_private(request)
        context, text = request.context or {}, request.text.strip()
        if context.get("mention"):
            answer = self.client.post(f"/{self.ig_user_id}/mentions", {
                "media_id": context.get("media_id"), "comment_id": context.get("comment_id"), "message": text})
            return SentReply(external_id=str(answer["id"]), created_at=datetime.now(UTC),
                             raw={"comment_id": str(answer["id"]), "mention": True})
        target = self._public_target(request)
        answer = self.client.post(f"/{target}/replies", {"message": text})
        return SentReply(external_id=str(answer["id"]), created_at=datetime.now(UTC),
                         raw={"comment_id": str(answer["id"]), "in_reply_to": target})

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        if request.visibility == "private":
            return self.find_private(request)
        if (request.context or {}).get("mention"):
            return None
        target = self._public_target(request)
        body = self.client.get(f"/{target}/replies", {"fields": COMMENT_FIELDS})
        for reply in fmt.dicts(body.get("data")):
            ours = str((reply.get("from") or {}).get("id")) == self.ig_user_id
            if ours and same_text(request.text, reply.get("text")):
                return SentReply(external_id=str(reply["id"]), created_at=fmt.parse_time(reply.get("timestamp")),
                                 raw={"comment_id": str(reply["id"]), "in_reply_to": target})
        return None

    def _public_target(self, request: ReplyRequest) -> str:
        if (request.thread_key or "").startswith("dm:"):
            raise PermanentError("an Instagram Direct conversation can only be answered privately")
        context = request.context or {}
        target = context.get("parent_id") or request.in_reply_to or context.get("comment_id")
        if not target:
            raise PermanentError("this reply has no comment to answer")
        return str(target)
