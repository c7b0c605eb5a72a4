"""X (API v2) adapter: mentions and DMs in, public replies and DMs out (plain `requests`).

Fetching (docs/PLATFORMS.md, docs/INGEST.md):
- mentions: `GET /2/users/:id/mentions` with `since_id`, following `meta.next_token` as `pagination_token`
  until it is absent, then storing the first page's `meta.newest_id`. A poll that stops early (page
  limit) keeps its place (`mentions_pending`) and continues next time before moving `since_id`. An edit
  (a new post id, the chain in `edit_history_tweet_ids`) of a post read before is not a new message.
- DMs: `GET /2/dm_events` has no `since_id`: pages come newest first and we stop at the last event id we
  saw (ids are snowflakes); ingest drops repeats by event id. The endpoint allows 15 calls per 15 minutes,
  so DMs are read at most every `dm_poll_seconds` (90) and wait for the reset when the quota runs low.
- The first poll of a channel reads only the last `backfill_hours` (72).
Replying: `POST /2/tweets` with `reply.in_reply_to_tweet_id`; DMs `POST /2/dm_conversations/with/
:participant_id/messages`, in a group DM `POST /2/dm_conversations/:dm_conversation_id/messages`. X has
no idempotency key: a repeated attempt first looks for our post in reply to the same post with the same
text (`find_sent_reply`), so a retry never posts twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from webcare.platforms import x_format as fmt
from webcare.platforms.base import (
    AccountInfo,
    FetchResult,
    InboundMessage,
    PlatformAdapter,
    ReplyRequest,
    SentReply,
)
from webcare.platforms.errors import NeedsReauth, PermanentError, garbled_answer
from webcare.platforms.token_renewal import RenewsThroughClient
from webcare.platforms.x_http import N_, XClient, quota_reset

ACCOUNT_CHECK = timedelta(hours=1)
DEFAULT_OPTIONS = {"timeout": 15.0, "max_pages": 5, "dm_max_pages": 3, "page_size": 100, "backfill_hours": 72,
                   "throttle_below": 2, "dm_poll_seconds": 90, "dms": True,
                   "fields_param": "tweet.fields"}  # or "post.fields" (X's 2.167 OpenAPI name)


class XAdapter(RenewsThroughClient, PlatformAdapter):
    platform = "x"
    idempotency_window = None  # no idempotency key on X: every repeated attempt looks first
    max_reply_length = 280
    public_replies = True
    private_replies = True
    private_reply_note = N_("A private reply on X is a direct message; it arrives only if the citizen accepts "
                            "direct messages from the municipality's account. A public reply is only possible "
                            "to a post that mentions the municipality's account.")

    @classmethod
    def can_reply_privately(cls, kind: str, context: dict[str, Any]) -> bool:
        """A DM thread: yes. A public post: only if its author accepts our DMs (X told us when we read it;
        unknown counts as possible, X then decides)."""
        return kind == "dm" or context.get("receives_your_dm") is not False

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.client = XClient(base_url, credentials, self.options["timeout"])
        self._me: dict[str, Any] | None = None

    # -- account ----------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        me = self._account()
        return AccountInfo(id=str(me["id"]), handle="@" + str(me["username"]), display_name=str(me.get("name") or ""),
                           url=f"{fmt.WEB}/{me['username']}")

    def _account(self) -> dict[str, Any]:
        if self._me is None:
            self._me = self.client.get("/2/users/me", {"user.fields": "username,name"})["data"]
        return self._me

    # -- fetching ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        state = self._checked_account(dict(cursor or {}))
        me, own, since = self._account(), state["user_id"], state.get("mentions_since_id")
        posts, includes, more = self._read_mentions(state, max_messages)
        posts = [p for p in posts if not fmt.edit_of_seen(p, since)]
        throttle = self._throttle_until()
        events, dm_includes = self._read_dms(state) if self._dms_due(state) else ([], fmt.Includes())
        roots = self._root_authors(posts, includes)
        account = {"id": own, "username": me.get("username")}
        parsed = [fmt.parse_post(p, includes, account, roots) for p in posts]
        parsed += [fmt.parse_dm(e, dm_includes, own) for e in events]
        messages = [m for m in parsed if m is not None]
        messages.sort(key=_order)
        return FetchResult(messages=messages, cursor=state, more=more, throttle_until=throttle,
                           fetched=len(posts) + len(events))

    def _checked_account(self, state: dict[str, Any]) -> dict[str, Any]:
        """Whose mentions to read: from the cursor, checked with `GET /2/users/me` once an hour (a new
        token may belong to another account: then the cursor starts afresh)."""
        now = datetime.now(UTC)
        checked = state.get("me_checked_at")
        if checked and datetime.fromisoformat(checked) > now - ACCOUNT_CHECK and state.get("username"):
            self._me = self._me or {"id": state["user_id"], "username": state["username"]}
            return state
        me = self._account()
        if state.get("user_id") not in (None, str(me["id"])):
            state = {}
        return {**state, "user_id": str(me["id"]), "username": str(me["username"]), "me_checked_at": now.isoformat()}

    @garbled_answer("page of X mentions")
    def _read_mentions(self, state: dict[str, Any], max_messages: int) -> tuple[list[dict], fmt.Includes, bool]:
        since = state.get("mentions_since_id")
        pending = dict(state.get("mentions_pending") or {})
        params = {"max_results": self.options["page_size"], self.options["fields_param"]: fmt.TWEET_FIELDS,
                  "expansions": fmt.EXPANSIONS, "user.fields": fmt.USER_FIELDS, "media.fields": fmt.MEDIA_FIELDS}
        if since:
            params["since_id"] = since
        else:
            params["start_time"] = _iso(datetime.now(UTC) - timedelta(hours=self.options["backfill_hours"]))
        pages = self._pages(f"/2/users/{state['user_id']}/mentions", params, pending.get("next_token"))
        posts, includes, newest, token = [], fmt.Includes(), pending.get("newest_id"), None
        for number, body in enumerate(pages):
            newest = newest or (body.get("meta") or {}).get("newest_id")
            posts += body.get("data") or []
            includes.add(body.get("includes") or {})
            token = (body.get("meta") or {}).get("next_token")
            if not token or number + 1 >= self.options["max_pages"] or len(posts) >= max_messages:
                break
        if token:
            state["mentions_pending"] = {"newest_id": newest, "next_token": token}
        else:
            state.pop("mentions_pending", None)
            if newest:
                state["mentions_since_id"] = max(str(newest), str(since or "0"), key=fmt.id_key)
        return posts, includes, bool(token)

    def _dms_due(self, state: dict[str, Any]) -> bool:
        if not self.options["dms"]:
            return False
        due = state.get("dm_next_at")
        return not due or datetime.fromisoformat(due) <= datetime.now(UTC)

    @garbled_answer("page of X direct messages")
    def _read_dms(self, state: dict[str, Any]) -> tuple[list[dict], fmt.Includes]:
        last = state.get("dm_last_event_id")
        pending = dict(state.get("dm_pending") or {})
        first_poll = not last and not pending
        params = {"max_results": self.options["page_size"], "event_types": "MessageCreate",
                  "dm_event.fields": fmt.DM_EVENT_FIELDS, "expansions": "sender_id,attachments.media_keys",
                  "user.fields": "username,name", "media.fields": fmt.MEDIA_FIELDS}
        events, includes, newest, token = [], fmt.Includes(), pending.get("newest_id"), None
        for number, body in enumerate(self._dm_pages(params, pending.get("next_token"))):
            data = body.get("data") or []
            newest = newest or max((str(e["id"]) for e in data), key=fmt.id_key, default=None)
            fresh = [e for e in data if not last or fmt.id_key(e["id"]) > fmt.id_key(last)]
            events += fresh
            includes.add(body.get("includes") or {})
            reached_last_seen = len(fresh) < len(data)
            token = None if first_poll or reached_last_seen else (body.get("meta") or {}).get("next_token")
            if not token or number + 1 >= self.options["dm_max_pages"]:
                break
        if first_poll:
            cutoff = datetime.now(UTC) - timedelta(hours=self.options["backfill_hours"])
            events = [e for e in events if (fmt.parse_time(e.get("created_at")) or cutoff) >= cutoff]
        self._after_dm_read(state, last, newest, token)
        return events, includes

    def _after_dm_read(self, state: dict[str, Any], last: str | None, newest: str | None, token: str | None) -> None:
        if token:
            state["dm_pending"] = {"newest_id": newest, "next_token": token}
        else:
            state.pop("dm_pending", None)
            # "0" after a first poll without DMs: from now on every DM is new (not only the newest page)
            state["dm_last_event_id"] = max(str(newest or "0"), str(last or "0"), key=fmt.id_key)
        due = datetime.now(UTC) + timedelta(seconds=self.options["dm_poll_seconds"])
        state["dm_next_at"] = max(due, self._throttle_until() or due).isoformat()

    def _dm_pages(self, params: dict[str, Any], token: str | None):
        """DM event pages; a refusal here is about the token's DM permission, not about one message."""
        try:
            yield from self._pages("/2/dm_events", params, token)
        except PermanentError as exc:
            if exc.status != 403:
                raise
            raise NeedsReauth(f"X refused to read direct messages ({exc.message}): connect the account again with "
                              "the dm.read and dm.write scopes, or set the channel option dms to false",
                              status=403) from exc

    def _pages(self, path: str, params: dict[str, Any], token: str | None):
        """Answers page by page, following `meta.next_token` as `pagination_token` (the caller stops)."""
        while True:
            body = self.client.get(path, {**params, **({"pagination_token": token} if token else {})})
            yield body
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return

    @garbled_answer("page of X posts")
    def _root_authors(self, posts: list[dict], includes: fmt.Includes) -> dict[str, str]:
        """Author of each conversation's root post, for replies (one lookup of up to 100 ids per poll)."""
        roots = {str(p["conversation_id"]) for p in posts if p.get("conversation_id")
                 and str(p["conversation_id"]) != str(p["id"])}
        known = {r: str(includes.posts[r].get("author_id")) for r in roots if r in includes.posts}
        unknown = sorted(roots - set(known))[:100]
        if unknown:
            body = self.client.get("/2/tweets", {"ids": ",".join(unknown), "tweet.fields": "author_id,conversation_id"})
            known.update({str(p["id"]): str(p.get("author_id")) for p in body.get("data") or []})
        return known

    def _throttle_until(self) -> datetime | None:
        """The reset of the 15-minute window or a 24-hour cap that has `throttle_below` or fewer calls left."""
        return quota_reset(self.client.last_headers, self.options["throttle_below"])

    def replies_wait_until(self) -> datetime | None:
        """Posting has its own budget per endpoint: replies stop just before it is used up."""
        return self._throttle_until()

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        if request.visibility == "private":
            return self._send_dm(request)
        if (request.thread_key or "").startswith("dm:"):
            raise PermanentError("a direct message conversation can only be answered privately")
        if not request.in_reply_to:
            raise PermanentError("this reply has no post to answer")
        body = self.client.post("/2/tweets", {"text": request.text.strip(),
                                              "reply": {"in_reply_to_tweet_id": request.in_reply_to}})
        post = body["data"]
        return self._sent_post(post, request.in_reply_to)

    def _send_dm(self, request: ReplyRequest) -> SentReply:
        participant, path = self._dm_path(request)
        body = self.client.post(f"{path}/messages", {"text": request.text.strip()})
        data = body["data"]
        return SentReply(external_id=str(data["dm_event_id"]), url=None, created_at=datetime.now(UTC),
                         raw={"dm_event_id": str(data["dm_event_id"]),
                              "dm_conversation_id": str(data.get("dm_conversation_id") or ""),
                              "participant_id": participant})

    def _dm_path(self, request: ReplyRequest) -> tuple[str | None, str]:
        """(participant, conversation path): a group DM (a numeric id; 1:1 ids are `<id>-<id>`) is answered
        in that conversation, anything else in the 1:1 conversation with the citizen."""
        group = (request.thread_key or "").removeprefix("dm:")
        if (request.thread_key or "").startswith("dm:") and group.isdigit():
            return None, f"/2/dm_conversations/{group}"
        participant = self._participant(request)
        return participant, f"/2/dm_conversations/with/{participant}"

    def _participant(self, request: ReplyRequest) -> str:
        context = request.context or {}
        found = context.get("sender_id") or context.get("author_id")
        if not found and (request.thread_key or "").startswith("dm:"):
            found = fmt.dm_participant(request.thread_key[3:], str(self._account()["id"]))
        if not found:
            raise PermanentError("cannot tell whom to send this direct message to")
        return str(found)

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        own = str(self._account()["id"])
        if request.visibility == "private":
            participant, path = self._dm_path(request)
            body = self.client.get(f"{path}/dm_events",
                                   {"max_results": 100, "event_types": "MessageCreate",
                                    "dm_event.fields": fmt.DM_EVENT_FIELDS})
            for event in body.get("data") or []:
                if str(event.get("sender_id")) == own and fmt.same_text(request.text, event.get("text") or ""):
                    return SentReply(external_id=str(event["id"]), created_at=fmt.parse_time(event.get("created_at")),
                                     raw={"dm_event_id": str(event["id"]), "participant_id": participant})
            return None
        if not request.in_reply_to:
            return None
        body = self.client.get(f"/2/users/{own}/tweets", {"since_id": request.in_reply_to, "max_results": 100,
                                                          "tweet.fields": "created_at,referenced_tweets,conversation_id"})
        for post in body.get("data") or []:
            if fmt.replied_to(post) == request.in_reply_to and fmt.same_text(request.text, post.get("text") or ""):
                return self._sent_post(post, request.in_reply_to)
        return None

    def _sent_post(self, post: dict[str, Any], in_reply_to: str) -> SentReply:
        # x.com/i/web/status/<id> opens any post without knowing its author: no account lookup per reply
        return SentReply(external_id=str(post["id"]), url=f"{fmt.WEB}/i/web/status/{post['id']}",
                         created_at=fmt.parse_time(post.get("created_at")) or datetime.now(UTC),
                         raw={"post_id": str(post["id"]), "in_reply_to": in_reply_to})


def _order(message: InboundMessage) -> tuple:
    return (message.created_at or datetime.now(UTC), fmt.id_key(message.external_id))


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
