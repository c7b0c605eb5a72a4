"""Property-based tests of every platform payload parser: any JSON-shaped payload, garbled or hostile,
either parses to an InboundMessage that ingest can store, is skipped (None), or raises the platform error
taxonomy (webcare.platforms.errors). Never anything else.

To add a platform, add a `Parser` to `PARSERS`: a realistic sample payload (as the platform sends it,
after JSON decoding) and a function from a payload to the parser's results, called as the adapter calls it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import budget, hostile_text, json_values, payloads
from webcare.platforms import bluesky_format, linkedin_format, mastodon_format, meta_format, tiktok, x_format
from webcare.platforms.base import InboundMessage, checked
from webcare.platforms.bluesky import REASONS
from webcare.platforms.errors import PlatformError

OWN_MASTODON = "1"
OWN_X = {"id": "987654321", "username": "GemVoorbeeld"}
OWN_DID = "did:plc:gemeente"
OWN_PAGE, OWN_IG, OWN_TIKTOK = "104123456789012", "17841400000000001", "7001234567890"
SINCE = datetime(2026, 11, 20, tzinfo=UTC)  # the backfill's `since` (Meta) / `since_ms` (LinkedIn)


def _get(payload: Any, key: str, default: Any = None) -> Any:
    """The harness's own access to a payload's parts (the parser gets whatever is there)."""
    return payload.get(key, default) if isinstance(payload, dict) else default


@dataclass(frozen=True)
class Parser:
    name: str
    sample: dict[str, Any]
    parse: Callable[[Any], list[InboundMessage | None]]


MASTODON_STATUS = {
    "id": "109", "created_at": "2026-11-22T10:00:00.000Z", "visibility": "public", "in_reply_to_id": "100",
    "in_reply_to_account_id": "7", "language": "nl", "url": "https://social.example/@jan/109", "uri": "x",
    "spoiler_text": "", "content": '<p><a href="https://s.nl/@gemeente" class="mention">@gemeente</a> lamp kapot</p>',
    "account": {"id": "7", "acct": "jan", "username": "jan", "display_name": "Jan", "url": "https://social.example/@jan"},
    "mentions": [{"id": "1", "acct": "gemeente"}], "media_attachments": [{"url": "https://social.example/m.jpg"}],
    "reblog": None,
}


def _mastodon(payload: Any) -> list[InboundMessage | None]:
    ancestors = _get(payload, "ancestors", [])
    return [mastodon_format.parse_notification(_get(payload, "notification"), OWN_MASTODON, "social.example",
                                               lambda _status_id: ancestors)]


def _x_post(payload: Any) -> list[InboundMessage | None]:
    includes = x_format.Includes(_get(payload, "includes"))
    return [x_format.parse_post(_get(payload, "post"), includes, OWN_X, {"100": OWN_X["id"]})]


def _x_dm(payload: Any) -> list[InboundMessage | None]:
    includes = x_format.Includes(_get(payload, "includes"))
    return [x_format.parse_dm(_get(payload, "event"), includes, OWN_X["id"])]


def _bluesky_notification(payload: Any) -> list[InboundMessage | None]:
    return [bluesky_format.parse_notification(payload, OWN_DID, REASONS)]


def _bluesky_chat(payload: Any) -> list[InboundMessage | None]:
    return [bluesky_format.parse_chat(_get(payload, "message"), "convo1", _get(payload, "member", {}))]


def _linkedin_notifications(payload: Any) -> list[InboundMessage | None]:
    wanted, mentioned = linkedin_format.wanted_from_notes(_get(payload, "elements"))
    found = [m for post, ids in wanted.items()
             for m in linkedin_format.parse_wanted_comments(_get(payload, "comments"), post, ids)]
    return found + [linkedin_format.parse_post(_get(payload, "post")) for _urn in mentioned]


def _linkedin_comments(payload: Any) -> list[InboundMessage | None]:
    return linkedin_format.parse_new_comments(_get(payload, "elements"), _get(payload, "post", ""),
                                              int(SINCE.timestamp() * 1000))


def _linkedin_post(payload: Any) -> list[InboundMessage | None]:
    return [linkedin_format.parse_post(payload)]


def _tiktok(payload: Any) -> list[InboundMessage | None]:
    videos = tiktok.video_list(_get(payload, "video_list"))
    comments = tiktok.comment_list(_get(payload, "comment_list"))
    return [m for video in videos.values() for m in tiktok.parse_comments(comments, video, OWN_TIKTOK)]


def _facebook_feed(payload: Any) -> list[InboundMessage | None]:
    return meta_format.feed_page(payload, OWN_PAGE, SINCE)[0]


def _instagram_media(payload: Any) -> list[InboundMessage | None]:
    return meta_format.media_page(payload, OWN_IG, SINCE)[0]


def _conversations(platform: str) -> Callable[[Any], list[InboundMessage | None]]:
    return lambda payload: meta_format.conversations_page(payload, OWN_PAGE, platform, SINCE)[0]


X_INCLUDES = {"users": [{"id": "1456789012", "username": "jan", "name": "Jan", "receives_your_dm": True}],
              "tweets": [{"id": "100", "author_id": "987654321", "text": "Aankondiging"}],
              "media": [{"media_key": "3_1", "url": "https://pbs.example/1.jpg", "type": "photo"}]}
BSKY_POST = "at://did:plc:jan/app.bsky.feed.post/3kabc"
BSKY_ROOT = "at://did:plc:gemeente/app.bsky.feed.post/3kroot"
LI_ORG, LI_JAN, LI_POST, LI_ACTIVITY = ("urn:li:organization:2414183", "urn:li:person:jAn7x1", "urn:li:share:7001",
                                        "urn:li:activity:7002")
LI_COMMENT_URN = f"urn:li:comment:({LI_ACTIVITY},7003)"
LI_COMMENT = {"actor": LI_JAN, "commentUrn": LI_COMMENT_URN, "$URN": LI_COMMENT_URN, "id": "7003", "object": LI_ACTIVITY,
              "created": {"actor": LI_JAN, "time": 1795341600000}, "lastModified": {"actor": LI_JAN, "time": 1795341600000},
              "message": {"text": "De lantaarnpaal in de Dorpsstraat is kapot", "attributes": []},
              "commentsSummary": {"selectedComments": [], "aggregatedTotalComments": 0, "totalFirstLevelComments": 0}}
LI_MEMBER_POST = {"id": "urn:li:share:7010", "author": LI_JAN, "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
                  "commentary": "@[Gemeente Voorbeeldstad](urn:li:organization:2414183) wanneer wordt het afval opgehaald?",
                  "createdAt": 1795341600000, "publishedAt": 1795341600000, "lastModifiedAt": 1795341600000,
                  "distribution": {"feedDistribution": "MAIN_FEED"}}
TIKTOK_COMMENT = {"comment_id": "7301", "video_id": "7300", "user_id": "6912345678001", "username": "jan",
                  "display_name": "Jan de Burger", "text": "Wanneer gaat het zwembad weer open?",
                  "create_time": 1795341600, "likes": 0, "replies": 0, "owner": False, "liked": False,
                  "pinned": False, "status": "PUBLIC", "parent_comment_id": "7301"}
FB_CITIZEN = {"id": "6543210987654321", "name": "Jan de Burger"}
META_TIME = "2026-11-22T10:00:00+0000"

PARSERS = [
    Parser("mastodon", {
        "notification": {"id": "55", "type": "mention", "status": MASTODON_STATUS, "filtered": False},
        "ancestors": [{"id": "100", "account": {"id": "1"}}],
    }, _mastodon),
    Parser("mastodon-dm", {
        "notification": {"id": "56", "type": "mention",
                         "status": {**MASTODON_STATUS, "visibility": "direct", "in_reply_to_id": None}},
    }, _mastodon),
    Parser("x-post", {
        "post": {"id": "1500", "author_id": "1456789012", "conversation_id": "100", "created_at": "2026-11-22T10:00:00.000Z",
                 "text": "@GemVoorbeeld lamp kapot https://t.co/abc", "lang": "nl", "in_reply_to_user_id": "987654321",
                 "referenced_tweets": [{"type": "replied_to", "id": "100"}],
                 "entities": {"mentions": [{"id": "987654321", "username": "GemVoorbeeld"}],
                              "urls": [{"url": "https://t.co/abc", "expanded_url": "https://foto.example/1"}]},
                 "attachments": {"media_keys": ["3_1"]}, "note_tweet": {"text": "@GemVoorbeeld lamp kapot, lang verhaal"}},
        "includes": X_INCLUDES,
    }, _x_post),
    Parser("x-dm", {
        "event": {"id": "1600", "event_type": "MessageCreate", "text": "Mijn afval is niet opgehaald",
                  "sender_id": "1456789012", "dm_conversation_id": "987654321-1456789012",
                  "created_at": "2026-11-22T10:00:00.000Z", "attachments": {"media_keys": ["3_1"]}},
        "includes": X_INCLUDES,
    }, _x_dm),
    Parser("bluesky-notification", {
        "uri": BSKY_POST, "cid": "bafy1", "reason": "reply", "indexedAt": "2026-11-22T10:00:01.000Z",
        "author": {"did": "did:plc:jan", "handle": "jan.bsky.social", "displayName": "Jan",
                   "associated": {"chat": {"allowIncoming": "all"}}, "viewer": {"followedBy": "at://x"}},
        "record": {"$type": "app.bsky.feed.post", "text": "lamp kapot zie foto.example", "createdAt": "2026-11-22T10:00:00.000Z",
                   "langs": ["nl"], "reply": {"root": {"uri": BSKY_ROOT, "cid": "bafy0"}, "parent": {"uri": BSKY_ROOT, "cid": "bafy0"}},
                   "facets": [{"index": {"byteStart": 15, "byteEnd": 27},
                               "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://foto.example/1"}]}],
                   "embed": {"external": {"uri": "https://kaart.example"}}},
    }, _bluesky_notification),
    Parser("bluesky-chat", {
        "message": {"id": "msg1", "text": "Hallo gemeente", "sentAt": "2026-11-22T10:00:00.000Z",
                    "sender": {"did": "did:plc:jan"}, "facets": []},
        "member": {"did": "did:plc:jan", "handle": "jan.bsky.social", "displayName": "Jan"},
    }, _bluesky_chat),
    Parser("linkedin-notifications", {
        "elements": [{"action": "COMMENT", "actor": LI_JAN, "organizationalEntity": LI_ORG, "sourcePost": LI_POST,
                      "generatedActivity": LI_COMMENT_URN, "lastModifiedAt": 1795341600000}],
        "comments": [LI_COMMENT],
    }, _linkedin_notifications),
    Parser("linkedin-mention", {
        "elements": [{"action": "SHARE_MENTION", "actor": LI_JAN, "organizationalEntity": LI_ORG,
                      "sourcePost": LI_MEMBER_POST["id"], "generatedActivity": LI_MEMBER_POST["id"]}],
        "post": LI_MEMBER_POST,
    }, _linkedin_notifications),
    Parser("linkedin-comments", {"post": LI_POST, "elements": [LI_COMMENT],
                                 "paging": {"start": 0, "count": 100, "total": 1}}, _linkedin_comments),
    Parser("linkedin-post", LI_MEMBER_POST, _linkedin_post),
    Parser("tiktok", {
        "video_list": {"videos": [{"item_id": "7300", "create_time": 1795300000, "caption": "Zwembad dicht",
                                   "share_url": "https://www.tiktok.com/@gemeentevoorbeeldstad/video/7300",
                                   "comments": 1}], "cursor": 0, "has_more": False},
        "comment_list": {"comments": [TIKTOK_COMMENT, {**TIKTOK_COMMENT, "comment_id": "7302", "owner": True,
                                                       "user_id": OWN_TIKTOK, "parent_comment_id": "7301"}],
                         "cursor": 2, "has_more": False},
    }, _tiktok),
    Parser("facebook-feed", {"data": [{
        "id": f"{OWN_PAGE}_900", "message": "Werkzaamheden Stationsplein", "created_time": META_TIME,
        "from": {"id": OWN_PAGE, "name": "Gemeente Voorbeeldstad"},
        "comments": {"data": [{"id": "900_901", "message": "Hoe lang duurt dat nog?", "created_time": META_TIME,
                               "from": FB_CITIZEN}]},
    }]}, _facebook_feed),
    Parser("instagram-media", {"data": [{
        "id": "17900000000000100", "timestamp": META_TIME, "permalink": "https://www.instagram.com/p/Cxyz/",
        "comments": {"data": [{"id": "17900000000000101", "text": "Mooi park!", "timestamp": META_TIME,
                               "from": {"id": "17841400000000042", "username": "jan"}, "username": "jan",
                               "replies": {"data": [{"id": "17900000000000102", "text": "Dank je!", "timestamp": META_TIME,
                                                     "from": {"id": OWN_IG, "username": "gemeentevoorbeeldstad"}}]}}]},
    }]}, _instagram_media),
    Parser("messenger-conversations", {"data": [{
        "id": "t_6543210987654321", "updated_time": META_TIME,
        "messages": {"data": [{"id": "m_1", "message": "Mijn paspoort is verlopen", "from": FB_CITIZEN,
                               "created_time": META_TIME,
                               "attachments": {"data": [{"image_data": {"url": "https://cdn.example/p.jpg"}}]}}]},
    }]}, _conversations("facebook")),
    Parser("instagram-conversations", {"data": [{
        "id": "t_17841400000000042", "updated_time": META_TIME,
        "messages": {"data": [{"id": "aWdfZAG1", "message": "Hallo!", "created_time": META_TIME,
                               "from": {"id": "17841400000000042", "username": "jan"}},
                              {"id": "aWdfZAG2", "message": "Hoe kunnen we helpen?", "created_time": META_TIME,
                               "from": {"id": OWN_PAGE, "username": "gemeentevoorbeeldstad"}}]},
    }]}, _conversations("instagram")),
]


def _assert_parses_cleanly(parser: Parser, payload: Any) -> list[InboundMessage]:
    try:
        results = parser.parse(payload)
    except PlatformError:
        return []
    messages = [m for m in results if m is not None]
    for message in messages:
        assert isinstance(message, InboundMessage)
        assert checked(message) == message, "a parser returned a message that ingest cannot store as it is"
        json.dumps(message.to_dict())  # what the ingest queue carries
    return messages


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_the_sample_payload_parses(parser):
    messages = _assert_parses_cleanly(parser, parser.sample)
    assert len(messages) == 1, "the sample of a parser must be a citizen's message"


def _fuzz(parser: Parser, slow: bool):
    @budget(slow, fast=150)
    @given(payloads(parser.sample))
    def run(payload):
        _assert_parses_cleanly(parser, payload)

    run()


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_garbled_payloads_parse_or_raise_the_taxonomy(parser):
    _fuzz(parser, slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_garbled_payloads_parse_or_raise_the_taxonomy_long(parser):
    _fuzz(parser, slow=True)


# -- InboundMessage.to_dict / from_dict (the ingest queue's wire format) -------------------------------------
aware_times = st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]))
optional_text = st.none() | hostile_text
messages = st.builds(
    InboundMessage, external_id=hostile_text, thread_key=hostile_text, kind=st.sampled_from(("mention", "comment", "dm")),
    visibility=st.sampled_from(("public", "private")), text=hostile_text, author_id=hostile_text,
    author_handle=hostile_text, author_name=hostile_text, author_url=optional_text, in_reply_to=optional_text,
    url=optional_text, language=optional_text, created_at=st.none() | aware_times,
    raw=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
)


@budget(slow=False, fast=200)
@given(messages)
def test_inbound_message_survives_the_queue(message):
    wire = json.loads(json.dumps(message.to_dict()))
    again = InboundMessage.from_dict(wire)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(message.to_dict(), sort_keys=True)
    assert again.created_at == message.created_at
