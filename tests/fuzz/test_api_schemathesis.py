"""schemathesis against /api/v1/openapi.json on the Flask app (WSGI): every operation, as an administrator
and as an agent (API tokens), on seeded data with tickets. No answer may be a server error, and every
answer must be one the schema documents (status code, content type, body).

The fast run tries `FAST_EXAMPLES` cases per operation and role, valid and invalid ones; `--runslow` tries
`SLOW_EXAMPLES`. Mutating operations run too (rules are created and deleted, replies queued).
"""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests import factories as f
from webcare.models import RoutingRule, Ticket
from webcare.services.users import create_api_token

FAST_EXAMPLES = 15
SLOW_EXAMPLES = 150
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def known_ids(session, tokens) -> dict[str, list[int]]:
    """Ids that exist, so that cases reach the handlers and not only the 404 of an unknown id."""
    return {"ticket_id": list(session.scalars(select(Ticket.id))),
            "rule_id": list(session.scalars(select(RoutingRule.id).limit(3)))}


@pytest.fixture
def tokens(session) -> dict[str, str]:
    """Seeded departments and categories, tickets in two departments, and a token per role."""
    f.seeded(session)
    channel = f.channel(session, "mastodon")
    for n, department in enumerate(("OW", "KCC", "OW", None)):
        f.ticket(session, channel, department, text=f"Melding {n} <b>vet</b> \u202egnp.exe")
    admin = f.user(session, role="admin")
    agent = f.user(session, role="agent", departments=("OW",))
    found = {}
    for role, user in (("admin", admin), ("agent", agent)):
        _record, found[role] = create_api_token(session, user.email, f"fuzz-{role}")
    session.commit()
    return found


def _strategy(operation, mode: GenerationMode, known_ids: dict[str, list[int]]):
    """Cases with generated path ids, and as many with the id of a ticket or rule that exists."""
    strategy = operation.as_strategy(generation_mode=mode)
    for name, ids in known_ids.items():
        if "{" + name + "}" in operation.path and ids:
            strategy = strategy | st.sampled_from(ids).flatmap(
                lambda id_, name=name: operation.as_strategy(generation_mode=mode, path_parameters={name: id_}))
    return strategy


def _run(app, token: str, examples: int, known_ids: dict[str, list[int]]) -> dict[str, int]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    count = {"operations": 0, "cases": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        count["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            count["cases"] += _fuzz_operation(operation, mode, headers, examples, known_ids, failures)
    assert not failures, "\n\n".join(failures)
    return count


def _fuzz_operation(operation, mode: GenerationMode, headers: dict, examples: int, known_ids: dict[str, list[int]],
                    failures: list[str]) -> int:
    """Run one operation's cases; a failure is collected (one report for all operations at the end)."""
    calls = 0
    checks = CHECKS if mode.is_positive else [not_a_server_error]

    @settings(max_examples=examples, deadline=None, database=None, derandomize=examples == FAST_EXAMPLES,
              suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, mode, known_ids))
    def call(case):
        nonlocal calls
        calls += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=checks)
        except Exception as exc:
            failures.append(f"{operation.label} [{mode}] {str(exc)[:1500]}")
            raise

    with contextlib.suppress(Exception):  # already collected in `failures`
        call()
    return calls


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_the_api_answers_every_case_without_server_errors_and_as_documented(app, tokens, known_ids, role):
    count = _run(app, tokens[role], FAST_EXAMPLES, known_ids)
    assert count["operations"] >= 10


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "agent"])
def test_the_api_answers_every_case_without_server_errors_and_as_documented_long(app, tokens, known_ids, role):
    _run(app, tokens[role], SLOW_EXAMPLES, known_ids)
