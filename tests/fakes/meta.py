"""A fake Meta Graph API (a Facebook Page with Messenger, and its Instagram account) plus a webhook sender.

Graph side (real local HTTP server, `/v25.0/...`): `GET /{page}`, `/{ig}`, `/{page}/feed` (posts with nested
`comments{...}`), `/{ig}/media` (with `comments{...,replies{...}}`), `/{node}/conversations` (`platform`,
`user_id`), `/{comment}/comments`, `/{ig-comment}/replies`; `POST /{comment}/comments`, `/{ig-comment}/replies`,
`/{ig}/mentions`, `/{page}/messages` (24-hour window for `RESPONSE`, 7 days for `HUMAN_AGENT`, one private reply
per comment). Every call needs the bearer Page token and the right `appsecret_proof`. Errors are Graph errors
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`; `X-App-Usage` and
`X-Business-Use-Case-Usage` are sent on every answer from `usage` / `buc_usage`.

Webhook side: citizen helpers (`comment`, `dm`, `ig_comment`, ...) record the item and return the webhook
notification Meta would send; `deliver(client, channel_id, payload)` POSTs it to our app signed exactly as
Meta does (`json.dumps` bytes, `X-Hub-Signature-256` HMAC-SHA256 with the app secret).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.fakes.http import FakeServer
from webcare.models import Channel
from webcare.services import channels

VERSION = "v25.0"
PAGE = {"id": "104123456789012", "name": "Gemeente Voorbeeldstad", "username": "gemeentevoorbeeldstad"}
IG = {"id": "17841400000000001", "username": "gemeentevoorbeeldstad", "name": "Gemeente Voorbeeldstad"}
TOKEN, APP_SECRET, VERIFY_TOKEN = "EAAG-page-token", "meta-app-secret", "verify-me"
CITIZENS = {"jan": ("6123456789012345", "Jan de Vries"), "fatima": ("6123456789012346", "Fatima el Amrani"),
            "piet": ("6123456789012347", "Piet Jansen")}
DAY = 24 * 3600


def graph_error(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf12345"}
    return {"error": {**error, **({"error_subcode": subcode} if subcode else {})}}


class FakeMeta(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.posts: dict[str, dict] = {}  # Facebook posts, with "comments": [...]
        self.comments: dict[str, dict] = {}  # Facebook comments and Instagram comments by id
        self.media: dict[str, dict] = {}
        self.messages: list[dict] = []  # Messenger and Instagram Direct, both directions
        self.private_replies: dict[str, dict] = {}  # comment id -> our message
        self.usage: dict[str, int] = {"call_count": 1, "total_cputime": 1, "total_time": 1}
        self.buc_usage: dict[str, Any] | None = None
        self._ids = itertools.count(987001)
        v = f"/{VERSION}"
        for method, pattern, handler in [
            ("GET", rf"{v}/(\w+)/feed", self._feed), ("GET", rf"{v}/(\w+)/media", self._media_list),
            ("GET", rf"{v}/(\w+)/conversations", self._conversations),
            ("GET", rf"{v}/([\w_]+)/comments", self._comment_list), ("GET", rf"{v}/(\w+)/replies", self._reply_list),
            ("POST", rf"{v}/([\w_]+)/comments", self._add_comment), ("POST", rf"{v}/(\w+)/replies", self._add_reply),
            ("POST", rf"{v}/(\w+)/mentions", self._reply_mention), ("POST", rf"{v}/(\w+)/messages", self._send),
            ("GET", rf"{v}/(\w+)", self._node)]:
            self.route(method, pattern, self._authorised(handler))

    # -- citizens (each returns the webhook notification) -----------------------------------------
    def announce(self, text: str) -> dict:
        post = {"id": f"{PAGE['id']}_{next(self._ids)}", "message": text, "created_time": time.time(),
                "from": {"id": PAGE["id"], "name": PAGE["name"]}, "comments": []}
        self.posts[post["id"]] = post
        return post

    def comment(self, name: str, post_id: str, text: str, *, parent: str | None = None, at: float | None = None) -> dict:
        user_id, user_name = CITIZENS[name]
        comment = {"id": f"{post_id}_{next(self._ids)}", "message": text, "created_time": at or time.time(),
                   "from": {"id": user_id, "name": user_name}, "parent": {"id": parent} if parent else None,
                   "post_id": post_id}
        self.posts[post_id]["comments"].append(comment)
        self.comments[comment["id"]] = comment
        return self.feed_notification(comment)

    def feed_notification(self, comment: dict, verb: str = "add") -> dict:
        value = {"item": "comment", "verb": verb, "comment_id": comment["id"], "post_id": comment["post_id"],
                 "parent_id": (comment["parent"] or {}).get("id") or comment["post_id"], "from": comment["from"],
                 "message": comment["message"], "created_time": int(comment["created_time"]),
                 "post": {"id": comment["post_id"], "status_type": "added_photos", "is_published": True}}
        return page_change("feed", value)

    def mention(self, name: str, post_id: str, text: str) -> dict:
        payload = self.comment(name, post_id, text)
        value = payload["entry"][0]["changes"][0]["value"]
        return page_change("mention", {"item": "comment", "verb": "add", "post_id": post_id,
                                       "comment_id": value["comment_id"], "sender_id": value["from"]["id"],
                                       "sender_name": value["from"]["name"], "message": text,
                                       "created_time": value["created_time"]})

    def dm(self, name: str, text: str, *, at: float | None = None, platform: str = "messenger") -> dict:
        user_id, user_name = CITIZENS[name]
        own = PAGE["id"] if platform == "messenger" else IG["id"]
        message = {"id": f"m_{next(self._ids)}", "message": text, "created_time": at or time.time(),
                   "from": {"id": user_id, "name": user_name, "username": name}, "to": own, "platform": platform,
                   "user": user_id}
        self.messages.append(message)
        event = {"sender": {"id": user_id}, "recipient": {"id": own}, "timestamp": int(message["created_time"] * 1000),
                 "message": {"mid": message["id"], "text": text}}
        return {"object": "page" if platform == "messenger" else "instagram",
                "entry": [{"id": own, "time": event["timestamp"], "messaging": [event]}]}

    def ig_post(self, caption: str) -> dict:
        media = {"id": str(next(self._ids)) + "17", "caption": caption, "timestamp": time.time(),
                 "permalink": "https://www.instagram.com/p/Cxyz/", "comments": []}
        self.media[media["id"]] = media
        return media

    def ig_comment(self, name: str, media_id: str, text: str, *, at: float | None = None) -> dict:
        user_id, _ = CITIZENS[name]
        comment = {"id": str(next(self._ids)) + "18", "text": text, "timestamp": at or time.time(),
                   "from": {"id": user_id, "username": name}, "username": name, "media_id": media_id, "replies": []}
        self.media[media_id]["comments"].append(comment)
        self.comments[comment["id"]] = comment
        value = {"id": comment["id"], "from": comment["from"], "text": text,
                 "media": {"id": media_id, "media_product_type": "FEED"}}
        return ig_change("comments", value)

    def ig_mention(self, media_id: str, comment_id: str) -> dict:
        return ig_change("mentions", {"media_id": media_id, "comment_id": comment_id})

    # -- webhook delivery -------------------------------------------------------------------------
    @staticmethod
    def signed(payload: dict, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(payload).encode()  # ensure_ascii: non-ASCII arrives \\u-escaped, as from Meta
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}

    def deliver(self, client, platform: str, channel_id: int, payload: dict, secret: str = APP_SECRET):
        body, headers = self.signed(payload, secret)
        return client.post(f"/webhooks/{platform}/{channel_id}", data=body, headers=headers)

    # -- inspection -------------------------------------------------------------------------------
    def replies_to(self, comment_id: str) -> list[dict]:
        return [c for c in self.comments.values() if c.get("reply_to") == comment_id]

    def sent_to(self, user_id: str) -> list[dict]:
        return [m for m in self.messages if m.get("to") == user_id]

    def headers_for(self, request, status: int) -> dict[str, str]:
        headers = {"X-App-Usage": json.dumps(self.usage)}
        if self.buc_usage is not None:
            headers["X-Business-Use-Case-Usage"] = json.dumps({PAGE["id"]: [self.buc_usage]})
        return headers

    # -- Graph: auth and reading ------------------------------------------------------------------
    def _authorised(self, handler):
        def check(request, *args):
            proof = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return 400, graph_error(190, "Error validating access token: Session has expired.", 463), {}
            if request.args.get("appsecret_proof") != proof:
                return 400, graph_error(100, "Invalid appsecret_proof provided in the API argument",
                                        kind="GraphMethodException"), {}
            return handler(request, *args)
        return check

    def _node(self, request, node: str) -> tuple:
        for account in (PAGE, IG):
            if node == account["id"]:
                return 200, dict(account), {}
        return 404, graph_error(803, "(#803) Some of the aliases you requested do not exist"), {}

    def _feed(self, request, page: str) -> tuple:
        posts = sorted(self.posts.values(), key=lambda p: -p["created_time"])[:int(request.args.get("limit", 25))]
        data = [{"id": p["id"], "message": p["message"], "created_time": _iso(p["created_time"]), "from": p["from"],
                 "comments": {"data": [_fb_comment(c) for c in sorted(p["comments"], key=lambda c: -c["created_time"])]}}
                for p in posts]
        return 200, {"data": data, "paging": {"cursors": {"before": "QVFIUmx", "after": "QVFIUnd"}}}, {}

    def _media_list(self, request, ig: str) -> tuple:
        data = [{"id": m["id"], "timestamp": _iso(m["timestamp"]), "permalink": m["permalink"],
                 "comments": {"data": [{**_ig_comment(c), "replies": {"data": [_ig_comment(r) for r in c["replies"]]}}
                                       for c in m["comments"]]}}
                for m in sorted(self.media.values(), key=lambda m: -m["timestamp"])]
        return 200, {"data": data}, {}

    def _conversations(self, request, node: str) -> tuple:
        platform, user = request.args.get("platform", "messenger"), request.args.get("user_id")
        users = sorted({m["user"] for m in self.messages if m["platform"] == platform and (not user or m["user"] == user)})
        data = []
        for uid in users:
            items = sorted((m for m in self.messages if m["user"] == uid and m["platform"] == platform),
                           key=lambda m: -m["created_time"])
            data.append({"id": f"t_{uid}", "updated_time": _iso(items[0]["created_time"]),
                         "messages": {"data": [{"id": m["id"], "message": m["message"], "from": m["from"],
                                                "created_time": _iso(m["created_time"])} for m in items]}})
        data.sort(key=lambda c: c["updated_time"], reverse=True)
        return 200, {"data": data[:int(request.args.get("limit", 25))]}, {}

    def _comment_list(self, request, target: str) -> tuple:
        return 200, {"data": [_fb_comment(c) for c in self.replies_to(target)]}, {}

    def _reply_list(self, request, target: str) -> tuple:
        return 200, {"data": [_ig_comment(c) for c in self.replies_to(target)]}, {}

    # -- Graph: writing ---------------------------------------------------------------------------
    def _add_comment(self, request, target: str) -> tuple:
        text = (request.get_json(silent=True) or {}).get("message")
        if target not in self.comments and target not in self.posts:
            return 400, graph_error(100, "(#100) Unsupported post request.", 33, "GraphMethodException"), {}
        reply = {"id": f"{target}_{next(self._ids)}", "message": text, "created_time": time.time(),
                 "from": {"id": PAGE["id"], "name": PAGE["name"]}, "reply_to": target, "parent": {"id": target}}
        self.comments[reply["id"]] = reply
        return 200, {"id": reply["id"]}, {}

    def _add_reply(self, request, target: str) -> tuple:
        text = (request.get_json(silent=True) or {}).get("message")
        if target not in self.comments:
            return 400, graph_error(100, "(#100) Invalid parameter", kind="GraphMethodException"), {}
        reply = {"id": str(next(self._ids)) + "19", "text": text, "timestamp": time.time(), "reply_to": target,
                 "from": {"id": IG["id"], "username": IG["username"]}, "username": IG["username"]}
        self.comments[reply["id"]] = reply
        return 200, {"id": reply["id"]}, {}

    def _reply_mention(self, request, ig: str) -> tuple:
        body = request.get_json(silent=True) or {}
        reply = {"id": str(next(self._ids)) + "20", "text": body.get("message"), "timestamp": time.time(),
                 "reply_to": body.get("comment_id"), "from": {"id": IG["id"]}}
        self.comments[reply["id"]] = reply
        return 200, {"id": reply["id"]}, {}

    def _send(self, request, node: str) -> tuple:
        body = request.get_json(silent=True) or {}
        recipient, text = body.get("recipient") or {}, (body.get("message") or {}).get("text")
        if recipient.get("comment_id") or recipient.get("post_id"):
            return self._private_reply(str(recipient.get("comment_id") or recipient.get("post_id")), text)
        user = str(recipient.get("id"))
        last = max((m["created_time"] for m in self.messages if m["from"]["id"] == user), default=None)
        if last is None:
            return 400, graph_error(100, "(#100) No matching user found", 2018001), {}
        age = time.time() - last
        allowed = DAY if body.get("messaging_type") == "RESPONSE" else (
            7 * DAY if body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") == "HUMAN_AGENT" else 0)
        if age > allowed:
            return 400, graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278), {}
        platform = next(m["platform"] for m in self.messages if m["from"]["id"] == user)
        return self._store_sent(user, text, platform)

    def _private_reply(self, target: str, text: str) -> tuple:
        comment = self.comments.get(target) or self.posts.get(target)
        if comment is None:
            return 400, graph_error(100, "(#100) Invalid comment_id", kind="GraphMethodException"), {}
        if target in self.private_replies:
            return 400, graph_error(10900, "Activity already replied to", kind="OAuthException"), {}
        if time.time() - (comment.get("created_time") or comment.get("timestamp")) > 7 * DAY:
            return 400, graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278), {}
        user = comment["from"]["id"]
        status, answer, headers = self._store_sent(user, text, "instagram" if "text" in comment else "messenger")
        self.private_replies[target] = answer
        return status, answer, headers

    def _store_sent(self, user: str, text: str, platform: str) -> tuple:
        own = PAGE if platform == "messenger" else IG
        message = {"id": f"m_{next(self._ids)}", "message": text, "created_time": time.time(), "to": user,
                   "from": {"id": own["id"], "name": own["name"]}, "platform": platform, "user": user}
        self.messages.append(message)
        return 200, {"recipient_id": user, "message_id": message["id"]}, {}

    # -- channels ---------------------------------------------------------------------------------
    def channel(self, session: Session, platform: str = "facebook", **kwargs) -> Channel:
        extra = {"page_id": PAGE["id"], "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN,
                 **({"ig_user_id": IG["id"]} if platform == "instagram" else {}), **kwargs.pop("extra", {})}
        record = channels.create_channel(session, platform=platform, name=kwargs.pop("name", f"{platform} gemeente"),
                                         base_url=self.base_url, token=kwargs.pop("token", TOKEN), extra=extra,
                                         handle="@" + PAGE["username"], **kwargs)
        session.commit()
        return record


def page_change(field: str, value: dict) -> dict:
    return {"object": "page", "entry": [{"id": PAGE["id"], "time": int(time.time()),
                                         "changes": [{"field": field, "value": value}]}]}


def ig_change(field: str, value: dict) -> dict:
    return {"object": "instagram", "entry": [{"id": IG["id"], "time": int(time.time()),
                                              "changes": [{"field": field, "value": value}]}]}


def _fb_comment(comment: dict) -> dict:
    return {"id": comment["id"], "message": comment["message"], "created_time": _iso(comment["created_time"]),
            "from": comment["from"], **({"parent": comment["parent"]} if comment.get("parent") else {})}


def _ig_comment(comment: dict) -> dict:
    return {"id": comment["id"], "text": comment["text"], "timestamp": _iso(comment["timestamp"]),
            "from": comment["from"], "username": comment.get("username")}


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


@pytest.fixture
def meta() -> Iterator[FakeMeta]:
    with FakeMeta() as server:
        yield server
