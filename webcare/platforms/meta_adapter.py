"""What the Facebook Page and Instagram adapters share: the Graph client, private messages and their window,
and the conversations backfill.

Private messages (Messenger, Instagram Direct) are `POST /{page-id}/messages` (Instagram without a Page:
`/{ig-user-id}/messages`) with `recipient.id` = the citizen's PSID/IGSID:
- within 24 hours of the citizen's last message: `messaging_type=RESPONSE`;
- up to 7 days: `messaging_type=MESSAGE_TAG`, `tag=HUMAN_AGENT` (needs Meta's Human Agent permission);
- later: refused here with `WindowClosed` ("the 7-day window ... has closed"), shown on the ticket.
A private reply to a public comment is `recipient.comment_id`: once per comment, within 7 days of it.

`can_reply_privately(kind, context)` and the sender read these `context` keys (the raw payload of the
message answered, see `meta_format`, plus what the composer adds): `last_inbound_at` (datetime or ISO
8601: the citizen's last message in the thread; the composer should give it), else `created_at` (the
answered message); `comment_id` / `post_id` for a private reply to a comment; `mention` (an Instagram
@mention without a known author: no private reply). An unknown time counts as open; Meta then decides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from webcare.platforms import meta_format as fmt
from webcare.platforms.base import InboundMessage, PlatformAdapter, ReplyRequest, SentReply
from webcare.platforms.errors import PermanentError
from webcare.platforms.meta_http import DEFAULT_VERSION, WINDOW_CLOSED, GraphClient, WindowClosed

RESPONSE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
OVERLAP = timedelta(minutes=10)  # a poll re-reads this much before the newest item it saw (ingest dedupes)
DEFAULT_OPTIONS = {"timeout": 15.0, "api_version": DEFAULT_VERSION, "backfill_hours": 72, "max_posts": 10,
                   "max_comments": 50, "max_conversations": 10, "max_messages": 25, "throttle_percent": 90}
MESSAGE_FIELDS = "id,message,from,created_time,attachments{file_url,image_data{url}}"


def last_inbound(context: dict[str, Any]) -> datetime | None:
    value = (context or {}).get("last_inbound_at") or (context or {}).get("created_at")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return fmt.parse_time(value)


def messaging_type(context: dict[str, Any], now: datetime | None = None) -> dict[str, str]:
    """`messaging_type` (and `tag`) for a private message now, or `WindowClosed` after 7 days."""
    now, since = now or datetime.now(UTC), last_inbound(context)
    if since is None or now - since <= RESPONSE_WINDOW:
        return {"messaging_type": "RESPONSE"}
    if now - since <= HUMAN_AGENT_WINDOW:
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    raise WindowClosed(WINDOW_CLOSED)


class MetaAdapter(PlatformAdapter):
    """A Page token on the Graph API; subclasses say which node answers and how comments are read."""

    idempotency_window = None  # the Graph API has no idempotency key: a repeated attempt looks first
    public_replies = True
    private_replies = True
    conversation_platform = "messenger"

    @classmethod
    def can_reply_privately(cls, kind: str, context: dict[str, Any]) -> bool:
        context = context or {}
        if kind != "dm" and (context.get("mention") or not (context.get("comment_id") or context.get("post_id"))):
            return False
        since = last_inbound(context)
        return since is None or datetime.now(UTC) - since <= HUMAN_AGENT_WINDOW

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.credentials = dict(credentials or {})
        self.client = GraphClient(base_url, self.credentials, float(self.options["timeout"]),
                                  str(self.options["api_version"]))
        self.page_id = str(self.credentials.get("page_id") or "") or None

    # -- hooks for subclasses ---------------------------------------------------------------------
    @property
    def own_id(self) -> str:
        """The id Meta uses for us as a sender (the Page, or the Instagram account)."""
        raise NotImplementedError

    @property
    def messages_node(self) -> str:
        return self.page_id or self.own_id

    # -- private messages -------------------------------------------------------------------------
    def send_private(self, request: ReplyRequest, now: datetime | None = None) -> SentReply:
        context = request.context or {}
        if (request.thread_key or "").startswith("dm:"):
            recipient = {"id": str(context.get("sender_id") or request.thread_key[3:])}
            body = {"recipient": recipient, **messaging_type(context, now), "message": {"text": request.text.strip()}}
        else:
            body = {"recipient": self._comment_recipient(request, now), "message": {"text": request.text.strip()}}
        answer = self.client.post(f"/{self.messages_node}/messages", body)
        return SentReply(external_id=str(answer.get("message_id") or ""), created_at=datetime.now(UTC),
                         raw={"message_id": answer.get("message_id"), "recipient_id": answer.get("recipient_id"),
                              "recipient": body["recipient"]})

    def _comment_recipient(self, request: ReplyRequest, now: datetime | None) -> dict[str, str]:
        context = request.context or {}
        if context.get("mention"):
            raise PermanentError("this @mention has no known author to message privately; reply publicly")
        since = last_inbound(context)
        if since is not None and (now or datetime.now(UTC)) - since > HUMAN_AGENT_WINDOW:
            raise WindowClosed(WINDOW_CLOSED)
        if context.get("comment_id"):
            return {"comment_id": str(context["comment_id"])}
        if context.get("post_id"):
            return {"post_id": str(context["post_id"])}
        if request.in_reply_to:
            return {"comment_id": str(request.in_reply_to)}
        raise PermanentError("this reply has no comment or post to answer privately")

    def find_private(self, request: ReplyRequest) -> SentReply | None:
        """Our message with this text in the citizen's conversation (DM threads only)."""
        if not (request.thread_key or "").startswith("dm:"):
            return None  # a private reply to a comment is accepted once by Meta: a repeat is refused anyway
        user = str((request.context or {}).get("sender_id") or request.thread_key[3:])
        body = self.client.get(f"/{self.messages_node}/conversations",
                               {"platform": self.conversation_platform, "user_id": user,
                                "fields": f"messages.limit(20){{{MESSAGE_FIELDS}}}"})
        for conversation in fmt.dicts(body.get("data")):
            for message in fmt.dicts((conversation.get("messages") or {}).get("data")):
                if str((message.get("from") or {}).get("id")) == self.own_id and same_text(request.text,
                                                                                          message.get("message")):
                    return SentReply(external_id=str(message["id"]),
                                     created_at=fmt.parse_time(message.get("created_time")),
                                     raw={"message_id": message["id"], "recipient_id": user})
        return None

    # -- backfill ---------------------------------------------------------------------------------
    def since(self, cursor: dict[str, Any], now: datetime) -> datetime:
        return fmt.parse_time(cursor.get("since")) or now - timedelta(hours=float(self.options["backfill_hours"]))

    def read_conversations(self, since: datetime) -> tuple[list[InboundMessage], int]:
        """Citizens' messages since `since` in the newest conversations (one page, bounded)."""
        body = self.client.get(f"/{self.messages_node}/conversations", {
            "platform": self.conversation_platform, "limit": self.options["max_conversations"],
            "fields": f"id,updated_time,messages.limit({self.options['max_messages']}){{{MESSAGE_FIELDS}}}"})
        return fmt.conversations_page(body, self.own_id, self.platform, since)

    def next_since(self, since: datetime, messages: list[InboundMessage], now: datetime) -> str:
        newest = max((m.created_at for m in messages if m.created_at), default=since)
        return max(since, min(newest, now), now - OVERLAP).isoformat()


def same_text(ours: str, theirs: Any) -> bool:
    wanted = " ".join((ours or "").split())
    return bool(wanted) and wanted in " ".join(str(theirs or "").split())


def order(messages: list[InboundMessage]) -> list[InboundMessage]:
    return sorted(messages, key=lambda m: (m.created_at or datetime.now(UTC), m.external_id))
