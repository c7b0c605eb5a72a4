"""Meta parsing without a server: webhook bodies (incl. garbled ones, by hypothesis), Graph error codes,
usage headers and the Messenger window."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webcare.platforms import meta_format
from webcare.platforms.base import InboundMessage
from webcare.platforms.errors import NeedsReauth, PermanentError, RateLimited, TransientError
from webcare.platforms.meta_adapter import messaging_type
from webcare.platforms.meta_http import WindowClosed, graph_error, usage_throttle

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
PAGE = "104123456789012"
EXAMPLE = {"object": "page", "entry": [{"id": PAGE, "time": 1795250043, "changes": [{"field": "feed", "value": {
    "item": "comment", "verb": "add", "comment_id": f"{PAGE}_987001_555002", "post_id": f"{PAGE}_987001",
    "parent_id": f"{PAGE}_987001", "from": {"id": "6123456789012345", "name": "Jan de Vries"},
    "message": "Wanneer wordt het grofvuil opgehaald in Noord?", "created_time": 1795250042,
    "post": {"id": f"{PAGE}_987001", "status_type": "added_photos", "is_published": True,
             "updated_time": "2026-11-21T09:14:02+0000"}}}]}]}


def test_the_documented_feed_comment():
    [message] = meta_format.parse_delivery(json.dumps(EXAMPLE).encode(), "facebook")
    assert message.external_id == f"{PAGE}_987001_555002" and message.kind == "comment"
    assert message.thread_key == f"post:{PAGE}_987001:6123456789012345"
    assert message.url == f"https://www.facebook.com/{PAGE}/posts/987001?comment_id=555002"
    assert message.created_at == datetime.fromtimestamp(1795250042, UTC)
    assert meta_format.parse_delivery(json.dumps(EXAMPLE).encode(), "instagram") == []


def test_batched_deliveries_and_graph_times():
    batch = {**EXAMPLE, "entry": EXAMPLE["entry"] * 3}
    assert len(meta_format.parse_delivery(json.dumps(batch).encode(), "facebook")) == 3
    assert meta_format.parse_time("2026-11-21T09:14:02+0000") == datetime(2026, 11, 21, 9, 14, 2, tzinfo=UTC)
    assert meta_format.parse_time(1795250440812) == datetime.fromtimestamp(1795250440.812, UTC)


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"entry": 5}', b"\xff\xfe"])
def test_garbled_bodies_are_a_clean_error(body):
    with pytest.raises(meta_format.BadDelivery):
        meta_format.parse_delivery(body, "facebook")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                    max_leaves=30)
KEYS = st.sampled_from(["id", "from", "message", "text", "verb", "item", "comment_id", "post_id", "parent_id",
                        "created_time", "timestamp", "media", "media_id", "sender", "recipient", "mid", "is_echo",
                        "attachments", "payload", "url", "sender_id", "username", "name"])
VALUE = st.dictionaries(KEYS, JSON | st.dictionaries(KEYS, JSON, max_size=4), max_size=8)
SHAPED = st.fixed_dictionaries({
    "object": st.sampled_from(["page", "instagram", "user"]),
    "entry": st.lists(st.fixed_dictionaries({
        "id": JSON, "changes": st.lists(st.fixed_dictionaries({
            "field": st.sampled_from(["feed", "mention", "comments", "mentions", "messages"]), "value": VALUE | JSON})),
        "messaging": st.lists(st.fixed_dictionaries({"sender": VALUE | JSON, "message": VALUE | JSON,
                                                     "timestamp": JSON}))}), max_size=3)})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode()),
                      SHAPED.map(lambda v: json.dumps(v).encode())),
       platform=st.sampled_from(["facebook", "instagram"]))
def test_any_body_parses_to_messages_or_a_clean_error(body, platform):
    try:
        messages = meta_format.parse_delivery(body, platform)
    except meta_format.BadDelivery:
        return
    for message in messages:
        assert isinstance(message, InboundMessage) and message.external_id and message.thread_key
        json.dumps(message.to_dict())  # what the ingest queue stores


@pytest.mark.parametrize(("code", "subcode", "status", "expected"), [
    (4, None, 400, RateLimited), (17, None, 400, RateLimited), (32, None, 400, RateLimited),
    (613, None, 400, RateLimited), (80001, None, 400, RateLimited), (80006, None, 400, RateLimited),
    (190, 463, 400, NeedsReauth), (2, None, 500, TransientError), (1, None, 500, TransientError),
    (10, 2018278, 400, WindowClosed), (100, 33, 400, PermanentError), (None, None, 503, TransientError)])
def test_graph_error_codes(code, subcode, status, expected):
    body = {"error": {"message": "(#x) something", "type": "OAuthException", "code": code,
                      "error_subcode": subcode, "fbtrace_id": "A1b2C3"}} if code else None
    error = graph_error(status, body, {}, NOW)
    assert type(error) is expected
    if code and expected is PermanentError:
        assert "fbtrace_id A1b2C3" in error.message and "code 100/33" in error.message


def test_throttling_waits_for_the_estimated_time_to_regain_access():
    headers = {"X-Business-Use-Case-Usage": json.dumps({PAGE: [{"type": "pages", "call_count": 100,
                                                                 "estimated_time_to_regain_access": 19}]})}
    error = graph_error(400, {"error": {"message": "(#80001) too many", "code": 80001}}, headers, NOW)
    assert isinstance(error, RateLimited) and error.reset_at == NOW + timedelta(minutes=19)
    plain = graph_error(400, {"error": {"message": "(#4) Application request limit reached", "code": 4}}, {}, NOW)
    assert plain.reset_at == NOW + timedelta(minutes=10)


def test_usage_headers():
    assert usage_throttle({"X-App-Usage": '{"call_count":28,"total_cputime":25,"total_time":25}'}, 90, NOW) is None
    assert usage_throttle({"X-App-Usage": '{"call_count":95,"total_cputime":5,"total_time":5}'}, 90, NOW) == \
        NOW + timedelta(minutes=10)
    assert usage_throttle({"X-App-Usage": "garbled", "X-Business-Use-Case-Usage": "[1]"}, 90, NOW) is None


def test_the_messenger_window():
    assert messaging_type({"last_inbound_at": (NOW - timedelta(hours=23)).isoformat()}, NOW) == \
        {"messaging_type": "RESPONSE"}
    assert messaging_type({"created_at": (NOW - timedelta(days=6)).isoformat()}, NOW) == \
        {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    assert messaging_type({}, NOW) == {"messaging_type": "RESPONSE"}  # unknown: Meta decides
    with pytest.raises(WindowClosed, match="7-day window"):
        messaging_type({"last_inbound_at": NOW - timedelta(days=8)}, NOW)
