"""Text a database can store (webcare.storable): the orjson fast path answers as the walk does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webcare.storable import is_storable


def _nested(depth: int, leaf):
    value = leaf
    for _ in range(depth):
        value = {"a": [value]}
    return value


@pytest.mark.parametrize("value", [
    "gewoon tekst", "", None, 42, 1.5, True, datetime(2026, 12, 7, tzinfo=UTC),
    "C:\\u0000 is geen NUL",  # a citizen's own backslash: orjson writes \\u0000, the walk decides
    {"tekst": ["a", ("b", {"c": "d"})]}, {1: "niet-tekst sleutel"}, b"bytes\x00 worden niet opgeslagen",
    _nested(1000, "diep maar schoon"), 10**30,
])
def test_storable_values(value):
    assert is_storable(value)


@pytest.mark.parametrize("value", [
    "met\x00nul", "losse \ud800 helft", "\udfff", {"sleutel\x00": 1}, {"a": ["b", ("c", "\x00")]},
    {1: "\ud83d"}, _nested(1000, "diep\x00"), _nested(300, "\udc00"), [10**30, "\x00"],
])
def test_unstorable_values(value):
    assert not is_storable(value)
