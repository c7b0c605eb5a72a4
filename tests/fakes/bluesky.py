"""A fake Bluesky PDS (with the chat service behind it) as a real local HTTP server.

XRPC endpoints our adapter uses: `com.atproto.server.createSession` (limited: 30 per 5 minutes) and
`refreshSession` (a refresh token works once), `app.bsky.actor.getProfile`,
`app.bsky.notification.listNotifications` (reasons, cursor, newest first), `com.atproto.repo.getRecord`
and `createRecord` (a client-chosen TID `rkey`; an existing key fails as it does deep inside a real PDS),
and the chat service through the PDS with `atproto-proxy: did:web:api.bsky.chat#bsky_chat`:
`chat.bsky.convo.getLog`, `getConvo`, `getMessages`, `getConvoAvailability`, `getConvoForMembers`,
`sendMessage`. Sessions are real JWTs with `exp`; errors are XRPC `{"error", "message"}` bodies; every
answer carries `ratelimit-limit/remaining/reset/policy` (reset in epoch seconds).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from tests.fakes.http import FakeServer
from webcare.models import Channel
from webcare.platforms.bluesky_format import tid_for
from webcare.services import channels

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
MUNICIPALITY = {"did": "did:plc:gemeente00000000000000000", "handle": "voorbeeldstad.nl",
                "displayName": "Gemeente Voorbeeldstad"}
CITIZENS = {"jan": "did:plc:jan7k2x3q4r5s6t7u8v9w0", "fatima": "did:plc:fatima2x3q4r5s6t7u8v9w0",
            "piet": "did:plc:piet7k2x3q4r5s6t7u8v9w0"}
POST = "app.bsky.feed.post"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def xrpc_error(status: int, error: str, message: str) -> tuple:
    return status, {"error": error, "message": message}, {}


class FakeBluesky(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.accounts = {MUNICIPALITY["did"]: {**MUNICIPALITY, "allowIncoming": "all", "follows": set()}}
        for name, did in CITIZENS.items():
            self.accounts[did] = {"did": did, "handle": f"{name}.bsky.social", "displayName": f"{name.capitalize()} de Burger",
                                  "allowIncoming": "all", "follows": set()}
        self.app_password = APP_PASSWORD
        self.access: dict[str, float] = {}
        self.refresh: set[str] = set()
        self.session_creations: list[float] = []
        self.records: dict[str, dict] = {}  # uri -> {"uri", "cid", "value", "indexedAt"}
        self.notifications: list[dict] = []
        self.convos: dict[str, dict] = {}
        self.messages: list[dict] = []
        self.logs: list[dict] = []
        self.remaining = 2999
        self._clock = itertools.count(int(time.time() * 1_000_000), 1000)  # one millisecond a step
        for method, nsid, handler in [
            ("POST", "com.atproto.server.createSession", self._create_session),
            ("POST", "com.atproto.server.refreshSession", self._refresh_session),
            ("GET", "app.bsky.actor.getProfile", self._get_profile),
            ("GET", "app.bsky.notification.listNotifications", self._list_notifications),
            ("GET", "com.atproto.repo.getRecord", self._get_record),
            ("POST", "com.atproto.repo.createRecord", self._create_record),
            ("GET", "chat.bsky.convo.getLog", self._get_log), ("GET", "chat.bsky.convo.getConvo", self._get_convo),
            ("GET", "chat.bsky.convo.getMessages", self._get_messages),
            ("GET", "chat.bsky.convo.getConvoAvailability", self._availability),
            ("GET", "chat.bsky.convo.getConvoForMembers", self._for_members),
            ("POST", "chat.bsky.convo.sendMessage", self._send_message)]:
            wrapped = handler if "Session" in nsid else self._authorised(handler, chat=nsid.startswith("chat."))
            self.route(method, f"/xrpc/{re.escape(nsid)}", wrapped)

    # -- helpers for tests ------------------------------------------------------------------------
    def post(self, name: str, text: str, *, reply_to: str | None = None, mention: bool = True) -> dict:
        """A citizen posts; `mention` starts the text with @voorbeeldstad.nl and a mention facet."""
        did = CITIZENS[name]
        record = {"$type": POST, "text": text, "createdAt": _iso(), "langs": ["nl"]}
        if mention:
            handle = "@" + MUNICIPALITY["handle"]
            record["text"] = f"{handle} {text}"
            record["facets"] = [{"index": {"byteStart": 0, "byteEnd": len(handle.encode())},
                                 "features": [{"$type": "app.bsky.richtext.facet#mention", "did": MUNICIPALITY["did"]}]}]
        if reply_to:
            parent = self.records[reply_to]
            root = parent["value"].get("reply", {}).get("root") or {"uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        return self._store(did, self._tid(), record)

    def announce(self, text: str) -> dict:
        return self._store(MUNICIPALITY["did"], self._tid(), {"$type": POST, "text": text, "createdAt": _iso()})

    def chat(self, name: str, text: str) -> dict:
        convo = self._convo([CITIZENS[name], MUNICIPALITY["did"]])
        return self._message(convo, CITIZENS[name], text)

    def replies_to(self, uri: str) -> list[dict]:
        return [r for r in self.records.values() if r["uri"].startswith(f"at://{MUNICIPALITY['did']}/")
                and r["value"].get("reply", {}).get("parent", {}).get("uri") == uri]

    def chats_to(self, name: str) -> list[dict]:
        convo = self._convo([CITIZENS[name], MUNICIPALITY["did"]])
        return [m for m in self.messages if m["convoId"] == convo["id"] and m["sender"]["did"] == MUNICIPALITY["did"]]

    def expire_sessions(self) -> None:
        with self.lock:
            self.access = {token: 0 for token in self.access}

    def rate_limited(self, nsid: str, reset: int) -> None:
        self.fault(re.escape(nsid), 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                   headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset),
                            "ratelimit-policy": "3000;w=300", "retry-after": "120"})

    def headers_for(self, request, status: int) -> dict[str, str]:
        return {"ratelimit-limit": "3000", "ratelimit-remaining": str(self.remaining),
                "ratelimit-reset": str(int(time.time()) + 300), "ratelimit-policy": "3000;w=300"}

    # -- sessions ---------------------------------------------------------------------------------
    def _jwt(self, scope: str, lifetime: int, did: str) -> str:
        def part(data: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
        claims = {"scope": scope, "sub": did, "iat": int(time.time()), "exp": int(time.time()) + lifetime,
                  "jti": secrets.token_hex(8)}
        return f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.{secrets.token_hex(16)}"

    def _new_session(self) -> dict:
        did = MUNICIPALITY["did"]
        access, refresh = self._jwt("com.atproto.appPass", 7200, did), self._jwt("com.atproto.refresh", 90 * 86400, did)
        self.access[access] = time.time() + 7200
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": MUNICIPALITY["handle"], "did": did,
                "active": True}

    def _create_session(self, request) -> tuple:
        now = time.time()
        self.session_creations = [t for t in self.session_creations if t > now - 300] + [now]
        if len(self.session_creations) > 30:
            return 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, {
                "ratelimit-limit": "30", "ratelimit-remaining": "0", "ratelimit-reset": str(int(now) + 300),
                "ratelimit-policy": "30;w=300"}
        body = request.get_json(silent=True) or {}
        if body.get("identifier") not in (MUNICIPALITY["handle"], MUNICIPALITY["did"]) \
                or body.get("password") != self.app_password:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return 200, self._new_session(), {}

    def _refresh_session(self, request) -> tuple:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.refresh:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        self.refresh.discard(token)
        return 200, self._new_session(), {}

    def _authorised(self, handler, *, chat: bool):
        def check(request, *args):
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in self.access:
                return xrpc_error(401, "AuthenticationRequired", "Invalid token")
            if self.access[token] < time.time():
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            if chat and request.headers.get("atproto-proxy") != CHAT_PROXY:
                return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
            return handler(request, *args)
        return check

    # -- repo and notifications -------------------------------------------------------------------
    def _get_profile(self, request) -> tuple:
        account = self.accounts.get(request.args.get("actor")) or next(
            (a for a in self.accounts.values() if a["handle"] == request.args.get("actor")), None)
        if account is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        return 200, self._profile(account), {}

    def _list_notifications(self, request) -> tuple:
        reasons = request.args.getlist("reasons") or None
        items = [n for n in self.notifications if reasons is None or n["reason"] in reasons]
        items.sort(key=lambda n: n["indexedAt"], reverse=True)
        cursor = request.args.get("cursor")
        if cursor:
            items = [n for n in items if n["indexedAt"] < cursor]
        page = items[:int(request.args.get("limit", 50))]
        more = len(items) > len(page)
        return 200, {"notifications": [self._notification_view(n) for n in page],
                     **({"cursor": page[-1]["indexedAt"]} if page and more else {})}, {}

    def _notification_view(self, n: dict) -> dict:
        record = self.records[n["uri"]]
        author = self.accounts[record["uri"].split("/")[2]]
        return {"uri": n["uri"], "cid": record["cid"], "author": self._profile(author), "reason": n["reason"],
                "record": record["value"], "isRead": False, "indexedAt": n["indexedAt"], "labels": []}

    def _get_record(self, request) -> tuple:
        uri = f"at://{request.args.get('repo')}/{request.args.get('collection')}/{request.args.get('rkey')}"
        if uri not in self.records:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        record = self.records[uri]
        return 200, {"uri": uri, "cid": record["cid"], "value": record["value"]}, {}

    def _create_record(self, request) -> tuple:
        body = request.get_json(silent=True) or {}
        record, rkey = body.get("record") or {}, body.get("rkey") or self._tid()
        if body.get("repo") not in (MUNICIPALITY["did"], MUNICIPALITY["handle"]):
            return xrpc_error(400, "InvalidRequest", "Invalid repo")
        if body.get("collection") != POST or record.get("$type") != POST or not _TID.match(rkey):
            return xrpc_error(400, "InvalidRecord", "Invalid app.bsky.feed.post record or record key")
        if len(record.get("text", "")) > 300:
            return xrpc_error(400, "InvalidRecord", "Invalid app.bsky.feed.post record: Record/text must not be "
                                                    "longer than 300 graphemes")
        if f"at://{MUNICIPALITY['did']}/{POST}/{rkey}" in self.records:
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        stored = self._store(MUNICIPALITY["did"], rkey, record)
        return 200, {"uri": stored["uri"], "cid": stored["cid"], "validationStatus": "valid",
                     "commit": {"cid": _cid(), "rev": self._tid()}}, {}

    def _store(self, did: str, rkey: str, record: dict) -> dict:
        with self.lock:
            uri = f"at://{did}/{POST}/{rkey}"
            stored = {"uri": uri, "cid": _cid(), "value": record, "indexedAt": _iso(next(self._clock))}
            self.records[uri] = stored
            self._notify(did, stored)
            return stored

    def _notify(self, author: str, stored: dict) -> None:
        """Notifications of the municipality: mentions (facet), replies to its posts, quotes."""
        if author == MUNICIPALITY["did"]:
            return
        value, reason = stored["value"], None
        if any(f.get("did") == MUNICIPALITY["did"] for facet in value.get("facets", []) for f in facet["features"]):
            reason = "mention"
        parent = value.get("reply", {}).get("parent", {}).get("uri", "")
        if parent.startswith(f"at://{MUNICIPALITY['did']}/"):
            reason = "reply"
        if reason:
            self.notifications.append({"uri": stored["uri"], "reason": reason, "indexedAt": stored["indexedAt"]})

    # -- chat -------------------------------------------------------------------------------------
    def _convo(self, members: list[str]) -> dict:
        key = ",".join(sorted(members))
        for convo in self.convos.values():
            if convo["key"] == key:
                return convo
        convo = {"id": self._tid(), "key": key, "members": sorted(members), "rev": self._tid()}
        self.convos[convo["id"]] = convo
        self.logs.append({"$type": "chat.bsky.convo.defs#logBeginConvo", "rev": self._tid(), "convoId": convo["id"]})
        return convo

    def _message(self, convo: dict, sender: str, text: str) -> dict:
        with self.lock:
            message = {"id": self._tid(), "rev": self._tid(), "sender": {"did": sender}, "text": text,
                       "sentAt": _iso(), "convoId": convo["id"]}
            self.messages.append(message)
            self.logs.append({"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": message["rev"],
                              "convoId": convo["id"], "message": _message_view(message)})
            return message

    def _get_log(self, request) -> tuple:
        cursor = request.args.get("cursor") or ""
        logs = [entry for entry in self.logs if entry["rev"] > cursor][:100]
        return 200, {"logs": logs, **({"cursor": logs[-1]["rev"]} if logs else ({"cursor": cursor} if cursor else {}))}, {}

    def _convo_view(self, convo: dict) -> dict:
        members = [{k: v for k, v in self._profile(self.accounts[did]).items() if k != "viewer"} for did in convo["members"]]
        return {"id": convo["id"], "rev": convo["rev"], "members": members, "muted": False, "unreadCount": 0,
                "status": "accepted"}

    def _get_convo(self, request) -> tuple:
        convo = self.convos.get(request.args.get("convoId"))
        if convo is None:
            return xrpc_error(400, "InvalidConvo", "Convo not found")
        return 200, {"convo": self._convo_view(convo)}, {}

    def _get_messages(self, request) -> tuple:
        found = [m for m in self.messages if m["convoId"] == request.args.get("convoId")]
        page = sorted(found, key=lambda m: m["rev"], reverse=True)[:int(request.args.get("limit", 50))]
        return 200, {"messages": [_message_view(m) for m in page]}, {}

    def _allowed(self, did: str) -> bool:
        account = self.accounts[did]
        return account["allowIncoming"] == "all" or (
            account["allowIncoming"] == "following" and MUNICIPALITY["did"] in account["follows"])

    def _availability(self, request) -> tuple:
        [did] = request.args.getlist("members")
        existing = next((c for c in self.convos.values() if c["key"] == ",".join(sorted([did, MUNICIPALITY["did"]]))), None)
        return 200, {"canChat": self._allowed(did), **({"convo": self._convo_view(existing)} if existing else {})}, {}

    def _for_members(self, request) -> tuple:
        [did] = request.args.getlist("members")
        if not self._allowed(did):
            return xrpc_error(400, "InvalidRequest", "recipient requires incoming messages to come from someone they follow")
        return 200, {"convo": self._convo_view(self._convo([did, MUNICIPALITY["did"]]))}, {}

    def _send_message(self, request) -> tuple:
        body = request.get_json(silent=True) or {}
        convo = self.convos.get(body.get("convoId"))
        if convo is None:
            return xrpc_error(400, "InvalidConvo", "Convo not found")
        message = self._message(convo, MUNICIPALITY["did"], str((body.get("message") or {}).get("text") or ""))
        return 200, _message_view(message), {}

    # -- misc -------------------------------------------------------------------------------------
    def _profile(self, account: dict) -> dict:
        follows_us = MUNICIPALITY["did"] in account["follows"]
        return {"did": account["did"], "handle": account["handle"], "displayName": account["displayName"],
                "associated": {"chat": {"allowIncoming": account["allowIncoming"]}},
                "viewer": {"muted": False, "blockedBy": False,
                           **({"followedBy": f"at://{account['did']}/app.bsky.graph.follow/3k"} if follows_us else {})}}

    def _tid(self) -> str:
        return tid_for(secrets.token_hex(4), datetime.fromtimestamp(next(self._clock) / 1_000_000, UTC))

    def channel(self, session: Session, **kwargs) -> Channel:
        record = channels.create_channel(session, platform="bluesky", name=kwargs.pop("name", "Bluesky gemeente"),
                                         base_url=self.base_url, token=kwargs.pop("token", APP_PASSWORD),
                                         handle=kwargs.pop("handle", MUNICIPALITY["handle"]), **kwargs)
        session.commit()
        return record


def _message_view(message: dict) -> dict:
    return {"$type": "chat.bsky.convo.defs#messageView", **{k: v for k, v in message.items() if k != "convoId"}}


def _cid() -> str:
    return "bafyrei" + base64.b32encode(secrets.token_bytes(32)).decode().lower().rstrip("=")[:52]


def _iso(micros: int | None = None) -> str:
    moment = datetime.fromtimestamp(micros / 1_000_000, UTC) if micros else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as server:
        yield server

