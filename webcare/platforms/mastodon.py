"""Mastodon adapter (Mastodon.py): mentions and DMs in, public and private replies out.

Fetching reads `GET /api/v1/notifications?types[]=mention` forward with `min_id` (oldest page after
the cursor first), so nothing is skipped. Public mentions and DMs are both `mention` notifications; a DM
has `status.visibility == "direct"`. Since Mastodon 4.3 DMs from accounts we do not follow are
*filtered* into notification requests by default; we therefore ask with `include_filtered=true`
(a raw request: Mastodon.py 2.3 has no such parameter) and, depending on `dm_requests`:
`accept` the pending requests after the messages are enqueued, set the account's `policy` to accept
private mentions once, or `ignore` both (then filtered DMs are missed). See docs/INGEST.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonRatelimitError,
)

from webcare.platforms import mastodon_format as fmt
from webcare.platforms.base import (
    AccountInfo,
    FetchResult,
    PlatformAdapter,
    ReplyRequest,
    SentReply,
)
from webcare.platforms.errors import (
    NeedsReauth,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    error_for_status,
    garbled_answer,
    reset_from_headers,
)
from webcare.platforms.html import html_to_text

log = logging.getLogger(__name__)

PAGE_LIMIT = 40  # mastodon-mock's maximum; real servers allow 80
DEFAULT_OPTIONS = {"dm_requests": "accept", "timeout": 15.0, "max_pages": 10, "backfill_hours": 72,
                   "throttle_below": 3, "reply_reserve": 30}


class MastodonAdapter(PlatformAdapter):
    platform = "mastodon"
    idempotency_window = timedelta(minutes=50)  # Mastodon keeps Idempotency-Key for one hour

    def __init__(self, base_url: str, credentials: dict[str, Any], options: dict[str, Any] | None = None):
        token = (credentials or {}).get("access_token")
        if not token:
            raise NeedsReauth("no access token stored for this channel")
        self.base_url = base_url.rstrip("/")
        self.host = urlparse(self.base_url).hostname or "localhost"
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.last_response: requests.Response | None = None
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.hooks["response"].append(self._remember)
        self.client = Mastodon(access_token=token, api_base_url=self.base_url, ratelimit_method="throw",
                               request_timeout=self.options["timeout"], version_check_mode="none",
                               session=self.http, user_agent="Webcare")
        self._ancestors: dict[str, list[dict]] = {}

    @classmethod
    def reply_overhead(cls, context: dict[str, Any]) -> int:
        """What `send_reply` adds to the text that the server counts: the @mentions and spaces it puts in front
        of a public reply (counted in full: a real server counts a remote address without its domain, the mock
        every character; a private reply mentions no more) and the content warning it copies (a real server
        counts `spoiler_text` against the same limit). `context["recipient"]` is the ticket's citizen."""
        mentions = _addressees(context.get("recipient"), context, "public")
        return sum(len(mention) + 1 for mention in mentions) + len(_content_warning(context))

    # -- account ----------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        account = self._call(self.client.account_verify_credentials)
        return AccountInfo(id=str(account["id"]), handle="@" + fmt.qualified_acct(account, self.host),
                           display_name=str(account.get("display_name") or ""), url=account.get("url"))

    # -- fetching ---------------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], *, max_messages: int = 1000) -> FetchResult:
        state = dict(cursor or {})
        own_id = state.get("account_id") or self.verify().id
        state["account_id"] = own_id
        self._apply_dm_policy(state)
        notifications, more = self._read_new(state, max_messages)
        parsed = (fmt.parse_notification(n, own_id, self.host, self._ancestors_of) for n in notifications)
        messages = sorted((m for m in parsed if m is not None), key=lambda m: fmt.id_key(m.external_id))
        return FetchResult(messages=messages, cursor=state, more=more, throttle_until=self._throttle_until(),
                           fetched=len(notifications))

    @garbled_answer("page of Mastodon notifications")
    def _read_new(self, state: dict[str, Any], max_messages: int) -> tuple[list[dict], bool]:
        min_id = state.get("min_id")
        if not min_id:
            return self._first_page(state), False
        collected: list[dict] = []
        more = False
        for page_number in range(self.options["max_pages"]):
            page = self._notifications({"min_id": min_id})
            if not page:
                break
            collected.extend(page)
            min_id = max((str(n["id"]) for n in page), key=fmt.id_key)
            if len(page) < PAGE_LIMIT:
                break
            if len(collected) >= max_messages or page_number == self.options["max_pages"] - 1:
                more = True
                break
        state["min_id"] = min_id
        return collected, more

    @garbled_answer("page of Mastodon notifications")
    def _first_page(self, state: dict[str, Any]) -> list[dict]:
        """A new channel: everything of the backfill window, newest page first, paging back with `max_id`
        until a page reaches before the window (or `max_pages`); later polls walk forward from the newest.
        One page is not enough: a channel added while the server refused us (429, an outage) or with a busy
        day behind it has more than a page of mentions waiting, and forward polling starts after them.
        Nothing at all starts the walk at the beginning (`min_id` 0: nothing before it is a mention);
        without a start, the next poll would again be a first poll and read only the newest pages."""
        cutoff = datetime.now(UTC) - timedelta(hours=self.options["backfill_hours"])
        collected: list[dict] = []
        older_than: str | None = None
        for _ in range(self.options["max_pages"]):
            page = self._notifications({"max_id": older_than} if older_than else {})
            if not page:
                break
            collected.extend(page)
            older_than = min((str(n["id"]) for n in page), key=fmt.id_key)
            reached_cutoff = any((fmt.created_at(n) or cutoff) < cutoff for n in page)
            if len(page) < PAGE_LIMIT or reached_cutoff:
                break
        else:
            log.warning("first poll of %s: the backfill stopped after %s pages", self.base_url, self.options["max_pages"])
        state["min_id"] = max((str(n["id"]) for n in collected), key=fmt.id_key) if collected else "0"
        return [n for n in collected if (fmt.created_at(n) or datetime.now(UTC)) >= cutoff]

    def _notifications(self, params: dict[str, Any]) -> list[dict]:
        query = {"types[]": ["mention"], "limit": PAGE_LIMIT, **params}
        if self.options["dm_requests"] != "ignore":
            query["include_filtered"] = "true"
        body = self._get_json("/api/v1/notifications", query)
        if not isinstance(body, list):
            raise TransientError("unexpected answer from /api/v1/notifications")
        return body

    def _ancestors_of(self, status_id: str) -> list[dict]:
        if status_id not in self._ancestors:
            try:
                context = self._call(self.client.status_context, status_id)
                self._ancestors[status_id] = list(context.get("ancestors") or [])
            except PermanentError:  # the post vanished meanwhile: treat it as its own thread
                self._ancestors[status_id] = []
        return self._ancestors[status_id]

    def _apply_dm_policy(self, state: dict[str, Any]) -> None:
        if self.options["dm_requests"] == "policy" and state.get("dm_policy") != "accept":
            self._call(self.client.update_notifications_policy, for_private_mentions="accept")
            state["dm_policy"] = "accept"

    def after_enqueue(self, result: FetchResult) -> None:
        """Accept pending message requests: their DMs were fetched with `include_filtered`."""
        if self.options["dm_requests"] != "accept":
            return
        pending = self._call(self.client.notification_requests, limit=PAGE_LIMIT)
        ids = [str(item["id"]) for item in pending or []]
        if ids:
            self._call(self.client.accept_multiple_notification_requests, ids)
            log.info("accepted %d Mastodon notification request(s)", len(ids))

    def _throttle_until(self, below: int | None = None) -> datetime | None:
        headers = self.last_response.headers if self.last_response is not None else {}
        remaining = headers.get("X-RateLimit-Remaining")
        limit = self.options["throttle_below"] if below is None else below
        if remaining is not None and remaining.isdigit() and int(remaining) <= limit:
            return reset_from_headers(headers)
        return None

    def replies_wait_until(self) -> datetime | None:
        """Polls and posts share one budget per token (300 calls per 5 minutes by default): replies stop with
        `reply_reserve` calls left (at most a tenth of the server's limit), so a storm of acknowledgements
        does not stop the reading."""
        headers = self.last_response.headers if self.last_response is not None else {}
        limit = headers.get("X-RateLimit-Limit", "")
        reserve = min(int(self.options["reply_reserve"]), int(limit) // 10) if limit.isdigit() else 0
        return self._throttle_until(max(reserve, self.options["throttle_below"]))

    # -- replies ----------------------------------------------------------------------------------
    def send_reply(self, request: ReplyRequest) -> SentReply:
        status = self._call(self.client.status_post, _with_mention(request), in_reply_to_id=request.in_reply_to,
                            visibility=fmt.reply_visibility(request.visibility, request.context),
                            spoiler_text=_content_warning(request.context) or None,
                            idempotency_key=request.idempotency_key, language=request.language)
        return _sent(status)

    def find_sent_reply(self, request: ReplyRequest) -> SentReply | None:
        if not request.in_reply_to:
            return None
        own_id = self.verify().id
        wanted = " ".join(request.text.split())
        context = self._call(self.client.status_context, request.in_reply_to)
        for status in context.get("descendants") or []:
            if str(status["account"]["id"]) != own_id or str(status.get("in_reply_to_id")) != request.in_reply_to:
                continue
            if wanted in " ".join(html_to_text(status.get("content")).split()):
                return _sent(status)
        return None

    # -- HTTP and errors --------------------------------------------------------------------------
    def _remember(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        self.last_response = response
        return response

    def _get_json(self, path: str, params: dict[str, Any]) -> Any:
        try:
            response = self.http.get(self.base_url + path, params=params, timeout=self.options["timeout"])
        except requests.RequestException as exc:
            raise TransientError(f"could not reach {self.host}: {exc.__class__.__name__}") from exc
        if not response.ok:
            raise error_for_status(response.status_code, _error_message(response), response.headers)
        try:
            return response.json()
        except ValueError as exc:
            raise TransientError(f"{self.host} sent an answer that is not JSON") from exc

    def _call(self, method: Callable, *args, **kwargs) -> Any:
        """Call Mastodon.py and translate its exceptions into the taxonomy."""
        self.last_response = None
        try:
            return method(*args, **kwargs)
        except MastodonRatelimitError as exc:
            headers = self.last_response.headers if self.last_response is not None else {}
            raise RateLimited("rate limited by the server", reset_at=reset_from_headers(headers)) from exc
        except MastodonNetworkError as exc:
            raise TransientError(f"could not reach {self.host}: {exc}") from exc
        except MastodonAPIError as exc:
            raise self._api_error(exc) from exc
        except MastodonIllegalArgumentError as exc:
            raise PermanentError(str(exc)) from exc
        except MastodonError as exc:
            raise TransientError(str(exc)) from exc

    def _api_error(self, exc: MastodonAPIError) -> PlatformError:
        status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
        if status is None:
            return TransientError(str(exc.args[0]) if exc.args else "unreadable answer")
        message = exc.args[3] if len(exc.args) > 3 and exc.args[3] else str(exc.args[2] if len(exc.args) > 2 else "")
        headers = self.last_response.headers if self.last_response is not None else {}
        return error_for_status(status, str(message), headers)


def _with_mention(request: ReplyRequest) -> str:
    """Mastodon notifies only mentioned accounts (and a DM reaches only them): put the `_addressees` in front,
    each unless the text already mentions it. Only a mention as Mastodon reads one counts: `@jan` in
    `afval@jansen.nl` or in `@jansen` is none, and `@jan` alone is not `jan@mastodon.nl` (the server would take
    a local `jan`)."""
    text = request.text.strip()
    missing = [mention for mention in _addressees(request.recipient, request.context, request.visibility)
               if not re.search(rf"(?<![\w/@]){re.escape(mention)}(?![\w@]|[.-]\w)", text, re.IGNORECASE)]
    return " ".join([*missing, text])


def _addressees(recipient: str | None, answered: dict[str, Any], visibility: str) -> list[str]:
    """The mentions of a reply to the status `answered` (its raw payload) on the ticket of the citizen
    `recipient`, each once. As Mastodon's apps do: the status's author (`acct`) and the others it mentions
    (`cc`; never us, ingest leaves us out), so the answer reaches everyone in that conversation and stays in it
    (and in the ticket); and the citizen when they are not among them (someone else wrote the latest message
    under their post). A private reply to a status that is no DM goes to the citizen alone: a direct status
    reaches every account it mentions, and the citizen did not write privately to those."""
    author = answered.get("acct") or ""
    if visibility == "private" and answered.get("visibility") != "direct":
        names = [recipient or author]
    else:
        names = [author, *(answered.get("cc") or []), recipient or ""]
    unique: dict[str, str] = {}
    for name in (name.lstrip("@") for name in names):
        if name:
            unique.setdefault(name.lower(), "@" + name)
    return list(unique.values())


def _content_warning(answered: dict[str, Any]) -> str:
    """The content warning a reply repeats: that of the status it answers, as Mastodon's apps copy it."""
    return str(answered.get("spoiler_text") or "")


def _sent(status: dict[str, Any]) -> SentReply:
    return SentReply(external_id=str(status["id"]), url=status.get("url") or status.get("uri"),
                     created_at=fmt.created_at(status),
                     raw={"status_id": str(status["id"]), "visibility": status.get("visibility"),
                          "in_reply_to_id": None if status.get("in_reply_to_id") is None
                          else str(status["in_reply_to_id"])})


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, dict):
        return str(body.get("error") or body.get("detail") or response.reason or "")
    return response.reason or ""
