"""A fake TikTok API for Business (Business Account API v1.3) as a real local HTTP server.

Speaks the wire format our adapter uses: `GET /business/get/`, `GET /business/video/list/` (videos with
their comment counts, `fields` as a JSON list), `GET /business/comment/list/` (newest first with
`include_replies`, integer `cursor` and `has_more`), `GET /business/comment/reply/list/`,
`POST /business/comment/reply/create/` and `POST /tt_user/oauth2/refresh_token/`. The token goes in the
`Access-Token` header. Every answer is TikTok's envelope `{"code", "message", "request_id", "data"}`,
errors included and mostly with HTTP 200 (40100 too many requests, 40105 invalid token, 40002 bad
parameter, 50000 internal error).
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tests.fakes.http import FakeServer
from webcare.models import Channel
from webcare.services import channels

BUSINESS_ID = "-000Gemeente9aBcD"
ACCOUNT = {"username": "gemeentevoorbeeldstad", "display_name": "Gemeente Voorbeeldstad"}
CITIZENS = {"jan": "6912345678001", "fatima": "6912345678002", "piet": "6912345678003"}
TOKEN, REFRESH, APP_ID, APP_SECRET = "act.gemeente", "rft.gemeente", "7300000000000000001", "tt-secret"


def envelope(code: int, message: str, data: dict | None = None) -> dict:
    return {"code": code, "message": message, "request_id": uuid.uuid4().hex, **({"data": data} if data else {})}


class FakeTikTok(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.videos: dict[str, dict] = {}
        self.comments: dict[str, dict] = {}
        self.tokens = {TOKEN: time.time() + 86400}
        self.refresh_tokens = {REFRESH}
        self._ids = itertools.count(7440000000000000001, 7919)
        for method, pattern, handler in [
            ("GET", "/business/get/", self._account), ("GET", "/business/video/list/", self._video_list),
            ("GET", "/business/comment/list/", self._comment_list),
            ("GET", "/business/comment/reply/list/", self._reply_list),
            ("POST", "/business/comment/reply/create/", self._reply_create)]:
            self.route(method, pattern, self._authorised(handler))
        self.route("POST", "/tt_user/oauth2/refresh_token/", self._refresh)

    # -- helpers for tests ------------------------------------------------------------------------
    def video(self, caption: str) -> dict:
        with self.lock:
            item_id = str(next(self._ids))
            video = {"item_id": item_id, "create_time": int(time.time()), "caption": caption,
                     "share_url": f"https://www.tiktok.com/@{ACCOUNT['username']}/video/{item_id}"}
            self.videos[item_id] = video
            return video

    def comment(self, name: str, video: dict, text: str, *, parent: dict | None = None) -> dict:
        return self._add(CITIZENS.get(name, name), name, video["item_id"], text, parent)

    def ours_under(self, comment_id: str) -> list[dict]:
        return [c for c in self.comments.values() if c["owner"] and c["parent_comment_id"] == comment_id]

    def rate_limited(self, path: str, *, method: str | None = None) -> None:
        self.fault(path, 200, envelope(40100, "Requests made too frequently, please try again later."), method=method)

    def outage(self, path: str, *, method: str | None = None, count: int = 1) -> None:
        self.fault(path, 200, envelope(50000, "System error, please try again later."), method=method, count=count)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {token: 0 for token in self.tokens}

    # -- auth -------------------------------------------------------------------------------------
    def _authorised(self, handler):
        def check(request, *args):
            if self.tokens.get(request.headers.get("Access-Token", ""), 0) < time.time():
                return 200, envelope(40105, "Access token is incorrect or has been revoked."), {}
            if (request.args.get("business_id") or (request.get_json(silent=True) or {}).get("business_id")) \
                    != BUSINESS_ID:
                return 200, envelope(40002, "business_id: Invalid business_id"), {}
            return handler(request, *args)
        return check

    def _refresh(self, request) -> tuple:
        body = request.get_json(silent=True) or {}
        if body.get("client_id") != APP_ID or body.get("client_secret") != APP_SECRET \
                or body.get("grant_type") != "refresh_token" or body.get("refresh_token") not in self.refresh_tokens:
            return 200, envelope(40107, "refresh_token is invalid or has expired."), {}
        self.refresh_tokens.discard(body["refresh_token"])
        access, refresh = "act." + secrets.token_hex(8), "rft." + secrets.token_hex(8)
        self.tokens[access] = time.time() + 86400
        self.refresh_tokens.add(refresh)
        return 200, envelope(0, "OK", {"access_token": access, "expires_in": 86400, "refresh_token": refresh,
                                       "refresh_token_expires_in": 31536000, "open_id": BUSINESS_ID,
                                       "scope": "user.info.basic,video.list,comment.list,comment.list.manage"}), {}

    # -- reading ----------------------------------------------------------------------------------
    def _account(self, request) -> tuple:
        fields = json.loads(request.args.get("fields") or "[]")
        return 200, envelope(0, "OK", {k: v for k, v in ACCOUNT.items() if k in fields}), {}

    def _video_list(self, request) -> tuple:
        fields = set(json.loads(request.args.get("fields") or '["item_id"]'))
        count = int(request.args.get("max_count", 20))
        if not 1 <= count <= 20:
            return 200, envelope(40002, "max_count: should be between 1 and 20"), {}
        videos = sorted(self.videos.values(), key=lambda v: -int(v["item_id"]))[:count]
        shaped = [{k: v for k, v in {**video, "comments": self._count(video["item_id"])}.items() if k in fields}
                  for video in videos]
        return 200, envelope(0, "OK", {"videos": shaped, "cursor": 0, "has_more": False}), {}

    def _comment_list(self, request) -> tuple:
        video_id = request.args.get("video_id", "")
        if video_id not in self.videos:
            return 200, envelope(40002, "video_id: Invalid video_id"), {}
        found = [c for c in self.comments.values() if c["video_id"] == video_id
                 and (request.args.get("include_replies") == "true" or c["parent_comment_id"] == c["comment_id"])]
        return self._page(request, found)

    def _reply_list(self, request) -> tuple:
        parent = request.args.get("comment_id", "")
        return self._page(request, [c for c in self.comments.values()
                                    if c["parent_comment_id"] == parent and c["comment_id"] != parent])

    def _page(self, request, found: list[dict]) -> tuple:
        size = int(request.args.get("max_count", 20))
        if not 1 <= size <= 30:
            return 200, envelope(40002, "max_count: should be between 1 and 30"), {}
        newest_first = request.args.get("sort_order", "desc") == "desc"
        found = sorted(found, key=lambda c: (c["create_time"], int(c["comment_id"])), reverse=newest_first)
        start = int(request.args.get("cursor") or 0)
        page = found[start:start + size]
        return 200, envelope(0, "OK", {"comments": page, "cursor": start + len(page),
                                       "has_more": start + size < len(found)}), {}

    # -- writing ----------------------------------------------------------------------------------
    def _reply_create(self, request) -> tuple:
        body = request.get_json(silent=True) or {}
        target, text = self.comments.get(str(body.get("comment_id"))), str(body.get("text") or "")
        if target is None or target["video_id"] != str(body.get("video_id")):
            return 200, envelope(40002, "comment_id: Comment does not exist"), {}
        if target["parent_comment_id"] != target["comment_id"]:
            return 200, envelope(40002, "comment_id: Replies can only be made to top-level comments"), {}
        if not 0 < len(text) <= 150:
            return 200, envelope(40002, "text: The length of text should be between 1 and 150"), {}
        reply = self._add(BUSINESS_ID, ACCOUNT["username"], target["video_id"], text, target, owner=True)
        return 200, envelope(0, "OK", {k: reply[k] for k in ("comment_id", "video_id", "text", "create_time")}), {}

    def _add(self, user_id: str, username: str, video_id: str, text: str, parent: dict | None,
             owner: bool = False) -> dict:
        with self.lock:
            comment_id = str(next(self._ids))
            comment = {"comment_id": comment_id, "video_id": video_id, "user_id": user_id, "username": username,
                       "display_name": username.capitalize() + ("" if owner else " de Burger"), "text": text,
                       "create_time": int(time.time()), "likes": 0, "replies": 0, "owner": owner, "liked": False,
                       "pinned": False, "status": "PUBLIC",
                       "parent_comment_id": parent["comment_id"] if parent else comment_id}
            if parent:
                parent["replies"] += 1
            self.comments[comment_id] = comment
            return comment

    def _count(self, video_id: str) -> int:
        return sum(1 for c in self.comments.values() if c["video_id"] == video_id)

    # -- channels ---------------------------------------------------------------------------------
    def channel(self, session: Session, **kwargs) -> Channel:
        record = channels.create_channel(session, platform="tiktok", name=kwargs.pop("name", "TikTok gemeente"),
                                         base_url=self.base_url, token=kwargs.pop("token", TOKEN),
                                         extra={"account_id": BUSINESS_ID, **(kwargs.pop("extra", None) or {})},
                                         **kwargs)
        session.commit()
        return record


@pytest.fixture
def tiktok() -> Iterator[FakeTikTok]:
    with FakeTikTok() as server:
        yield server
