"""A fake LinkedIn Community Management API as a real local HTTP server: one organisation Page, members, posts.

Speaks the versioned REST wire format our adapter uses: `GET /rest/organizations/{id}`,
`GET /rest/posts?q=author`, `GET /rest/posts/{urn}`, `GET|POST /rest/socialActions/{urn}/comments`
(comments on a post, replies to a comment; one level of nesting, `parentComment`), `GET
/rest/organizationalEntityNotifications?q=criteria` (`actions=List(...)`, `timeRange=(start:..,end:..)`,
`start`/`count` paging) and `POST /oauth/v2/accessToken` (refresh). It insists, as LinkedIn does, on the
`LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0` headers and on URL-encoded URNs in paths, and
answers errors as `{"status", "serviceErrorCode", "code", "message"}` (429 without reset headers).
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tests.fakes.http import FakeServer
from webcare.models import Channel
from webcare.services import channels

ORG_ID = "2414183"
ORG = f"urn:li:organization:{ORG_ID}"
ORG_NAME, VANITY = "Gemeente Voorbeeldstad", "gemeente-voorbeeldstad"
MEMBERS = {"jan": "urn:li:person:jAn7x1", "fatima": "urn:li:person:fAt9q2", "piet": "urn:li:person:pIe3k4"}
TOKEN, REFRESH, CLIENT_ID, CLIENT_SECRET = "li-gemeente-token", "li-gemeente-refresh", "li-client", "li-secret"
DAILY_LIMIT = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."


def error(status: int, code: str, message: str, service_code: int | None = None) -> dict:
    return {"status": status, "code": code, "message": message,
            **({"serviceErrorCode": service_code} if service_code is not None else {})}


def _ms() -> int:
    return int(time.time() * 1000)


class FakeLinkedIn(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.posts: dict[str, dict] = {}
        self.activity: dict[str, str] = {}  # post urn -> activity urn
        self.comments: dict[str, dict] = {}  # comment urn -> comment (plus "_post")
        self.notifications: list[dict] = []
        self.tokens = {TOKEN: time.time() + 60 * 86400}
        self.refresh_tokens = {REFRESH}
        self.sunset_versions: set[str] = set()
        self._ids = itertools.count(7012345678901234567, 7919)
        for method, pattern, handler in [
            ("GET", r"/rest/organizations/(\d+)", self._organization), ("GET", "/rest/posts", self._posts_by_author),
            ("GET", r"/rest/posts/(urn:li:[a-zA-Z]+:\d+)", self._post),
            ("GET", r"/rest/socialActions/(.+)/comments", self._list_comments),
            ("POST", r"/rest/socialActions/(.+)/comments", self._create_comment),
            ("GET", "/rest/organizationalEntityNotifications", self._notifications)]:
            self.route(method, pattern, self._checked(handler))
        self.route("POST", "/oauth/v2/accessToken", self._token)

    # -- helpers for tests ------------------------------------------------------------------------
    def announce(self, text: str) -> dict:
        return self._add_post(ORG, text)

    def comment(self, name: str, post: dict, text: str, *, parent: dict | None = None) -> dict:
        """A member comments on a post (or answers a comment); the Page gets a COMMENT notification when
        the post is the Page's, a COMMENT_MENTION when the text mentions the Page elsewhere."""
        actor = MEMBERS.get(name, name)
        comment = self._add_comment(actor, post["id"], text, parent)
        if post["author"] == ORG:
            self._notify("COMMENT", actor, post["id"], comment["commentUrn"])
        elif ORG_NAME in text:
            self._notify("COMMENT_MENTION", actor, post["id"], comment["commentUrn"])
        return comment

    def member_post(self, name: str, text: str, *, mention: bool = True) -> dict:
        """A member posts; `mention` tags the Page (`@[Name](urn)` markup) and notifies SHARE_MENTION."""
        actor = MEMBERS.get(name, name)
        post = self._add_post(actor, f"@[{ORG_NAME}]({ORG}) {text}" if mention else text)
        if mention:
            self._notify("SHARE_MENTION", actor, post["id"], post["id"])
        return post

    def ours_under(self, target: str) -> list[dict]:
        """Our comments on a post (top level) or under a comment."""
        return [c for c in self.comments.values() if c["actor"] == ORG and self._parent_of(c) == target]

    def rate_limited(self, path: str, *, message: str = DAILY_LIMIT, method: str | None = None) -> None:
        self.fault(path, 429, error(429, "TOO_MANY_REQUESTS", message, 101), method=method)

    def outage(self, path: str, *, method: str | None = None, count: int = 1) -> None:
        self.fault(path, 504, {"message": "Request timed out", "status": 504}, method=method, count=count)

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens = {token: 0 for token in self.tokens}

    # -- checks LinkedIn makes on every call --------------------------------------------------------
    def _checked(self, handler):
        def check(request, *args):
            version = request.headers.get("LinkedIn-Version", "")
            if not re.fullmatch(r"\d{6}", version):
                return 400, error(400, "VERSION_MISSING", "A version must be present. Please specify a version by "
                                  "adding the LinkedIn-Version header."), {}
            if version in self.sunset_versions:
                return 426, error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active"), {}
            if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
                return 400, error(400, "ILLEGAL_ARGUMENT", "Rest.li protocol version 2.0.0 is required"), {}
            raw_path = request.environ.get("RAW_URI", "").split("?", 1)[0]
            if "urn:li:" in raw_path:
                return 400, error(400, "ILLEGAL_ARGUMENT", "Syntax exception in path variables"), {}
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if self.tokens.get(token, 0) < time.time():
                return 401, error(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked "
                                  "by the user", 65601), {}
            return handler(request, *args)
        return check

    def _token(self, request) -> tuple:
        form = request.form
        if form.get("grant_type") != "refresh_token" or form.get("client_id") != CLIENT_ID \
                or form.get("client_secret") != CLIENT_SECRET or form.get("refresh_token") not in self.refresh_tokens:
            return 400, {"error": "invalid_request", "error_description": "The provided refresh token is invalid"}, {}
        access = "li-" + secrets.token_hex(8)
        self.tokens[access] = time.time() + 60 * 86400
        return 200, {"access_token": access, "expires_in": 5184000, "refresh_token": form["refresh_token"],
                     "refresh_token_expires_in": 31536000}, {}

    # -- reading ----------------------------------------------------------------------------------
    def _organization(self, request, org_id: str) -> tuple:
        if org_id != ORG_ID:
            return 403, error(403, "ACCESS_DENIED", "Not enough permissions to access: organizations.GET", 100), {}
        return 200, {"id": int(ORG_ID), "vanityName": VANITY, "localizedName": ORG_NAME,
                     "name": {"localized": {"nl_NL": ORG_NAME}, "preferredLocale": {"country": "NL", "language": "nl"}}}, {}

    def _posts_by_author(self, request) -> tuple:
        if request.args.get("q") != "author":
            return 400, error(400, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request"), {}
        posts = sorted((p for p in self.posts.values() if p["author"] == request.args.get("author")),
                       key=lambda p: -p["lastModifiedAt"])
        return 200, self._page(request, posts), {}

    def _post(self, request, urn: str) -> tuple:
        post = self.posts.get(urn)
        if post is None:
            return 404, error(404, "NOT_FOUND", f"Post {urn} does not exist"), {}
        return 200, dict(post), {}

    def _list_comments(self, request, target: str) -> tuple:
        found = sorted((c for c in self.comments.values() if self._parent_of(c) == target),
                       key=lambda c: c["created"]["time"])
        return 200, self._page(request, [self._shape(c) for c in found]), {}

    def _notifications(self, request) -> tuple:
        if request.args.get("q") != "criteria" or request.args.get("organizationalEntity") != ORG:
            return 403, error(403, "ACCESS_DENIED", "Not enough permissions to access: "
                              "organizationalEntityNotifications.FINDER-criteria", 100), {}
        actions = re.fullmatch(r"List\(([A-Z_,]+)\)", request.args.get("actions", ""))
        span = re.fullmatch(r"\(start:(\d+),end:(\d+)\)", request.args.get("timeRange", ""))
        if not actions or not span:
            return 400, error(400, "ILLEGAL_ARGUMENT", "Invalid param: actions or timeRange"), {}
        wanted, start, end = set(actions.group(1).split(",")), int(span.group(1)), int(span.group(2))
        found = [n for n in self.notifications if n["action"] in wanted and start <= n["lastModifiedAt"] <= end]
        return 200, self._page(request, found), {}

    def _page(self, request, items: list[dict]) -> dict:
        start, count = int(request.args.get("start", 0)), int(request.args.get("count", 10))
        return {"elements": items[start:start + count], "paging": {"start": start, "count": count,
                                                                    "total": len(items), "links": []}}

    # -- writing ----------------------------------------------------------------------------------
    def _create_comment(self, request, target: str) -> tuple:
        body = request.get_json(silent=True) or {}
        text, post_urn, parent = str((body.get("message") or {}).get("text") or ""), body.get("object"), \
            body.get("parentComment")
        if body.get("actor") != ORG:
            return 403, error(403, "ACCESS_DENIED", "Member is not authorized to act as the actor", 100), {}
        if post_urn not in self.posts or (target != post_urn and target != parent):
            return 400, error(400, "ILLEGAL_ARGUMENT", "Invalid object or path"), {}
        if parent and (parent not in self.comments or self.comments[parent].get("parentComment")):
            return 400, error(400, "ILLEGAL_ARGUMENT", "parentComment must be a first-level comment"), {}
        if not 0 < len(text) <= 1250:
            return 422, error(422, "UNPROCESSABLE_ENTITY", "Comment text must be 1 to 1250 characters"), {}
        comment = self._add_comment(ORG, post_urn, text, self.comments.get(parent) if parent else None)
        return 201, self._shape(comment), {"x-restli-id": comment["id"]}

    def _add_post(self, author: str, commentary: str) -> dict:
        with self.lock:
            number = next(self._ids)
            urn, now = f"urn:li:share:{number}", _ms()
            self.activity[urn] = f"urn:li:activity:{number + 1}"
            post = {"id": urn, "author": author, "commentary": commentary, "visibility": "PUBLIC",
                    "lifecycleState": "PUBLISHED", "createdAt": now, "publishedAt": now, "lastModifiedAt": now,
                    "distribution": {"feedDistribution": "MAIN_FEED"}}
            self.posts[urn] = post
            return post

    def _add_comment(self, actor: str, post_urn: str, text: str, parent: dict | None) -> dict:
        with self.lock:
            comment_id, now, activity = str(next(self._ids)), _ms(), self.activity[post_urn]
            urn = f"urn:li:comment:({activity},{comment_id})"
            comment = {"actor": actor, "commentUrn": urn, "$URN": urn, "id": comment_id, "object": activity,
                       "created": {"actor": actor, "time": now}, "lastModified": {"actor": actor, "time": now},
                       "message": {"text": text, "attributes": []}, "_post": post_urn,
                       **({"parentComment": parent["commentUrn"]} if parent else {})}
            self.comments[urn] = comment
            return comment

    def _notify(self, action: str, actor: str, post_urn: str, generated: str) -> None:
        with self.lock:
            self.notifications.append({"action": action, "actor": actor, "organizationalEntity": ORG,
                                       "sourcePost": post_urn, "generatedActivity": generated,
                                       "lastModifiedAt": _ms()})

    def _parent_of(self, comment: dict) -> str:
        return comment.get("parentComment") or comment["_post"]

    def _shape(self, comment: dict) -> dict:
        shaped = {k: v for k, v in comment.items() if not k.startswith("_")}
        replies = sum(1 for c in self.comments.values() if c.get("parentComment") == comment["commentUrn"])
        shaped["commentsSummary"] = {"selectedComments": [], "aggregatedTotalComments": replies,
                                     "totalFirstLevelComments": replies}
        return shaped

    # -- channels ---------------------------------------------------------------------------------
    def channel(self, session: Session, **kwargs) -> Channel:
        record = channels.create_channel(session, platform="linkedin", name=kwargs.pop("name", "LinkedIn gemeente"),
                                         base_url=self.base_url, token=kwargs.pop("token", TOKEN),
                                         extra={"account_id": ORG_ID, **(kwargs.pop("extra", None) or {})}, **kwargs)
        session.commit()
        return record


@pytest.fixture
def linkedin() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as server:
        yield server
