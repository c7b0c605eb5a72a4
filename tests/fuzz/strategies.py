"""Hypothesis strategies shared by the fuzz tests: JSON values, hostile texts and garbled payloads.

`garbled(sample)` starts from a realistic payload and breaks it the way real answers break: keys
dropped, values of the wrong type, hostile text in any field. Finding bugs needs payloads that get past
the first check, which fully random JSON rarely does; both are used.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Default budget of a fuzz test; `--runslow` variants multiply it (see `budget`).
FAST_EXAMPLES = 60
SLOW_EXAMPLES = 2000


def budget(slow: bool, fast: int = FAST_EXAMPLES) -> settings:
    """Hypothesis settings for a fast (CI) or slow (--runslow) variant; no deadline: CI machines are shared."""
    return settings(max_examples=SLOW_EXAMPLES if slow else fast, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


# Texts that have hurt web applications: markup, scripts, URLs, bidi controls, zero-width characters,
# emoji (astral plane), NUL and lone surrogates (what "\ud800" in a JSON payload decodes to).
HOSTILE_SNIPPETS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">klik</a>", "{{ 7*7 }}", "{% raw %}", "&lt;b&gt;", "'; DROP TABLE tickets; --",
    "\u202egnp.exe", "\u202d\u2066x\u2069", "\u200b\u200c\u200d\ufeff", "\u0000", "\ud800", "\udfff",
    "\U0001f4a9\U0001f3f3\ufe0f\u200d\U0001f308", "Z\u0351\u0364\u0300a\u0352\u0363lgo", "\r\n\t", "%s%n%x",
    "../../etc/passwd", "${jndi:ldap://x}", "\x1b[31m", "مرحبا", "שלום",
)

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters() | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=40),
    st.lists(st.sampled_from(HOSTILE_SNIPPETS), min_size=1, max_size=5).map("".join),
    st.builds(lambda s, n: s * n, st.sampled_from(HOSTILE_SNIPPETS + ("a", "é ")), st.integers(1, 3000)),
)

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (sequence of keys and indexes) to a value inside `value`."""
    found = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return found
    for key, child in items:
        found.append(prefix + (key,))
        found.extend(_paths(child, prefix + (key,)))
    return found


def _container(root: Any, path: tuple) -> Any:
    for key in path[:-1]:
        root = root[key]
    return root


@st.composite
def garbled(draw, sample: dict[str, Any], max_changes: int = 4) -> dict[str, Any]:
    """`sample` with 0..max_changes fields deleted, retyped or filled with hostile text."""
    data = copy.deepcopy(sample)
    for _ in range(draw(st.integers(0, max_changes))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        container, key = _container(data, path), path[-1]
        action = draw(st.sampled_from(("delete", "json", "hostile", "hostile")))
        if action == "delete":
            del container[key]
        else:
            container[key] = draw(json_values if action == "json" else hostile_text)
    return data


def payloads(sample: dict[str, Any]):
    """Mostly garbled versions of `sample`, sometimes any JSON value at all."""
    return st.one_of(garbled(sample), garbled(sample), garbled(sample), json_values)
