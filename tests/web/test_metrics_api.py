"""GET /api/v1/metrics/*: managers and administrators only, validated query, described in the OpenAPI document."""

from __future__ import annotations

import pytest

from tests import factories
from tests.metrics_helpers import REPLY, history
from webcare.services.users import create_api_token


@pytest.fixture
def world(session):
    factories.seeded(session)
    agent = factories.user(session, "agent", departments=("KCC",))
    history(session, "2025-03-10T09:00+01:00", [("reply_sent", "2025-03-10T10:00+01:00", REPLY)], actor=agent,
            now="2025-03-10T11:00+01:00")
    tokens = {}
    for role in ("agent", "department", "manager", "admin"):
        user = factories.user(session, role, departments=("AFV",) if role == "department" else ())
        tokens[role] = create_api_token(session, user.email)[1]
    session.commit()
    return tokens


def _get(client, token, path):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(("role", "status"), [("agent", 403), ("department", 403), ("manager", 200), ("admin", 200)])
def test_roles(client, world, role, status):
    for path in ("/api/v1/metrics/response-times?from=2025-03-01&to=2025-03-31", "/api/v1/metrics/backlog"):
        response = _get(client, world[role], path)
        assert response.status_code == status, path
        if status == 403:
            assert response.get_json()["error"]["code"] == "forbidden"


def test_anonymous_gets_401(client, world):
    assert client.get("/api/v1/metrics/backlog").status_code == 401


def test_response_times_per_department(client, world):
    body = _get(client, world["manager"], "/api/v1/metrics/response-times?from=2025-03-01&to=2025-03-31"
                                           "&group_by=department").get_json()
    assert (body["from"], body["to"], body["group_by"], body["timezone"]) == \
        ("2025-03-01", "2025-03-31", "department", "Europe/Amsterdam")
    [group] = body["groups"]
    assert (group["key"], group["count"], group["first_response_median_business_seconds"],
            group["first_response_median_wall_seconds"], group["first_response_within_sla"]) == ("AFV", 1, 3600.0, 3600.0, 1.0)


@pytest.mark.parametrize("period", ["from=2025-03-01&to=2025-03-31", "from=2025-02-28T23:00:00Z&to=2025-03-31T23:59:00%2B02:00",
                                    "from=2025-03-01T00:00&to=2025-03-31T12:00:00%2B01:00"])
def test_the_period_may_be_given_as_times_with_an_offset(client, world, period):
    body = _get(client, world["manager"], f"/api/v1/metrics/response-times?{period}").get_json()
    assert (body["from"], body["to"], len(body["groups"])) == ("2025-03-01", "2025-03-31", 1)


@pytest.mark.parametrize(("query", "field"), [
    ("group_by=colour", "group_by"), ("from=2025-02-30", "from"), ("from=2025-03-01T25:00Z", "from"), ("from=2025-03-10&to=2025-03-01", "to"),
    ("department=NOPE", "department"), ("category=nope", "category"), ("channel=999", "channel"), ("colour=red", "colour"),
])
def test_bad_queries_are_400_with_the_field(client, world, query, field):
    response = _get(client, world["manager"], f"/api/v1/metrics/response-times?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(("path", "field", "messages"), [
    ("response-times?department=NOPE", "department", ["unknown"]),
    ("response-times?category=nope", "category", ["unknown"]),
    ("response-times?channel=999", "channel", ["unknown"]),
    ("backlog?department=NOPE", "department", ["unknown"]),
    ("response-times?from=2099-01-01", "to", ["must not be before 'from'"]),  # `to` is today
    ("response-times?from=2022-12-31&to=2025-01-01", "from", ["the period can be at most 732 days"]),
])
def test_a_refused_field_has_a_message_not_the_value_that_was_sent(client, world, path, field, messages):
    """docs/API.md: a field's value in an error is a list of messages, as for the ticket filters."""
    response = _get(client, world["manager"], f"/api/v1/metrics/{path}")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {field: messages}


def test_backlog(client, world):
    body = _get(client, world["admin"], "/api/v1/metrics/backlog?department=AFV").get_json()
    [afv] = body["departments"]
    assert (afv["code"], afv["total"], body["total"]["total"]) == ("AFV", 1, 1)
    assert set(afv["levels"]) == {"on_time", "at_risk", "breached", "late_3x", "none"}
    assert set(afv["ages"]) == {"lt_1d", "1_3d", "3_7d", "7_14d", "14_30d", "gt_30d"}
    assert afv["ages"]["gt_30d"] == 1


def test_openapi_describes_the_metrics(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/metrics/response-times"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"from", "to", "group_by", "department", "channel", "category"} <= names
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    assert "/metrics/backlog" in spec["paths"]
    schema = spec["components"]["schemas"]["ResponseTimesGroup"]["properties"]
    assert {"count", "first_response_median_business_seconds", "first_response_p90_wall_seconds",
            "first_response_within_sla", "handling_within_sla", "department_feedback_median_business_seconds"} <= set(schema)
