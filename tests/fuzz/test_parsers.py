"""Property-based tests of the parsers that are not platform payloads: history import lines, routing rule
definitions, configuration, the privacy detector and the routing matcher. Each either succeeds or gives
its own clean error (LineError, RuleError, ConfigError); none crashes, none takes unbounded time.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import HOSTILE_SNIPPETS, budget, garbled, hostile_text, json_values
from webcare.config import _KEYS, ConfigError, load_settings
from webcare.privacy.detect import scan
from webcare.services import history_import
from webcare.services.routing.conditions import RuleError
from webcare.services.routing.decision import RouteInput
from webcare.services.routing.default_rules import all_rules, offline_catalog
from webcare.services.routing.engine import RuleSet, RuleSpec

# -- history import lines (docs/API.md "Import format") ----------------------------------------------------
IMPORT_SAMPLES = [
    {"type": "message", "channel": "X", "external_id": "1", "thread": "t1", "kind": "dm", "visibility": "private",
     "author": "@jan", "author_name": "Jan", "text": "Mijn container is niet geleegd", "language": "nl",
     "at": "2026-01-05T09:00:00+01:00"},
    {"type": "reply", "thread": "t1", "text": "Wij kijken ernaar", "visibility": "public", "agent": "a@gemeente.nl",
     "at": "2026-01-05T10:00:00+01:00"},
    {"type": "handoff", "thread": "t1", "department": "OW", "agent": "a@gemeente.nl", "at": "2026-01-05T10:00:00Z"},
    {"type": "feedback", "thread": "t1", "department": "OW", "text": "Gedaan", "at": "2026-01-05T11:00:00Z"},
    {"type": "status", "thread": "t1", "status": "resolved", "text": "", "agent": "a@gemeente.nl",
     "at": "2026-01-05T12:00:00Z"},
]

import_lines = st.one_of(
    st.sampled_from(IMPORT_SAMPLES).flatmap(garbled).map(lambda obj: json.dumps(obj, ensure_ascii=False)),
    json_values.map(json.dumps),
    hostile_text,
)


def _check_import_lines(lines: list[str]) -> None:
    try:
        parsed = history_import.parse(lines)
    except history_import.LineError as exc:
        assert 1 <= exc.number <= len(lines)
        assert str(exc).startswith(f"line {exc.number}: ")
        return
    assert all(line.type in history_import.LINE_SCHEMAS for line in parsed)


@pytest.mark.parametrize("sample", IMPORT_SAMPLES, ids=lambda s: s["type"])
def test_every_import_sample_parses(sample):
    [line] = history_import.parse([json.dumps(sample)])
    assert line.type == sample["type"]


@budget(slow=False, fast=300)
@given(st.lists(import_lines, min_size=1, max_size=4))
def test_import_lines_parse_or_give_a_line_error(lines):
    _check_import_lines(lines)


@pytest.mark.slow
@budget(slow=True)
@given(st.lists(import_lines, min_size=1, max_size=6))
def test_import_lines_parse_or_give_a_line_error_long(lines):
    _check_import_lines(lines)


# -- routing rule definitions (conditions and actions, as the API and the admin pages take them) ------------
RULE_SAMPLE = {
    "conditions": {"all": [{"words": ["lantaarnpaal", "*lamp", "licht doet het niet"]}, {"platform": ["x", "mastodon"]},
                           {"any": [{"kind": ["dm"]}, {"time": {"from": "22:00", "to": "07:00"}}]},
                           {"none": [{"regex": r"\btest\b"}, {"weekday": ["sat", "zo"]}, {"channel": [3]}]},
                           {"author": ["@jan"]}, {"language": ["nl"]}, {"labels": ["gevaar"]}, {"visibility": ["public"]}]},
    "actions": {"category": "wegen.straatverlichting", "priority": "high", "labels": ["gevaar"], "threat": False,
                "auto_ack": True},
}
CATALOG = offline_catalog()


def _compile(definition) -> RuleSet | None:
    conditions = definition.get("conditions") if isinstance(definition, dict) else definition
    actions = definition.get("actions") if isinstance(definition, dict) else definition
    try:
        return RuleSet([RuleSpec(1, "fuzz", conditions, actions, False)], CATALOG)
    except RuleError as exc:
        assert exc.path.startswith(("conditions", "actions")), exc
        return None


def test_the_rule_sample_compiles():
    assert _compile(RULE_SAMPLE) is not None


@budget(slow=False, fast=400)
@given(st.one_of(garbled(RULE_SAMPLE, max_changes=6), json_values), hostile_text)
def test_rule_definitions_compile_or_give_a_rule_error(definition, text):
    rules = _compile(definition)
    if rules is not None:
        rules.decide(RouteInput(text=text, platform="x"))


def test_the_api_refuses_junk_rules_with_a_validation_error(client, session):
    from tests import factories as f
    from webcare.services.users import create_api_token

    f.seeded(session)
    admin = f.user(session, role="admin")
    _record, token = create_api_token(session, admin.email, "fuzz")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    @budget(slow=False, fast=40)
    @given(st.one_of(garbled({"name": "fuzz", **RULE_SAMPLE}, max_changes=6), json_values))
    def post(body):
        response = client.post("/api/v1/rules", json=body, headers=headers)
        assert response.status_code in (201, 400, 409), response.get_data(as_text=True)[:500]
        if response.status_code == 400:
            assert response.json["error"]["message"]

    post()


# -- configuration: every junk value names its key -----------------------------------------------------------
CONFIG_BASE = {"WEBCARE_ENV": "test", "WEBCARE_SECRET_KEY": "s" * 32,
               "WEBCARE_ENCRYPTION_KEYS": "K1i6UeCi5rNrm9e7vWuA4ZcK5bq5Pwb3NNbnbjgzNbg="}
env_values = st.one_of(hostile_text, st.sampled_from(("", "0", "-1", "nan", "inf", "1e999", "99999999999999999999",
                                                      "true", "ja", "[1]", "a,b", "redis://", "http://[::1")))


@budget(slow=False, fast=300)
@given(key=st.sampled_from(sorted(_KEYS)), value=env_values)
def test_junk_environment_values_name_their_key(key, value, tmp_path_factory):
    environ = {**CONFIG_BASE, "WEBCARE_INSTANCE_PATH": str(tmp_path_factory.getbasetemp()), f"WEBCARE_{key.upper()}": value}
    try:
        load_settings(environ=environ, config_path=None)
    except ConfigError as exc:
        assert exc.key in str(exc)
        if exc.key not in ("WEBCARE_CONFIG",):
            assert exc.key == key, f"{key}={value!r} blamed {exc.key}: {exc}"


def _toml(value) -> str:
    """A TOML value (strings as JSON strings: their escapes are TOML's; a lone surrogate makes bad TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else "-inf" if value == -float("inf")
                                             else repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"k{i} = {_toml(v)}" for i, v in enumerate(value.values())) + "}"
    return json.dumps(value) if isinstance(value, str) else str(value)


@pytest.mark.parametrize("key", sorted(k for k, f in _KEYS.items() if f.type == "float"))
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_a_number_that_is_not_finite_is_refused(key, value, tmp_path):
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={**CONFIG_BASE, "WEBCARE_INSTANCE_PATH": str(tmp_path), f"WEBCARE_{key.upper()}": value})
    assert refused.value.key == key


@pytest.mark.parametrize("key", sorted(k for k, f in _KEYS.items() if f.type == "int"))
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1.5"])
def test_a_whole_number_setting_refuses_what_is_no_whole_number(key, value, tmp_path):
    """TOML's inf and nan are floats: they are refused with the key's name, not a traceback."""
    path = tmp_path / "config.toml"
    path.write_text(f"{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={**CONFIG_BASE, "WEBCARE_INSTANCE_PATH": str(tmp_path)}, config_path=path)
    assert refused.value.key == key


toml_values = st.recursive(
    st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(), hostile_text),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=5,
).map(_toml)


@budget(slow=False, fast=200)
@given(key=st.sampled_from(sorted(_KEYS)), value=toml_values)
def test_junk_toml_values_name_their_key(key, value, tmp_path_factory):
    path = tmp_path_factory.mktemp("toml") / "config.toml"
    path.write_text(f"{key} = {value}\n", encoding="utf-8")
    environ = {**CONFIG_BASE, "WEBCARE_INSTANCE_PATH": str(tmp_path_factory.getbasetemp())}
    try:
        load_settings(environ=environ, config_path=path)
    except ConfigError as exc:
        assert exc.key in (key, "WEBCARE_CONFIG"), f"{key} = {value} blamed {exc.key}: {exc}"


# -- the privacy detector: any text, bounded time, findings inside the text ----------------------------------
def _scan_checked(text: str) -> None:
    started = time.perf_counter()
    findings = scan(text)
    assert time.perf_counter() - started < 2.0, f"scan took {time.perf_counter() - started:.2f}s"
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)


@budget(slow=False, fast=400)
@given(st.one_of(hostile_text, st.lists(st.sampled_from(HOSTILE_SNIPPETS + (
    "06-12345678", "jan@example.nl", "NL91ABNA0417164300", "1234 AB 12", "01-02-1980", "12-ABC-3", "123456782",
    "0", "@", ".", "-", " ")), max_size=200).map("".join)))
def test_the_privacy_detector_takes_any_text(text):
    _scan_checked(text)


@pytest.mark.parametrize("text", [
    "0" * 100_000, "@" * 100_000, "a." * 50_000, "1-" * 50_000, "a@" * 50_000, "+31" * 30_000, "NL" * 50_000,
    "06 " * 30_000, ("www." + "a" * 1000) * 50, "1234 AB " * 10_000,
])
def test_the_privacy_detector_is_fast_on_huge_adversarial_text(text):
    _scan_checked(text)


# -- the routing matcher: the default rules on any text, bounded time ---------------------------------------
DEFAULT_RULES = RuleSet([RuleSpec(i, r["name"], r.get("conditions") or {}, r["actions"], r.get("continue_matching", False))
                         for i, r in enumerate(all_rules(), 1)], CATALOG, strict=False)


def _decide_checked(rules: RuleSet, text: str, limit: float = 2.0) -> None:
    """Route `text` in a daemon thread, so that a regression fails the test instead of hanging the run."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            rules.decide(RouteInput(text=text, platform="x"))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"routing a text of {len(text)} characters took more than {limit}s"
    assert not errors, errors
    assert time.perf_counter() - started < limit


@budget(slow=False, fast=300)
@given(hostile_text)
def test_the_default_rules_route_any_text(text):
    _decide_checked(DEFAULT_RULES, text)


@pytest.mark.parametrize("text", [
    "burgemeester " * 20_000, "kan " * 25_000 + "wel", "a" * 100_000, "\u202e" * 50_000, "\U0001f4a9" * 50_000,
    "burgemeester " + "de " * 30_000 + "straat",
])
def test_the_default_rules_are_fast_on_huge_text(text):
    _decide_checked(DEFAULT_RULES, text)


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(\w+\s?)+$", r"^(a|a?)+b"])
def test_a_catastrophic_rule_regex_cannot_stall_routing(pattern):
    rules = RuleSet([RuleSpec(1, "evil", {"regex": pattern}, {"priority": "high"}, False)], CATALOG)
    _decide_checked(rules, "a" * 40 + "!")
