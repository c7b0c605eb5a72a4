"""LinkedIn adapter (Community Management API): comments and mentions of an organisation Page in, comments out.

Fetching (docs/PLATFORMS.md, option `source`):
- `notifications` (default): `GET /rest/organizationalEntityNotifications?q=criteria` with actions
  COMMENT, COMMENT_MENTION and SHARE_MENTION and a `timeRange` from the last poll (LinkedIn keeps them 60
  days). A comment notification names the post (`sourcePost`) and the comment (`generatedActivity`); the
  comments of that post are read with `GET /rest/socialActions/{post}/comments` (and, for a reply under a
  comment, the replies of the comments that have them). A mention names the post: `GET /rest/posts/{urn}`.
  One notification call per poll, and comment calls only for posts with something new: the daily quotas
  are small (Development tier: 500 calls per app, 100 per member a day).
- `posts`: for apps without the notification permission: the Page's latest `recent_posts` posts
  (`GET /rest/posts?author=...&q=author`), their comments newer than the last poll, and the replies under
  comments whose reply count changed. Costs a call per post per poll; mentions are not seen this way.
The first poll reads only the last `backfill_hours` (72).
Replying: a comment `POST /rest/socialActions/{urn}/comments` as the organisation, with `parentComment`
for an answer to a comment (LinkedIn nests one level: an answer to a reply goes under its top comment).
LinkedIn has no idempotency key: a repeated attempt first looks for our comment with the same text.
Organisation Pages have no messaging API: private replies are impossible.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from webcare.platforms import linkedin_format as fmt
from webcare.platforms.base import (
    AccountInfo,
    FetchResult,
    InboundMessage,
    PlatformAdapter,
    ReplyRequest,
    SentReply,
)
from webcare.platforms.errors import PermanentError, garbled_answer
from webcare.platforms.linkedin_http import DEFAULT_VERSION, LinkedInClient, urn
from webcare.platforms.token_renewal import RenewsThroughClient

DEFAULT_OPTIONS = {"timeout": 15.0, "source": "notifications", "api_version": DEFAULT_VERSION, "page_size": 100,
                   "max_pages": 5, "recent_posts": 10, "backfill_hours": 72, "overlap_seconds": 120}


def N_(message: str) -> str:  # noqa: N802  (marks a text for the Dutch catalog; translated where it is shown)
    return message


ACTIONS = "List(COMMENT,COMMENT_MENTION,SHARE_MENTION)"
NO_PRIVATE = N_("LinkedIn has no private messages for organisation Pages: answer with a public comment.")


class LinkedInAdapter(RenewsThroughClient, PlatformAdapter):
    platform = "linkedin"
    idempotency_window = None  # no idempotency key: every repeated attempt looks first
    max_reply_length = 1250  # LinkedIn's comment limit
    public_replies = True
    private_replies = False
    private_reply_note = NO_PRIVATE

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.client = LinkedInClient(base_url, credentials, self.options["timeout"], self.options["api_version"])

    @property
    def org(self) -> str:
        return self.client.organization

    # -- account ----------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        org_id = self.org.rsplit(":", 1)[-1]
        body = self.client.get(f"/rest/organizations/{org_id}")
        vanity = str(body.get("vanityName") or org_id)
        name = body.get("localizedName") or (body.get("name") or {}).get("localized", {}).get("nl_NL") or vanity
        return AccountInfo(id=self.org, handle=vanity, display_name=str(name), url=f"{fmt.WEB}/company/{vanity}/")

    # -- fetching ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        state = dict(cursor or {})
        if state.get("organization") not in (None, self.org):
            state = {}  # another Page: start afresh
        state["organization"] = self.org
        now_ms = _ms(datetime.now(UTC))
        since = int(state.get("since_ms") or now_ms - int(self.options["backfill_hours"]) * 3_600_000)
        if self.options["source"] == "posts":
            messages, more, fetched = self._from_posts(state, since), False, 0
            state["since_ms"] = now_ms
        else:
            messages, more, fetched = self._from_notifications(state, since, now_ms)
        messages = [m for m in messages if m.author_id != self.org]
        messages.sort(key=lambda m: (m.created_at or datetime.now(UTC), m.external_id))
        return FetchResult(messages=messages, cursor=state, more=more, fetched=fetched or len(messages))

    def _from_notifications(self, state: dict[str, Any], since: int, now_ms: int) -> tuple[list, bool, int]:
        pending = dict(state.get("pending") or {})
        start = int(pending.get("start") or since - int(self.options["overlap_seconds"]) * 1000)
        end, offset = int(pending.get("end") or now_ms), int(pending.get("offset") or 0)
        notes, more = [], False
        for _ in range(int(self.options["max_pages"])):
            query = (f"q=criteria&organizationalEntity={urn(self.org)}&actions={ACTIONS}"
                     f"&timeRange=(start:{start},end:{end})&start={offset}&count={self.options['page_size']}")
            page = self.client.get("/rest/organizationalEntityNotifications", query).get("elements") or []
            notes += page
            offset += len(page)
            more = len(page) >= int(self.options["page_size"])
            if not more:
                break
        if more:
            state["pending"] = {"start": start, "end": end, "offset": offset}
        else:
            state.pop("pending", None)
            state["since_ms"] = end
        return self._from_notes(notes), more, len(notes)

    def _from_notes(self, notes: list[dict]) -> list[InboundMessage]:
        wanted, mentioned = fmt.wanted_from_notes(notes)
        messages = [m for post, ids in wanted.items() for m in self._wanted_comments(post, ids)]
        messages += [fmt.parse_post(self.client.get(f"/rest/posts/{urn(p)}")) for p in mentioned]
        return messages

    @garbled_answer("LinkedIn comments")
    def _wanted_comments(self, post: str, ids: dict[str, str]) -> list[InboundMessage]:
        found = self._comments(post)
        keys = {fmt.comment_key(c) for c in found}
        for comment in [c for c in found if fmt.reply_count(c)]:
            if set(ids) <= keys:
                break
            replies = self._comments(fmt.comment_urn(comment))
            found += replies
            keys.update(fmt.comment_key(r) for r in replies)
        return fmt.parse_wanted_comments(found, post, ids)

    @garbled_answer("page of LinkedIn posts")
    def _from_posts(self, state: dict[str, Any], since: int) -> list[InboundMessage]:
        query = f"author={urn(self.org)}&q=author&count={self.options['recent_posts']}&sortBy=LAST_MODIFIED"
        posts = self.client.get("/rest/posts", query).get("elements") or []
        counts, seen_counts, messages = dict(state.get("reply_counts") or {}), {}, []
        for post in posts:
            post_urn = str(post["id"])
            comments = self._comments(post_urn)
            messages += fmt.parse_new_comments(comments, post_urn, since)
            for comment in comments:
                key, replies = fmt.comment_urn(comment), fmt.reply_count(comment)
                if replies and counts.get(key) != replies:
                    messages += fmt.parse_new_comments(self._comments(key), post_urn, since)
                if replies:
                    seen_counts[key] = replies
        state["reply_counts"] = seen_counts
        return messages

    def _comments(self, target: str) -> list[dict]:
        """The comments on a post, or the replies to a comment, page by page."""
        found, start, size = [], 0, int(self.options["page_size"])
        for _ in range(int(self.options["max_pages"])):
            body = self.client.get(f"/rest/socialActions/{urn(target)}/comments", f"start={start}&count={size}")
            page = body.get("elements") or []
            found += page
            start += len(page)
            total = (body.get("paging") or {}).get("total")
            if len(page) < size or (total is not None and start >= int(total)):
                break
        return found

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        if request.visibility == "private":
            raise PermanentError(NO_PRIVATE)
        post, parent = self._target(request)
        body = {"actor": self.org, "object": post, "message": {"text": request.text.strip()}}
        if parent:
            body["parentComment"] = parent
        created, headers = self.client.post(f"/rest/socialActions/{urn(parent or post)}/comments", body)
        comment_id = created.get("id") or headers.get("x-restli-id")
        activity = (fmt.split_comment_urn(parent) or (post, ""))[0]
        external = created.get("commentUrn") or created.get("$URN") or f"urn:li:comment:({activity},{comment_id})"
        return SentReply(external_id=str(external), url=f"{fmt.post_url(post)}?commentUrn={external}",
                         created_at=fmt.parse_ms(fmt.created_ms(created)) or datetime.now(UTC),
                         raw={"comment_urn": str(external), "post_urn": post, "parent_comment": parent})

    def _target(self, request: ReplyRequest) -> tuple[str, str | None]:
        """(post URN, comment to answer or None): an answer to a reply goes under its top comment."""
        context = request.context or {}
        post = context.get("post_urn") or fmt.thread_post(request.thread_key)
        if not post:
            raise PermanentError("this reply has no LinkedIn post to comment on")
        parent = context.get("parent_comment") or context.get("comment_urn")
        if not parent and fmt.split_comment_urn(request.in_reply_to):
            parent = request.in_reply_to
        return str(post), (str(parent) if parent else None)

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        post, parent = self._target(request)
        for comment in self._comments(parent or post):
            if comment.get("actor") == self.org and fmt.same_text(request.text, (comment.get("message") or {}).get("text")):
                external = fmt.comment_urn(comment)
                return SentReply(external_id=external, url=f"{fmt.post_url(post)}?commentUrn={external}",
                                 created_at=fmt.parse_ms(fmt.created_ms(comment)),
                                 raw={"comment_urn": external, "post_urn": post, "parent_comment": parent})
        return None


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)
