"""Rule conditions: validation and compilation of the JSON condition tree into small functions.

A condition is a group `{"all": [...]}`, `{"any": [...]}`, `{"none": [...]}` or a leaf:

    {"words": ["lantaarnpaal", "*lamp", "licht doet het niet"]}   any of these keywords (see matcher)
    {"regex": "\\b\\d{4} ?[a-z]{2}\\b"}     a regular expression on the normalised text
    {"platform": ["x", "facebook"]}          {"channel": [3, 4]}        {"kind": ["dm"]}
    {"visibility": ["public"]}               {"author": ["@handle"]}    {"language": ["en"]}
    {"time": {"from": "22:00", "to": "07:00"}} and {"weekday": ["sat", "sun"]}, Europe/Amsterdam
    {"labels": ["gevaar"]}                   the ticket has one of these labels

A regex runs with the `regex` module and a time limit (`REGEX_TIMEOUT`): a pattern that backtracks
catastrophically on some message (`(a+)+$`) counts as not matching it, and routing goes on.

An empty condition `{}` always matches. Keyword leaves are not evaluated here: the rule set runs one
matcher for all keywords of all rules and hands the leaves it found in `Context.leaves`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import regex

from webcare.models.channel import PLATFORMS
from webcare.models.message import KINDS, VISIBILITIES
from webcare.services.routing.matcher import Term, parse_term
from webcare.services.routing.text import Text, guess_language

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GROUPS = ("all", "any", "none")
WEEKDAYS = {name: i for i, names in enumerate((("mon", "ma"), ("tue", "di"), ("wed", "wo"), ("thu", "do"),
                                                ("fri", "vr"), ("sat", "za"), ("sun", "zo"))) for name in names}
MAX_REGEX_LENGTH = 1000
MAX_GROUP_DEPTH = 16  # groups inside groups; deeper trees are refused (and never compiled by recursion)
REGEX_TIMEOUT = 0.05  # seconds one rule regex may search one message

log = logging.getLogger(__name__)

Check = Callable[["Context"], bool]


class RuleError(ValueError):
    """A condition or action that cannot be used; `path` says where (e.g. conditions.all[1].regex)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path


class Context:
    """What the conditions of one message look at; the time and the language are computed lazily."""

    __slots__ = ("item", "normalised", "words", "leaves", "labels", "_local", "_language")

    def __init__(self, item, text: Text, leaves):
        self.item = item
        self.normalised, self.words = text
        self.leaves = leaves
        self.labels: tuple[str, ...] | set[str] = item.labels
        self._local: datetime | None = None
        self._language: str | None | bool = False

    def add_labels(self, labels: tuple[str, ...]) -> None:
        """Labels set by an earlier matching rule count for the rules after it."""
        self.labels = set(self.labels).union(labels)

    @property
    def local_time(self) -> datetime:
        if self._local is None:
            at = self.item.at or datetime.now(UTC)
            self._local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(AMSTERDAM)
        return self._local

    @property
    def language(self) -> str | None:
        if self._language is False:
            given = (self.item.language or "").strip().lower()[:2]
            self._language = given or guess_language(self.words)
        return self._language


class ConditionCompiler:
    """Compiles condition trees; collects every keyword with the leaf ids that contain it."""

    def __init__(self) -> None:
        self.terms: dict[Term, set[int]] = {}
        self.leaf_count = 0

    def compile(self, node, path: str = "conditions") -> tuple[Check, bool]:
        """Return (check, gated): `gated` means the check can only pass if one of its keyword leaves was found."""
        check, gated, _required = self._compile(node, path, 0)
        return check, gated

    def _compile(self, node, path: str, depth: int) -> tuple[Check, bool, frozenset[int]]:
        """(check, gated, required): `required` are the keyword leaves that must all be found for a pass;
        `depth` is the number of groups around `node`."""
        if depth > MAX_GROUP_DEPTH:
            raise RuleError(path, f"groups nest deeper than {MAX_GROUP_DEPTH} levels")
        if not isinstance(node, dict):
            raise RuleError(path, "must be an object such as {\"all\": [...]} or {\"words\": [...]}")
        if not node:
            return _always, False, _NO_LEAVES
        if len(node) != 1:
            raise RuleError(path, f"must have exactly one key, not {sorted(node)}")
        ((key, value),) = node.items()
        if key in GROUPS:
            return self._group(key, value, f"{path}.{key}", depth + 1)
        leaf = _LEAVES.get(key)
        if key == "words":
            leaf_id = self._words(value, f"{path}.words")
            return _has_leaf(leaf_id), True, frozenset((leaf_id,))
        if leaf is None:
            raise RuleError(path, f"unknown condition '{key}'; use one of {', '.join(GROUPS + tuple(sorted(_ALL_LEAVES)))}")
        return leaf(value, f"{path}.{key}"), False, _NO_LEAVES

    def _group(self, key: str, children, path: str, depth: int) -> tuple[Check, bool, frozenset[int]]:
        if not isinstance(children, list):
            raise RuleError(path, "must be a list of conditions")
        compiled = [self._compile(child, f"{path}[{i}]", depth) for i, child in enumerate(children)]
        if key == "all":
            required = _NO_LEAVES.union(*(req for _, _, req in compiled))
            # keyword leaves are checked at once by the subset test; only the other parts remain
            rest = tuple(check for (check, _, _), child in zip(compiled, children, strict=True)
                         if not _is_words(child))
            return _all(rest, required), any(gated for _, gated, _ in compiled), required
        if key == "any":
            gated = bool(compiled) and all(gated for _, gated, _ in compiled)
            required = compiled[0][2].intersection(*(req for _, _, req in compiled[1:])) if compiled else _NO_LEAVES
            return _any(compiled), gated, required
        return _none(tuple(check for check, _, _ in compiled)), False, _NO_LEAVES

    def _words(self, value, path: str) -> int:
        if not isinstance(value, list) or not value:
            raise RuleError(path, "must be a non-empty list of keywords")
        leaf = self.leaf_count
        self.leaf_count += 1
        for raw in value:
            try:
                term = parse_term(raw)
            except ValueError as exc:
                raise RuleError(path, str(exc)) from None
            self.terms.setdefault(term, set()).add(leaf)
        return leaf


_NO_LEAVES: frozenset[int] = frozenset()


def _is_words(node) -> bool:
    return isinstance(node, dict) and list(node) == ["words"]


def _has_leaf(leaf: int) -> Check:
    return lambda ctx: leaf in ctx.leaves


def _always(_ctx) -> bool:
    return True


def _all(checks: tuple[Check, ...], required: frozenset[int]) -> Check:
    """All parts: first one subset test for the keyword lists it needs, then the other parts in order."""
    if not required:
        if len(checks) == 1:
            return checks[0]
        return lambda ctx: all(check(ctx) for check in checks)
    if not checks:
        return lambda ctx: required <= ctx.leaves
    if len(checks) == 1:
        (only,) = checks
        return lambda ctx: required <= ctx.leaves and only(ctx)
    return lambda ctx: required <= ctx.leaves and all(check(ctx) for check in checks)


def _any(compiled: list[tuple[Check, bool, frozenset[int]]]) -> Check:
    """Any part. Parts that need keyword lists are indexed by one of them, so a message only visits the
    parts whose keywords it contains (a large `any`, like the threat rule, costs a set intersection)."""
    if len(compiled) == 1:
        return compiled[0][0]
    index: dict[int, list[tuple[frozenset[int], Check]]] = {}
    free: list[Check] = []
    for check, _gated, required in compiled:
        if required:
            index.setdefault(min(required), []).append((required, check))
        else:
            free.append(check)
    if not index:
        checks = tuple(free)
        return lambda ctx: any(check(ctx) for check in checks)
    keys = frozenset(index)
    parts = {leaf: tuple(entries) for leaf, entries in index.items()}
    unindexed = tuple(free)

    def check_any(ctx) -> bool:
        leaves = ctx.leaves
        for leaf in keys.intersection(leaves):
            for required, check in parts[leaf]:
                if required <= leaves and check(ctx):
                    return True
        return any(check(ctx) for check in unindexed)

    return check_any


def _none(checks: tuple[Check, ...]) -> Check:
    return lambda ctx: not any(check(ctx) for check in checks)


def _strings(value, path: str, allowed: tuple[str, ...] | None = None) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(path, "must be a non-empty list of texts")
    cleaned = frozenset(v.strip().lower() for v in value)
    unknown = sorted(cleaned - set(allowed)) if allowed else []
    if unknown:
        raise RuleError(path, f"unknown value(s) {', '.join(unknown)}; use {', '.join(allowed)}")
    return cleaned


def _regex(value, path: str) -> Check:
    if not isinstance(value, str) or not value:
        raise RuleError(path, "must be a regular expression (text)")
    if len(value) > MAX_REGEX_LENGTH:
        raise RuleError(path, f"is longer than {MAX_REGEX_LENGTH} characters")
    try:
        pattern = regex.compile(value, regex.IGNORECASE | regex.V0)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise RuleError(path, f"invalid regular expression: {exc}") from None
    search = pattern.search

    def check(ctx) -> bool:
        try:
            return search(ctx.normalised, timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            log.warning("routing regex at %s gave up after %.0f ms on a text of %d characters: counted as no match",
                        path, REGEX_TIMEOUT * 1000, len(ctx.normalised))
            return False

    return check


def _platform(value, path: str) -> Check:
    wanted = _strings(value, path, PLATFORMS)
    return lambda ctx: ctx.item.platform in wanted


def _kind(value, path: str) -> Check:
    wanted = _strings(value, path, tuple(k for k in KINDS if k != "reply"))
    return lambda ctx: ctx.item.kind in wanted


def _visibility(value, path: str) -> Check:
    wanted = _strings(value, path, VISIBILITIES)
    return lambda ctx: ctx.item.visibility in wanted


def _channel(value, path: str) -> Check:
    if not isinstance(value, list) or not value or not all(isinstance(v, int) and not isinstance(v, bool)
                                                           for v in value):
        raise RuleError(path, "must be a non-empty list of channel ids (numbers)")
    wanted = frozenset(value)
    return lambda ctx: ctx.item.channel_id in wanted


def _author(value, path: str) -> Check:
    wanted = frozenset(v.lstrip("@") for v in _strings(value, path))
    return lambda ctx: (ctx.item.author or "").lower().lstrip("@") in wanted


def _language(value, path: str) -> Check:
    wanted = _strings(value, path)
    return lambda ctx: ctx.language in wanted


def _labels(value, path: str) -> Check:
    wanted = _strings(value, path)
    return lambda ctx: not wanted.isdisjoint(ctx.labels)


def _weekday(value, path: str) -> Check:
    names = _strings(value, path, tuple(WEEKDAYS))
    days = frozenset(WEEKDAYS[name] for name in names)
    return lambda ctx: ctx.local_time.weekday() in days


def _clock(value, path: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise RuleError(path, "must be a time of day such as 08:30") from None


def _time(value, path: str) -> Check:
    if not isinstance(value, dict) or set(value) != {"from", "to"}:
        raise RuleError(path, 'must be {"from": "HH:MM", "to": "HH:MM"}')
    start, end = _clock(value["from"], f"{path}.from"), _clock(value["to"], f"{path}.to")
    if start == end:
        raise RuleError(path, "from and to are the same time")
    if start < end:
        return lambda ctx: start <= ctx.local_time.time() < end
    return lambda ctx: not (end <= ctx.local_time.time() < start)  # across midnight


_LEAVES: dict[str, Callable[[object, str], Check]] = {
    "regex": _regex, "platform": _platform, "channel": _channel, "kind": _kind, "visibility": _visibility,
    "author": _author, "language": _language, "labels": _labels, "weekday": _weekday, "time": _time,
}
_ALL_LEAVES = set(_LEAVES) | {"words"}
