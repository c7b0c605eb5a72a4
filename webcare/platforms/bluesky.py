"""Bluesky adapter (`atproto`): mentions, replies, quotes and chats in; reply posts and chat messages out.

Fetching (docs/PLATFORMS.md):
- `app.bsky.notification.listNotifications` with `reasons` mention, reply and quote, newest first: the
  first pages until the last notification we saw (`indexedAt` plus the uris seen at that moment). A
  backlog longer than `max_pages` continues next poll from the stored cursor before moving the mark.
- chats: `chat.bsky.convo.getLog` from the stored cursor (what is new: `logCreateMessage` entries),
  through the chat proxy; the sender's handle comes from `getConvo` (once per conversation per poll).
- The first poll of a channel reads only the last `backfill_hours` (72); for chats, whose log is read from
  its start, until the polls have read the log to its end.
Replying: an `app.bsky.feed.post` record with `reply.root` and `reply.parent` strong refs and a mention
facet, created with a record key derived from our idempotency key (a repeat finds the record instead
of creating a second post); chats with `chat.bsky.convo.sendMessage` (repeats are looked up first).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from atproto import models
from atproto_client.models.utils import get_model_as_dict

from webcare.platforms import bluesky_format as fmt
from webcare.platforms.base import (
    AccountInfo,
    FetchResult,
    InboundMessage,
    PlatformAdapter,
    ReplyRequest,
    SentReply,
)
from webcare.platforms.bluesky_session import BlueskySession
from webcare.platforms.errors import PermanentError, PlatformError, reset_from_headers

DEFAULT_OPTIONS = {"timeout": 15.0, "max_pages": 5, "page_size": 50, "backfill_hours": 72, "throttle_below": 10,
                   "chats": True}
REASONS = ["mention", "reply", "quote"]


def N_(message: str) -> str:  # noqa: N802  (marks a text for the Dutch catalog; translated where it is shown)
    return message


CHAT_REFUSED = N_("Bluesky does not let the municipality start a chat with this citizen: their chat setting "
                  "only allows people they follow, or nobody. Reply publicly instead.")


class ChatRefused(PermanentError):
    """The citizen's `allowIncoming` setting does not allow a chat from us."""


class BlueskyAdapter(PlatformAdapter):
    platform = "bluesky"
    idempotency_window = None  # posts: the record key makes repeats harmless; chats: looked up first
    max_reply_length = 300  # graphemes
    public_replies = True
    private_replies = True
    private_reply_note = N_("A private reply on Bluesky is a chat message; it is possible only if the citizen's "
                            "chat setting allows messages from everyone, or from accounts they follow and they "
                            "follow the municipality.")

    @classmethod
    def can_reply_privately(cls, kind: str, context: dict[str, Any]) -> bool:
        return kind == "dm" or fmt.can_chat(context)

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.session = BlueskySession(base_url, credentials, self.options["timeout"])
        self._members: dict[str, dict[str, Any]] = {}

    @property
    def credential_store(self):  # the session renews itself and needs the store
        return self.session.store

    @credential_store.setter
    def credential_store(self, store) -> None:
        self.session.store = store

    # -- account ----------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        profile = self.session.call(self.session.client.app.bsky.actor.get_profile,
                                    models.AppBskyActorGetProfile.Params(actor=self.session.did))
        return AccountInfo(id=profile.did, handle="@" + profile.handle, display_name=profile.display_name or "",
                           url=f"{fmt.WEB}/profile/{profile.handle}")

    # -- fetching ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        state = dict(cursor or {})
        state["did"] = own = self.session.did
        notifications, more = self._read_notifications(state, max_messages)
        parsed = [fmt.parse_notification(n, own, REASONS) for n in notifications]
        messages = [m for m in parsed if m is not None]
        chats, more_chats = self._read_chats(state) if self.options["chats"] else ([], False)
        messages += chats
        messages.sort(key=lambda m: (m.created_at or datetime.now(UTC), m.external_id))
        return FetchResult(messages=messages, cursor=state, more=more or more_chats, throttle_until=self._throttle_until(),
                           fetched=len(notifications) + len(chats))

    def _read_notifications(self, state: dict[str, Any], max_messages: int) -> tuple[list[dict], bool]:
        mark = state.get("notifications_seen") or {}
        pending = dict(state.get("notifications_pending") or {})
        page_cursor, newest = pending.get("cursor"), pending.get("newest")
        found: list[dict] = []
        for number in range(self.options["max_pages"]):
            params = {"limit": self.options["page_size"], "reasons": REASONS,
                      **({"cursor": page_cursor} if page_cursor else {})}
            answer = self.session.call(self.session.client.app.bsky.notification.list_notifications, params)
            page = [get_model_as_dict(n) for n in answer.notifications]
            newest = newest or _mark(page)
            fresh = [n for n in page if _unseen(n, mark)]
            found += fresh
            page_cursor = answer.cursor
            done = not mark or len(fresh) < len(page) or not page or not page_cursor
            if done or number + 1 >= self.options["max_pages"] or len(found) >= max_messages:
                page_cursor = None if done else page_cursor
                break
        if not mark:
            cutoff = datetime.now(UTC) - timedelta(hours=self.options["backfill_hours"])
            found = [n for n in found if (fmt.parse_time(n.get("indexedAt")) or cutoff) >= cutoff]
        if page_cursor:
            state["notifications_pending"] = {"cursor": page_cursor, "newest": newest}
        else:
            state.pop("notifications_pending", None)
            # an empty mark after a first poll without notifications: from now on everything is new
            state["notifications_seen"] = newest or mark or {"indexed_at": "", "uris": []}
        return found, bool(page_cursor)

    def _read_chats(self, state: dict[str, Any]) -> tuple[list[InboundMessage], bool]:
        convo = self.session.chat.chat.bsky.convo
        log_cursor, created, more = state.get("chat_cursor"), [], False
        # the log is read from its start: the backfill window holds until a poll has read it to the end
        cutoff = (datetime.now(UTC) - timedelta(hours=self.options["backfill_hours"]) if not log_cursor
                  else fmt.parse_time(state.get("chat_backfill_from")))
        for number in range(self.options["max_pages"]):
            answer = self.session.call(convo.get_log, {"cursor": log_cursor} if log_cursor else {})
            logs = [get_model_as_dict(entry) for entry in answer.logs]
            created += [entry for entry in logs if str(entry.get("$type", "")).endswith("#logCreateMessage")]
            if not logs or not answer.cursor or answer.cursor == log_cursor:
                log_cursor = answer.cursor or log_cursor
                break
            log_cursor, more = answer.cursor, number + 1 == self.options["max_pages"]
        if log_cursor:
            state["chat_cursor"] = log_cursor
        state.pop("chat_backfill_from", None)
        if more and cutoff:
            state["chat_backfill_from"] = cutoff.isoformat()
        own = state["did"]
        messages = []
        for entry in created:
            message = entry.get("message") or {}
            sender = (message.get("sender") or {}).get("did")
            if not sender or sender == own or "text" not in message:
                continue  # ours, or a deleted message
            if cutoff and (fmt.parse_time(message.get("sentAt")) or cutoff) < cutoff:
                continue
            messages.append(fmt.parse_chat(message, entry["convoId"], self._member(entry["convoId"], sender)))
        return messages, more

    def _member(self, convo_id: str, did: str) -> dict[str, Any]:
        if convo_id not in self._members:
            answer = self.session.call(self.session.chat.chat.bsky.convo.get_convo, {"convoId": convo_id})
            self._members[convo_id] = {m.did: get_model_as_dict(m) for m in answer.convo.members}
        return self._members[convo_id].get(did, {"did": did})

    def _throttle_until(self) -> datetime | None:
        remaining = self.session.last_headers.get("ratelimit-remaining")
        if remaining is not None and remaining.isdigit() and int(remaining) <= self.options["throttle_below"]:
            return reset_from_headers(self.session.last_headers)
        return None

    def replies_wait_until(self) -> datetime | None:
        """Replies stop just before the budget of the last call is used up."""
        return self._throttle_until()

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        if request.visibility == "private":
            return self._send_chat(request)
        rkey = fmt.tid_for(request.idempotency_key, request.written_at)
        existing = self._own_post(rkey)
        if existing is not None:
            return existing
        try:
            created = self.session.call(self.session.client.com.atproto.repo.create_record,
                                        {"repo": self.session.did, "collection": fmt.POST_COLLECTION, "rkey": rkey,
                                         "record": self._post_record(request)})
        except PlatformError:
            existing = self._own_post(rkey)  # e.g. the record exists: a real PDS answers that with an error
            if existing is None:
                raise
            return existing
        return SentReply(external_id=created.uri, url=fmt.post_url(self.session.handle, created.uri),
                         created_at=datetime.now(UTC), raw={"uri": created.uri, "cid": created.cid, "rkey": rkey})

    def _post_record(self, request: ReplyRequest) -> dict[str, Any]:
        context = request.context or {}
        parent, root = context.get("parent"), context.get("root")
        if not parent or not root:
            raise PermanentError("this reply has no Bluesky post to answer (a chat needs a private reply)")
        text, facets = fmt.with_mention(request.text, context.get("handle"), context.get("author_did"),
                                        self.max_reply_length)
        record = {"$type": fmt.POST_COLLECTION, "text": text, "createdAt": _now(),
                  "langs": [request.language or "nl"], "reply": {"root": root, "parent": parent}}
        return {**record, "facets": facets} if facets else record

    def _own_post(self, rkey: str) -> SentReply | None:
        try:
            found = self.session.call(self.session.client.com.atproto.repo.get_record,
                                      {"repo": self.session.did, "collection": fmt.POST_COLLECTION, "rkey": rkey})
        except PermanentError:  # RecordNotFound (HTTP 400)
            return None
        return SentReply(external_id=found.uri, url=fmt.post_url(self.session.handle, found.uri),
                         created_at=fmt.parse_time(getattr(found.value, "created_at", None)),
                         raw={"uri": found.uri, "cid": found.cid, "rkey": rkey})

    def _send_chat(self, request: ReplyRequest) -> SentReply:
        convo_id = self._convo_for(request)
        message = self.session.call(self.session.chat.chat.bsky.convo.send_message,
                                    {"convoId": convo_id, "message": {"text": request.text.strip()}})
        return SentReply(external_id=message.id, created_at=fmt.parse_time(message.sent_at),
                         raw={"convo_id": convo_id, "message_id": message.id})

    def _convo_for(self, request: ReplyRequest) -> str:
        thread = request.thread_key or ""
        if thread.startswith("convo:"):
            return thread.removeprefix("convo:")
        did = (request.context or {}).get("author_did")
        if not did:
            raise PermanentError("cannot tell whom to send this chat message to")
        convo = self.session.chat.chat.bsky.convo
        answer = self.session.call(convo.get_convo_availability, {"members": [did]})
        if not answer.can_chat:
            raise ChatRefused(CHAT_REFUSED)
        if answer.convo is not None:
            return answer.convo.id
        return self.session.call(convo.get_convo_for_members, {"members": [did]}).convo.id

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        if request.visibility != "private":
            return self._own_post(fmt.tid_for(request.idempotency_key, request.written_at))
        if not (request.thread_key or "").startswith("convo:") and not request.written_at:
            return None
        try:
            convo_id = self._convo_for(request)
        except PermanentError:
            return None
        answer = self.session.call(self.session.chat.chat.bsky.convo.get_messages, {"convoId": convo_id, "limit": 50})
        since = request.written_at or datetime.min.replace(tzinfo=UTC)
        for message in answer.messages:
            if getattr(message, "sender", None) is None or message.sender.did != self.session.did:
                continue
            sent = fmt.parse_time(message.sent_at)
            if sent and sent >= since and " ".join(message.text.split()) == " ".join(request.text.split()):
                return SentReply(external_id=message.id, created_at=sent,
                                 raw={"convo_id": convo_id, "message_id": message.id})
        return None


def _mark(page: list[dict]) -> dict[str, Any] | None:
    """The newest `indexedAt` of a page and the uris indexed at that moment."""
    if not page:
        return None
    newest = max(str(n.get("indexedAt")) for n in page)
    return {"indexed_at": newest, "uris": sorted(str(n["uri"]) for n in page if str(n.get("indexedAt")) == newest)}


def _unseen(notification: dict, mark: dict[str, Any]) -> bool:
    if not mark:
        return True
    indexed = str(notification.get("indexedAt"))
    return indexed > mark["indexed_at"] or (indexed == mark["indexed_at"] and notification["uri"] not in mark["uris"])


def _now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
