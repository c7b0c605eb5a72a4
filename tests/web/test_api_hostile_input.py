"""Hostile input to the JSON API, as a black-box audit sent it: each answer is a clean 4xx in the error shape
of API.md (`{"error": {"code", "message", "fields"}}`), never a server error."""

from __future__ import annotations

import base64

import pytest

from tests import factories as f
from webcare.json_provider import MAX_DEPTH


@pytest.fixture
def api(client, session, cli):
    """An agent's and an administrator's token, and two tickets of department OW."""
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "admin": f.user(session, "admin")}
    tickets = [f.ticket(session, department_code="OW", text=f"melding {i}") for i in range(2)]
    session.commit()
    tokens = {who: cli("create-token", p.email).output.strip() for who, p in people.items()}

    def call(method, path, who="agent", headers=None, **kwargs):
        headers = {**({"Authorization": f"Bearer {tokens[who]}"} if who else {}), **(headers or {})}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call, people, tickets


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()["error"]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_conditions(depth: int) -> dict:
    node: dict = {"words": ["lantaarnpaal"]}
    for _ in range(depth):
        node = {"all": [node]}
    return node


# -- 1. deeply nested JSON bodies --------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 400, 1000, 5000, 50_000])
def test_a_deeply_nested_body_is_400_even_without_a_token(api, depth):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/notes", who=None, data=_nested(depth),
                    content_type="application/json")
    assert "nests deeper" in _error(response, 400)["message"]


def test_a_body_within_the_depth_limit_is_parsed(api):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/notes", data=_nested(MAX_DEPTH),
                    content_type="application/json")
    assert _error(response, 400)["code"] == "invalid"  # a list is no note, but it was read


def test_a_deeply_nested_object_names_its_top_level_key(api):
    call, _, _ = api
    response = call("POST", "/rules", who="admin", json={"name": "diep", "actions": {"priority": "high"},
                                                         "conditions": _nested_conditions(200)})
    assert "conditions" in _error(response, 400)["fields"]


@pytest.mark.parametrize("depth", [17, 25])
def test_rule_conditions_nested_too_deep_are_refused_naming_the_field(api, depth):
    call, _, _ = api
    response = call("POST", "/rules", who="admin", json={"name": "diep", "actions": {"priority": "high"},
                                                         "conditions": _nested_conditions(depth)})
    error = _error(response, 400)
    assert "conditions" in error["fields"] and "deeper than 16" in error["message"]


def test_rule_conditions_at_the_depth_limit_are_accepted(api):
    call, _, _ = api
    response = call("POST", "/rules", who="admin", json={"name": "diep", "actions": {"priority": "high"},
                                                         "conditions": _nested_conditions(16)})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_the_rule_form_refuses_deeply_nested_conditions(client, session, admin):
    page = "/admin/rules/new"
    response = f.form_post(client, page, {"name": "diep", "conditions": "[" * 5000 + "]" * 5000, "priority": "high"})
    assert response.status_code in (200, 400)
    assert "JSON" in response.get_data(as_text=True)


# -- 8. invalid JSON bodies; the NUL refusal in English ----------------------------------------------------

@pytest.mark.parametrize("body", ['{"text": ', "{'text': 'x'}", "\xff\xfe", "NaN-ish"])
def test_a_body_that_is_not_json_is_400_saying_so(api, body):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/notes", data=body.encode("latin-1"),
                    content_type="application/json")
    assert _error(response, 400)["message"].startswith("body is not valid JSON")


def test_an_empty_json_body_is_a_missing_field_not_invalid_json(api):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/notes", data=b"", content_type="application/json")
    assert "text" in _error(response, 400)["fields"]


def test_unstorable_text_is_refused_in_english_on_the_api(api):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/notes", json={"text": "a\x00b"},
                    headers={"Cookie": "webcare_lang=nl"})
    assert "cannot be stored" in _error(response, 400)["message"]


def test_unstorable_text_is_refused_in_dutch_on_the_pages(client, admin):
    response = client.get("/inbox?q=a%00b")
    assert response.status_code == 400
    assert "cannot be stored" not in response.get_data(as_text=True)


# -- 2. numbers in `q` that are no id; a failed query still answers in JSON ---------------------------------

@pytest.mark.parametrize("q", ["2147483648", "99999999999", "%2399999999999", "%C2%B2",
                               "%D9%A1%D9%A2", "%23"])
def test_a_number_that_is_no_id_is_searched_as_text(api, q):
    call, _, _ = api
    response = call("GET", f"/tickets?q={q}&status=all")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["items"] == []


def test_a_ticket_number_still_finds_its_ticket(api):
    call, _, tickets = api
    for q in (str(tickets[1].id), f"%23{tickets[1].id}"):
        assert [t["id"] for t in call("GET", f"/tickets?q={q}").get_json()["items"]] == [tickets[1].id]


def test_a_failing_query_is_answered_in_json_and_the_connection_is_reused(app, client, session, cli):
    """On PostgreSQL a failed statement aborts the transaction: the teardown must not run SQL on it (that
    raised from the teardown, and the server answered with an HTML page instead of the error shape)."""
    from sqlalchemy import text

    from webcare.extensions import db

    def broken():
        db().execute(text("SELECT CAST(:n AS INTEGER) + 2147483647"), {"n": 2147483647})  # integer out of range
        db().execute(text("SELECT no_such_column FROM no_such_table"))  # SQLite: no overflow, this fails
        return "unreachable"

    app.add_url_rule("/api/v1/broken", "broken", broken)
    agent = f.user(session, "agent")
    session.commit()
    token = cli("create-token", agent.email).output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(app.extensions["webcare"].engine.pool.size() + 2):  # more failures than pooled connections
        response = client.get("/api/v1/broken", headers=headers)
        assert response.status_code == 500 and response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == "server_error"
        assert client.get("/api/v1/departments", headers=headers).status_code == 200


# -- 3. tampered cursors ------------------------------------------------------------------------------------

def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("raw", [
    '[1,"2026-11-23T08:30:00+00:00",99999999999]', '[2,null,99999999999]', '[2,null,1e300]', '[2,null,3.0]',
    '[1,"2026-11-23T08:30:00",3]', '[1,"0001-01-01T00:00:00+05:00",3]', '[1,"9999-12-31T23:00:00-05:00",3]',
    '[3,null,3]', '[true,null,3]', '[1.0,null,3]', '[2,null,true]', '[2,null,0]', '[2,null,-1]', '[2,"x",3]',
    '[1,5,3]', '[1,"2026-11-23T08:30:00+00:00","3"]', '{"a":1,"b":2,"c":3}', "[" * 3000 + "]" * 3000, "garbage"])
def test_a_tampered_ticket_cursor_is_400(api, raw):
    call, _, _ = api
    error = _error(call("GET", f"/tickets?cursor={_cursor(raw)}"), 400)
    assert error["fields"]["cursor"] and "cursor" in error["message"]


@pytest.mark.parametrize("raw", ['[1,"2026-11-23T08:30:00+00:00",3]', '[1,"2026-11-23T09:30:00+01:00",3]',
                                 "[2,null,3]", "[1,null,3]"])
def test_a_well_formed_ticket_cursor_is_taken(api, raw):
    call, _, _ = api
    assert call("GET", f"/tickets?cursor={_cursor(raw)}").status_code == 200


def test_a_tampered_cursor_on_the_inbox_page_is_no_server_error(client, admin):
    assert client.get(f"/inbox?cursor={_cursor('[2,null,99999999999]')}").status_code in (200, 400)


@pytest.mark.parametrize(("path", "raw"), [
    ("/departments", '["a\\u0000"]'), ("/departments", '["\\ud800"]'), ("/departments", "[5]"),
    ("/channels", '["' + "y" * 1001 + '"]'), ("/rules", '["1",1]'), ("/rules", "[1,99999999999]"),
    ("/rules", "[1,1.0]"), ("/rules", "[0,1]"), ("/rules", "[1,true]"), ("/rules", "[" * 3000 + "]" * 3000)])
def test_a_tampered_short_list_cursor_is_400(api, path, raw):
    call, _, _ = api
    assert _error(call("GET", f"{path}?cursor={_cursor(raw)}", who="admin"), 400)["fields"]["cursor"]


def test_a_well_formed_short_list_cursor_is_taken(api):
    call, _, _ = api
    assert call("GET", f"/rules?cursor={_cursor('[1,1]')}", who="admin").status_code == 200
    cursor = _cursor('["AFV"]')
    assert call("GET", f"/departments?cursor={cursor}", who="admin").status_code == 200


# -- 4. days at the ends of the calendar ---------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ("to=0001-01-10", "to"), ("from=0001-01-01&to=0001-01-05", "from"), ("to=9999-12-31", "to"),
    ("from=9999-12-30&to=9999-12-31", "from"), ("from=1999-12-31&to=2000-01-05", "from"), ("from=0001-01-01", "from")])
def test_response_times_refuse_days_beyond_the_calendar(api, query, field):
    call, _, _ = api
    error = _error(call("GET", f"/metrics/response-times?{query}", who="admin"), 400)
    assert field in error["fields"] and "9998-12-31" in error["message"]


@pytest.mark.parametrize("query", ["from=2000-01-01&to=2000-01-31", "from=9998-12-01&to=9998-12-31", "to=2026-11-30"])
def test_response_times_take_days_within_the_calendar(api, query):
    call, _, _ = api
    assert call("GET", f"/metrics/response-times?{query}", who="admin").status_code == 200


@pytest.mark.parametrize("query", ["to=0001-01-10", "from=9999-12-30&to=9999-12-31", "to=9999-12-31"])
def test_the_dashboard_refuses_days_beyond_the_calendar(client, admin, query):
    assert client.get(f"/dashboards/?{query}").status_code == 400


# -- 5. every error body has `fields`, each a list of messages ------------------------------------------------

def test_every_kind_of_error_has_fields(api, client, session):
    call, _, tickets = api
    answers = {
        401: call("GET", "/tickets", who=None),
        403: call("GET", "/rules"),
        404: call("GET", "/tickets/999999"),
        405: call("DELETE", "/tickets"),
        "not json object": call("POST", "/route-preview", json=["tekst"]),
        "cursor": call("GET", "/tickets?cursor=garbage"),
    }
    for what, response in answers.items():
        assert response.status_code in (400, 401, 403, 404, 405), what
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "fields"}, what
        assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in error["fields"].values()), what
    assert answers["cursor"].get_json()["error"]["fields"] == {"cursor": ["invalid"]}


def test_the_csrf_error_of_a_session_caller_has_fields(client, admin):
    response = client.post("/api/v1/route-preview", json={"text": "lantaarnpaal kapot"})
    assert _error(response, 400) == {"code": "csrf", "message": response.get_json()["error"]["message"], "fields": {}}


def test_a_rule_error_names_its_field_with_a_list_of_messages(api):
    call, _, _ = api
    response = call("POST", "/rules", who="admin", json={"name": "x", "actions": {"priority": "high"},
                                                         "conditions": {"regex": "("}})
    [message] = _error(response, 400)["fields"]["conditions"]
    assert "invalid regular expression" in message


# -- 6. with_department through the status endpoint is a move that is not allowed (409) -----------------------

def test_status_with_department_is_409_pointing_to_the_handoff(api):
    call, _, tickets = api
    response = call("POST", f"/tickets/{tickets[0].id}/status", json={"status": "with_department", "text": "x"})
    error = _error(response, 409)
    assert error["code"] == "transition_not_allowed" and "/handoff" in error["message"]
    assert error["fields"] == {"status": ["use a hand-off"]}
    assert call("GET", f"/tickets/{tickets[0].id}").get_json()["status"] == "new"


def test_the_status_form_refuses_with_department_with_a_message(client, session, admin):
    ticket = f.ticket(session, department_code="OW", text="lantaarnpaal kapot")
    session.commit()
    page = f"/tickets/{ticket.id}"
    response = f.form_post(client, f"{page}/status", {"status": "with_department", "text": "x"}, page=page)
    assert response.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert 'class="flash flash-error"' in shown and "Status changed" not in shown and "Status gewijzigd" not in shown


# -- 7. a blank text has no route, as `webcare route --text "   "` says -----------------------------------------

@pytest.mark.parametrize("text", ["   ", "\n\t ", ""])
def test_route_preview_refuses_blank_text(api, text):
    call, _, _ = api
    assert _error(call("POST", "/route-preview", json={"text": text}), 400)["fields"]["text"]


def test_route_preview_routes_text(api):
    call, _, _ = api
    assert call("POST", "/route-preview", json={"text": " lantaarnpaal kapot "}).status_code == 200


# -- 9. an unknown channel filter is a 400, as an unknown department or category ------------------------------

@pytest.mark.parametrize("query", ["channel=99999", "department=NOPE", "category=nope"])
def test_an_unknown_filter_value_is_400_naming_the_field(api, query):
    call, _, _ = api
    name = query.split("=")[0]
    assert _error(call("GET", f"/tickets?{query}"), 400)["fields"][name] == ["unknown"]


def test_a_known_channel_filters_the_list(api, session):
    call, _, tickets = api
    channel_id = tickets[0].channel_id
    items = call("GET", f"/tickets?channel={channel_id}").get_json()["items"]
    assert tickets[0].id in [t["id"] for t in items] and {t["channel"]["id"] for t in items} == {channel_id}


# -- 10. only null unassigns ---------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["", "   "])
def test_assign_to_an_empty_user_is_400(api, user):
    call, people, tickets = api
    assert call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": people["agent"].email}).status_code == 200
    assert _error(call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": user}), 400)["fields"]["user"]
    assert call("GET", f"/tickets/{tickets[0].id}").get_json()["assignee"] is not None


def test_assign_to_null_unassigns(api):
    call, people, tickets = api
    call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": people["agent"].email})
    response = call("POST", f"/tickets/{tickets[0].id}/assign", json={"user": None})
    assert response.status_code == 200 and response.get_json()["assignee"] is None


# -- 11. a body that is not sent as JSON (curl -d sends a form) says so, on every endpoint that takes one ------

@pytest.mark.parametrize("path, who", [("/tickets/{id}/notes", "agent"), ("/tickets/{id}/replies", "agent"),
                                       ("/tickets/{id}/status", "agent"), ("/tickets/{id}/handoff", "agent"),
                                       ("/tickets/{id}/assign", "agent"), ("/privacy/scan", "agent"),
                                       ("/route-preview", "agent"), ("/rules", "admin")])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_a_body_not_sent_as_json_is_400_saying_to_send_json(api, session, path, who, content_type):
    call, _, tickets = api
    before = call("GET", f"/tickets/{tickets[0].id}").get_json()
    headers = {"Content-Type": content_type} if content_type else {}
    response = call("POST", path.format(id=tickets[0].id), who=who, data='{"text": "hallo"}', headers=headers)
    assert "Content-Type: application/json" in _error(response, 400)["message"]
    assert call("GET", f"/tickets/{tickets[0].id}").get_json() == before


def test_an_empty_body_still_names_the_missing_fields(api):
    call, _, tickets = api
    error = _error(call("POST", f"/tickets/{tickets[0].id}/notes"), 400)
    assert error["fields"]["text"] == ["Missing data for required field."]
