"""Pure parts of the platform layer: reset times, HTML to text, Mastodon threads, error mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webcare.platforms import mastodon_format as fmt
from webcare.platforms.base import InboundMessage
from webcare.platforms.errors import (
    NeedsReauth,
    PermanentError,
    RateLimited,
    TransientError,
    error_for_status,
    parse_reset,
    reset_from_headers,
)
from webcare.platforms.html import html_to_text
from webcare.services.ingest import subject_of

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, expected", [
    ("2026-11-22T10:05:00.000000Z", datetime(2026, 11, 22, 10, 5, tzinfo=UTC)),  # Mastodon
    ("2026-11-22T11:05:00+01:00", datetime(2026, 11, 22, 10, 5, tzinfo=UTC)),
    ("1795341900", datetime.fromtimestamp(1795341900, UTC)),  # epoch seconds
    ("1795341900.5", datetime.fromtimestamp(1795341900.5, UTC)),
    ("120", NOW + timedelta(seconds=120)),  # seconds from now (Retry-After, RateLimit-Reset)
    ("Sun, 22 Nov 2026 10:05:00 GMT", datetime(2026, 11, 22, 10, 5, tzinfo=UTC)),  # HTTP date
    ("soon", None), ("", None), (None, None),
])
def test_parse_reset_reads_every_shape(value, expected):
    assert parse_reset(value, NOW) == expected


def test_reset_headers_fall_back_to_retry_after_then_five_minutes():
    assert reset_from_headers({"Retry-After": "30"}, NOW) == NOW + timedelta(seconds=30)
    assert reset_from_headers({"x-ratelimit-reset": "2026-11-22T09:00:00Z"}, NOW) == NOW  # in the past: now
    assert reset_from_headers({}, NOW) == NOW + timedelta(minutes=5)


@pytest.mark.parametrize("status, kind", [
    (429, RateLimited), (401, NeedsReauth), (403, NeedsReauth), (500, TransientError), (502, TransientError),
    (503, TransientError), (504, TransientError), (408, TransientError), (404, PermanentError),
    (422, PermanentError), (400, PermanentError),
])
def test_error_taxonomy(status, kind):
    assert type(error_for_status(status, "x")) is kind


def test_html_to_text_keeps_links_mentions_and_paragraphs():
    html = ('<p><span class="h-card"><a href="https://s.nl/@gemeente" class="u-url mention">@<span>gemeente</span>'
            '</a></span> Kijk &amp; zie:</p><p><a href="https://example.org/foto/123456789" rel="nofollow">'
            '<span class="invisible">https://</span><span class="ellipsis">example.org/foto/12345</span>'
            '<span class="invisible">6789</span></a><br>en <a href="https://x.nl/plan">het plan</a> '
            '<a href="https://s.nl/tags/afval" class="mention hashtag">#<span>afval</span></a></p>'
            '<ul><li>een</li><li>twee</li></ul><script>alert(1)</script>')
    assert html_to_text(html) == ("@gemeente Kijk & zie:\n\nhttps://example.org/foto/123456789\n"
                                  "en het plan (https://x.nl/plan) #afval\n\n- een\n- twee")


def test_status_text_adds_content_warning_and_media_links():
    status = {"content": "<p>Zie foto</p>", "spoiler_text": "gevaar",
              "media_attachments": [{"url": "https://files.example/a.jpg"}]}
    assert fmt.status_text(status) == "CW: gevaar\n\nZie foto\n\nhttps://files.example/a.jpg"


def _status(sid, account_id, **extra):
    return {"id": sid, "account": {"id": account_id, "acct": "jan@mastodon.nl", "url": "https://mastodon.nl/@jan"},
            **extra}


def test_thread_keys():
    own = "1"
    assert fmt.public_thread(_status("10", "7"), [], own) == ("status:10", "mention")
    # a citizen's thread: rooted at their first post
    assert fmt.public_thread(_status("12", "7"), [_status("10", "7"), _status("11", own)], own) == ("status:10", "mention")
    # under our own announcement: each citizen's branch is its own thread, a comment
    assert fmt.public_thread(_status("12", "7"), [_status("5", own)], own) == ("status:12", "comment")
    assert fmt.public_thread(_status("14", "7"), [_status("5", own), _status("12", "7"), _status("13", own)],
                             own) == ("status:12", "comment")
    dm = _status("20", "7", mentions=[{"id": own}, {"id": "9"}])
    assert fmt.dm_thread_key(dm, own) == "dm:7,9"


def test_qualified_addresses():
    assert fmt.qualified_acct({"acct": "Jan", "url": "https://social.example/@Jan"}, "x") == "jan@social.example"
    assert fmt.qualified_acct({"acct": "jan@mastodon.nl", "url": ""}, "x") == "jan@mastodon.nl"
    assert fmt.id_key("99") < fmt.id_key("100")


def test_inbound_message_survives_the_queue():
    message = InboundMessage(external_id="1", thread_key="status:1", kind="mention", visibility="public", text="hoi",
                             author_id="jan@x", author_handle="@jan@x", created_at=NOW, raw={"a": 1})
    assert InboundMessage.from_dict(message.to_dict()) == message


def test_subject_drops_leading_mentions():
    assert subject_of("@gemeente @wethouder De brug\nklemt") == "De brug"
    assert subject_of("@gemeente") == "@gemeente"
