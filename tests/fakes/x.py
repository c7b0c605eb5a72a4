"""A fake X API v2 as a real local HTTP server: the municipality's account, citizens, posts and DMs.

Speaks the v2 wire format our adapter uses: `GET /2/users/me`, `/2/users/:id/mentions` (since_id,
start_time, pagination_token/next_token, expansions into `includes.users` and `includes.tweets`),
`/2/users/:id/tweets`, `/2/tweets?ids=`, `/2/dm_events` (newest first, no since_id),
`/2/dm_conversations/with/:id/dm_events`, `/2/dm_conversations/:id/dm_events`, `POST /2/tweets`,
`POST /2/dm_conversations/with/:id/messages`, `POST /2/dm_conversations/:id/messages` (group DMs, numeric ids)
and `POST /2/oauth2/token` (refresh tokens work once). Both `tweet.fields` and `post.fields` are
accepted; a post over 280 characters comes cut off in `text` with the whole in `note_tweet` (when asked
for that field), as X sends long posts; asked with `post.fields` it answers with the renamed keys (`includes.posts`,
`referenced_posts`) of X's 2.167 OpenAPI document. Errors are RFC 7807 problems, with X's real
"summoned replies" refusal (403) and `x-rate-limit-*` headers (epoch seconds) on every answer, plus
the 24-hour cap's `x-user-limit-24hour-*` headers on the endpoints given a daily cap (`daily`).
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.fakes.http import FakeServer
from webcare.models import Channel
from webcare.services import channels

MUNICIPALITY = {"id": "987654321", "username": "GemVoorbeeld", "name": "Gemeente Voorbeeldstad"}
CITIZENS = {"jan": "1456789012", "fatima": "1456789013", "piet": "1456789014"}
TOKEN, REFRESH, CLIENT_ID = "x-gemeente-token", "x-gemeente-refresh", "webcare-client"
NOT_SUMMONED = ("Reply to this conversation is not allowed because you have not been mentioned or otherwise "
                "engaged by the author of the post you are replying to.")
_MENTION = re.compile(r"@(\w{1,15})")


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> dict:
    return {"title": title, "detail": detail, "type": kind, "status": status}


class FakeX(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.users = {MUNICIPALITY["id"]: {**MUNICIPALITY, "receives_your_dm": True}}
        self.users.update({uid: {"id": uid, "username": name, "name": name.capitalize() + " de Burger",
                                 "receives_your_dm": True} for name, uid in CITIZENS.items()})
        self.posts: dict[str, dict] = {}
        self.dm_events: list[dict] = []
        self.tokens = {TOKEN: time.time() + 7200}
        self.refresh_tokens = {REFRESH}
        self.quota: dict[str, int] = {}  # path regex -> x-rate-limit-remaining
        self.groups: dict[str, list[str]] = {}  # group DM conversation id (numeric) -> participant ids
        self.daily: dict[str, int] = {}  # path regex -> x-user-limit-24hour-remaining (a 24-hour cap)
        self.daily_reset = int(time.time()) + 20 * 3600
        self._ids = itertools.count(1992345678901234567, 7919)
        for method, pattern, handler in [
            ("GET", "/2/users/me", self._me), ("GET", r"/2/users/(\d+)/mentions", self._mentions),
            ("GET", r"/2/users/(\d+)/tweets", self._timeline), ("GET", "/2/tweets", self._lookup),
            ("GET", "/2/dm_events", self._dm_events), ("GET", r"/2/dm_conversations/with/(\d+)/dm_events", self._dm_with),
            ("GET", r"/2/dm_conversations/(\d+)/dm_events", self._dm_in),
            ("POST", "/2/tweets", self._create_post), ("POST", r"/2/dm_conversations/with/(\d+)/messages", self._send_dm),
            ("POST", r"/2/dm_conversations/(\d+)/messages", self._send_in_conversation),
            ("POST", "/2/oauth2/token", self._token)]:
            self.route(method, pattern, self._authorised(handler) if "oauth2" not in pattern else handler)

    # -- helpers for tests ------------------------------------------------------------------------
    def post(self, name: str, text: str, *, in_reply_to: str | None = None, mention: bool = True,
             quote: str | None = None) -> dict:
        """A citizen posts; `mention` puts @GemVoorbeeld in front (summoning the municipality)."""
        body = f"@{MUNICIPALITY['username']} {text}" if mention else text
        return self._add_post(CITIZENS.get(name, name), body, in_reply_to, quote)

    def edit(self, post: dict, text: str) -> dict:
        """The citizen edits a post: X makes a new post id with the chain in `edit_history_tweet_ids`, and
        timelines show only the newest version."""
        with self.lock:
            new_id = str(next(self._ids))
            edited = {**post, "id": new_id, "text": text, "created_at": _now(),
                      "edit_history_tweet_ids": [*post["edit_history_tweet_ids"], new_id]}
            self.posts[post["id"]]["superseded"] = True
            self.posts[new_id] = edited
            return edited

    def announce(self, text: str) -> dict:
        return self._add_post(MUNICIPALITY["id"], text, None, None)

    def dm(self, name: str, text: str) -> dict:
        sender = CITIZENS[name]
        event = {"id": str(next(self._ids)), "event_type": "MessageCreate", "text": text, "sender_id": sender,
                 "dm_conversation_id": _conversation(sender, MUNICIPALITY["id"]), "created_at": _now()}
        with self.lock:
            self.dm_events.append(event)
        return event

    def group_dm(self, names: list[str], text: str, conversation: str | None = None) -> dict:
        """The first of `names` writes in a group DM with them and the municipality (ids are numeric)."""
        with self.lock:
            conversation = conversation or str(next(self._ids))
            self.groups.setdefault(conversation, [CITIZENS[n] for n in names] + [MUNICIPALITY["id"]])
            event = {"id": str(next(self._ids)), "event_type": "MessageCreate", "text": text,
                     "sender_id": CITIZENS[names[0]], "dm_conversation_id": conversation, "created_at": _now()}
            self.dm_events.append(event)
            return event

    def replies_to(self, post_id: str) -> list[dict]:
        return [p for p in self.posts.values() if p["author_id"] == MUNICIPALITY["id"]
                and _replied_to(p) == str(post_id)]

    def dms_to(self, name: str) -> list[dict]:
        return [e for e in self.dm_events if e["sender_id"] == MUNICIPALITY["id"]
                and e["dm_conversation_id"] == _conversation(CITIZENS[name], MUNICIPALITY["id"])]

    def rate_limited(self, path: str, reset: int, *, method: str | None = None) -> None:
        self.fault(path, 429, problem(429, "Too Many Requests", "Too Many Requests"), method=method,
                   headers={"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})

    def daily_cap_used_up(self, path: str, *, method: str | None = None) -> None:
        """X's 24-hour cap (e.g. 1 440 DM sends a day): a 429 while the 15-minute window still has room."""
        self.daily[path] = 0
        self.fault(path, 429, problem(429, "Too Many Requests", "Too Many Requests"), method=method,
                   headers={**self._daily_headers(0), "x-rate-limit-limit": "300", "x-rate-limit-remaining": "298",
                            "x-rate-limit-reset": str(int(time.time()) + 900)})

    def _daily_headers(self, remaining: int) -> dict[str, str]:
        return {"x-user-limit-24hour-limit": "1440", "x-user-limit-24hour-remaining": str(remaining),
                "x-user-limit-24hour-reset": str(self.daily_reset)}

    def outage(self, path: str, *, method: str | None = None, count: int = 1) -> None:
        self.fault(path, 503, problem(503, "Service Unavailable", "Service Unavailable"), method=method, count=count)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {token: 0 for token in self.tokens}

    def headers_for(self, request, status: int) -> dict[str, str]:
        remaining = next((n for path, n in self.quota.items() if re.search(path, request.path)), 299)
        daily = next((n for path, n in self.daily.items() if re.search(path, request.path)), None)
        return {"x-rate-limit-limit": "300", "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": str(int(time.time()) + 900),
                **(self._daily_headers(daily) if daily is not None else {})}

    # -- auth -------------------------------------------------------------------------------------
    def _authorised(self, handler):
        def check(request, *args):
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if self.tokens.get(token, 0) < time.time():
                return 401, problem(401, "Unauthorized", "Unauthorized"), {}
            return handler(request, *args)
        return check

    def _token(self, request) -> tuple:
        form = request.form
        if form.get("grant_type") != "refresh_token" or form.get("client_id") != CLIENT_ID \
                or form.get("refresh_token") not in self.refresh_tokens:
            return 400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}, {}
        self.refresh_tokens.discard(form["refresh_token"])
        access, refresh = "x-" + secrets.token_hex(8), "xr-" + secrets.token_hex(8)
        self.tokens[access] = time.time() + 7200
        self.refresh_tokens.add(refresh)
        return 200, {"token_type": "bearer", "expires_in": 7200, "access_token": access,
                     "scope": "tweet.read users.read tweet.write dm.read dm.write offline.access",
                     "refresh_token": refresh}, {}

    # -- reading ----------------------------------------------------------------------------------
    def _me(self, request) -> tuple:
        return 200, {"data": {k: MUNICIPALITY[k] for k in ("id", "username", "name")}}, {}

    def _mentions(self, request, user_id: str) -> tuple:
        found = [p for p in self.posts.values() if p["author_id"] != user_id and self._mentions_user(p, user_id)
                 and not p.get("superseded")]
        if request.args.get("start_time"):
            found = [p for p in found if p["created_at"] >= request.args["start_time"].replace("Z", ".000Z")]
        return self._post_page(request, found)

    def _timeline(self, request, user_id: str) -> tuple:
        return self._post_page(request, [p for p in self.posts.values() if p["author_id"] == user_id])

    def _lookup(self, request) -> tuple:
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        data = [self._shape(self.posts[i], request) for i in ids if i in self.posts]
        errors = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title": "Not Found Error",
                   "resource_type": "tweet", "parameter": "ids", "resource_id": i,
                   "type": "https://api.twitter.com/2/problems/resource-not-found"} for i in ids if i not in self.posts]
        return 200, {**({"data": data} if data else {}), **({"errors": errors} if errors else {})}, {}

    def _post_page(self, request, posts: list[dict]) -> tuple:
        size = int(request.args.get("max_results", 10))
        if not 5 <= size <= 100:
            return 400, {"errors": [{"parameters": {"max_results": [str(size)]},
                                     "message": "The `max_results` query parameter value is not between 5 and 100"}],
                         "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                         "type": "https://api.twitter.com/2/problems/invalid-request"}, {}
        since = int(request.args.get("since_id") or 0)
        posts = sorted((p for p in posts if int(p["id"]) > since), key=lambda p: -int(p["id"]))
        page, token = _paginate(posts, request.args.get("pagination_token"), size)
        body: dict[str, Any] = {"meta": {"result_count": len(page)}}
        if page:
            body["data"] = [self._shape(p, request) for p in page]
            body["meta"].update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
            includes = self._includes(page, request)
            if includes:
                body["includes"] = includes
        if token:
            body["meta"]["next_token"] = token
        return 200, body, {}

    def _dm_events(self, request) -> tuple:
        mine = [e for e in self.dm_events if MUNICIPALITY["id"] in e["dm_conversation_id"].split("-")
                or MUNICIPALITY["id"] in self.groups.get(e["dm_conversation_id"], [])]
        return self._event_page(request, mine)

    def _dm_with(self, request, participant: str) -> tuple:
        conversation = _conversation(participant, MUNICIPALITY["id"])
        return self._event_page(request, [e for e in self.dm_events if e["dm_conversation_id"] == conversation])

    def _dm_in(self, request, conversation: str) -> tuple:
        return self._event_page(request, [e for e in self.dm_events if e["dm_conversation_id"] == conversation])

    def _send_in_conversation(self, request, conversation: str) -> tuple:
        if MUNICIPALITY["id"] not in self.groups.get(conversation, []):
            return 403, problem(403, "Forbidden", "You are not a participant of this conversation."), {}
        event = {"id": str(next(self._ids)), "event_type": "MessageCreate", "sender_id": MUNICIPALITY["id"],
                 "text": str((request.get_json(silent=True) or {}).get("text") or ""), "created_at": _now(),
                 "dm_conversation_id": conversation}
        self.dm_events.append(event)
        return 201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event["id"]}}, {}

    def _event_page(self, request, events: list[dict]) -> tuple:
        kinds = request.args.get("event_types", "MessageCreate,ParticipantsJoin,ParticipantsLeave").split(",")
        events = sorted((e for e in events if e["event_type"] in kinds), key=lambda e: -int(e["id"]))
        page, token = _paginate(events, request.args.get("pagination_token"), int(request.args.get("max_results", 100)))
        body: dict[str, Any] = {"meta": {"result_count": len(page)}}
        if page:
            body["data"] = [dict(e) for e in page]
            if "sender_id" in request.args.get("expansions", ""):
                body["includes"] = {"users": [self._user(e["sender_id"], request) for e in page]}
        if token:
            body["meta"]["next_token"] = token
        return 200, body, {}

    def _shape(self, post: dict, request) -> dict:
        fields = set((request.args.get("tweet.fields") or request.args.get("post.fields") or "").split(","))
        shaped = {k: v for k, v in post.items() if k in fields | {"id", "text", "edit_history_tweet_ids"}}
        if "post.fields" in request.args:
            shaped["edit_history_post_ids"] = shaped.pop("edit_history_tweet_ids")
            if "referenced_tweets" in shaped:
                shaped["referenced_posts"] = shaped.pop("referenced_tweets")
        return shaped

    def _includes(self, page: list[dict], request) -> dict:
        expansions = set(request.args.get("expansions", "").split(","))
        users, posts = {}, {}
        for post in page:
            if "author_id" in expansions:
                users[post["author_id"]] = self._user(post["author_id"], request)
            for ref in post.get("referenced_tweets", []):
                if "referenced_tweets.id" in expansions and ref["id"] in self.posts:
                    posts[ref["id"]] = self._shape(self.posts[ref["id"]], request)
                    if "referenced_tweets.id.author_id" in expansions:
                        author = self.posts[ref["id"]]["author_id"]
                        users[author] = self._user(author, request)
        key = "posts" if "post.fields" in request.args else "tweets"
        return {**({"users": list(users.values())} if users else {}), **({key: list(posts.values())} if posts else {})}

    def _user(self, user_id: str, request) -> dict:
        fields = set(request.args.get("user.fields", "").split(","))
        return {k: v for k, v in self.users[user_id].items() if k in fields | {"id", "name", "username"}}

    def _mentions_user(self, post: dict, user_id: str) -> bool:
        return any(m["id"] == user_id for m in post.get("entities", {}).get("mentions", []))

    # -- writing ----------------------------------------------------------------------------------
    def _create_post(self, request) -> tuple:
        body = request.get_json(silent=True) or {}
        text, target_id = str(body.get("text") or ""), (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if len(text) > 280:
            return 400, problem(400, "Invalid Request", "Your Tweet text is too long.",
                                "https://api.twitter.com/2/problems/invalid-request"), {}
        if any(p["author_id"] == MUNICIPALITY["id"] and p["text"].endswith(text) for p in self.posts.values()):
            return 403, problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."), {}
        if target_id:
            target = self.posts.get(str(target_id))
            if target is None:
                return 400, problem(400, "Invalid Request", "The tweet you are replying to does not exist.",
                                    "https://api.twitter.com/2/problems/invalid-request"), {}
            if not self._summoned(target):
                return 403, problem(403, "Forbidden", NOT_SUMMONED), {}
            text = f"@{self.users[target['author_id']]['username']} {text}"
        post = self._add_post(MUNICIPALITY["id"], text, target_id, None)
        return 201, {"data": {"id": post["id"], "text": post["text"], "edit_history_tweet_ids": [post["id"]]}}, {}

    def _summoned(self, target: dict) -> bool:
        """X 2026: a reply only to our own posts, or to posts that mention or quote us."""
        quoted = [r["id"] for r in target.get("referenced_tweets", []) if r["type"] == "quoted"]
        return (target["author_id"] == MUNICIPALITY["id"] or self._mentions_user(target, MUNICIPALITY["id"])
                or any(self.posts.get(q, {}).get("author_id") == MUNICIPALITY["id"] for q in quoted))

    def _send_dm(self, request, participant: str) -> tuple:
        user = self.users.get(participant)
        wrote_us = any(e["sender_id"] == participant for e in self.dm_events)
        if user is None or not (user["receives_your_dm"] or wrote_us):
            return 403, problem(403, "Forbidden", "You are not permitted to send direct messages to this user."), {}
        event = {"id": str(next(self._ids)), "event_type": "MessageCreate", "sender_id": MUNICIPALITY["id"],
                 "text": str((request.get_json(silent=True) or {}).get("text") or ""), "created_at": _now(),
                 "dm_conversation_id": _conversation(participant, MUNICIPALITY["id"])}
        self.dm_events.append(event)
        return 201, {"data": {"dm_conversation_id": event["dm_conversation_id"], "dm_event_id": event["id"]}}, {}

    def _add_post(self, author: str, text: str, in_reply_to: str | None, quote: str | None) -> dict:
        with self.lock:
            post_id = str(next(self._ids))
            target = self.posts.get(str(in_reply_to)) if in_reply_to else None
            refs = ([{"type": "replied_to", "id": str(in_reply_to)}] if in_reply_to else []) + \
                   ([{"type": "quoted", "id": str(quote)}] if quote else [])
            names = {u["username"].lower(): u for u in self.users.values()}
            mentions = [{"start": m.start(), "end": m.end(), "username": names[m.group(1).lower()]["username"],
                         "id": names[m.group(1).lower()]["id"]}
                        for m in _MENTION.finditer(text) if m.group(1).lower() in names]
            long = {"note_tweet": {"text": text}} if len(text) > 280 else {}  # X: `text` cut, the whole in note_tweet
            post = {"id": post_id, "text": text[:279] + "…" if long else text, **long, "author_id": author,
                    "created_at": _now(), "lang": "nl",
                    "conversation_id": target["conversation_id"] if target else post_id,
                    "edit_history_tweet_ids": [post_id], **({"entities": {"mentions": mentions}} if mentions else {}),
                    **({"referenced_tweets": refs} if refs else {}),
                    **({"in_reply_to_user_id": target["author_id"]} if target else {})}
            self.posts[post_id] = post
            return post

    # -- channels ---------------------------------------------------------------------------------
    def channel(self, session: Session, **kwargs) -> Channel:
        record = channels.create_channel(session, platform="x", name=kwargs.pop("name", "X gemeente"),
                                         base_url=self.base_url, token=kwargs.pop("token", TOKEN),
                                         handle="@" + MUNICIPALITY["username"], extra=kwargs.pop("extra", None),
                                         **kwargs)
        session.commit()
        return record


def _paginate(items: list[dict], token: str | None, size: int) -> tuple[list[dict], str | None]:
    start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    page = items[start:start + size]
    more = start + size < len(items)
    return page, base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else None


def _conversation(a: str, b: str) -> str:
    return "-".join(sorted((a, b), key=int))


def _replied_to(post: dict) -> str | None:
    return next((r["id"] for r in post.get("referenced_tweets", []) if r["type"] == "replied_to"), None)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now(UTC).microsecond // 1000:03d}Z"


@pytest.fixture
def x() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server
