"""The access matrix: every route of the app (web and API) against every role, with the intended answer.

`EXPECTED` below is the one table of intended answers. The test enumerates `app.url_map`, so a route
that is added without a row here fails the test (and a row whose route is gone fails too): the matrix
stays complete. Ticket routes aim at a ticket of department A: department B's member must get 404
(it does not exist for them), never 403.

Answers: "ok" (2xx, or a redirect that is not to the login page, without an error message), "refused"
(a redirect back with an error message: the act was understood and refused by a rule), "login" (a
redirect to the login page), or the HTTP status ("400", "401", "403", "404", ...).
The world is in tests/access_world.py; the findings are in docs/RELIABILITY.md (Access).
"""

from __future__ import annotations

import pytest

from tests import access_world as w
from tests import factories as f

ROLES = w.ROLES  # anon, agent, dep_a (OW), dep_b (AFV), manager, admin

# One row per "METHOD rule": the answer for anon, agent, dep_a, dep_b, manager, admin.
# /metrics: neither a session nor an API token lets in, only the metrics token or an allowed IP.
# Public: health, login, language, static files, the OpenAPI document and webhooks (404: no such webhook
# channel here; signatures are tested in tests/web/test_webhooks.py). Admin pages: admins only (an empty
# admin form is a 400 or a refusal: the role passed the gate). Ticket routes aim at department A's ticket.
EXPECTED: dict[str, tuple[str, str, str, str, str, str]] = {
    "DELETE /api/v1/rules/<int:rule_id>": ("401", "403", "403", "403", "403", "ok"),
    "GET /": ("login", "ok", "ok", "ok", "ok", "ok"),
    "GET /account/two-factor": ("login", "ok", "ok", "ok", "ok", "ok"),
    "GET /admin/": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/audit": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/calendars": ("login", "403", "403", "403", "403", "ok"),
    "GET /canned": ("login", "ok", "403", "403", "ok", "ok"),
    "GET /canned/<int:canned_id>": ("login", "ok", "403", "403", "ok", "ok"),
    "GET /canned/new": ("login", "ok", "403", "403", "ok", "ok"),
    "GET /admin/categories": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/categories/<int:category_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/categories/new": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/calendars/<int:calendar_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/calendars/new": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/channels/": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/channels/<int:channel_id>/edit": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/channels/new": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/dead-letters/": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/departments": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/departments/<int:department_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/privacy/contacts": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/privacy/contacts/<int:contact_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/privacy/contacts/<int:contact_id>/export": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/privacy/contacts/<int:contact_id>/export.json": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/rules": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/rules/<int:rule_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/rules/new": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/sla": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/sla/policies/<int:policy_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/sla/policies/new": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/users": ("login", "403", "403", "403", "403", "ok"),
    "GET /admin/users/<int:user_id>": ("login", "403", "403", "403", "403", "ok"),
    "GET /api/v1/categories": ("401", "ok", "ok", "ok", "ok", "ok"),
    "GET /api/v1/channels": ("401", "ok", "ok", "ok", "ok", "ok"),
    "GET /api/v1/departments": ("401", "ok", "ok", "ok", "ok", "ok"),
    "GET /api/v1/metrics/backlog": ("401", "403", "403", "403", "ok", "ok"),
    "GET /api/v1/metrics/response-times": ("401", "403", "403", "403", "ok", "ok"),
    "GET /api/v1/openapi.json": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "GET /api/v1/rules": ("401", "403", "403", "403", "403", "ok"),
    "GET /api/v1/rules/<int:rule_id>": ("401", "403", "403", "403", "403", "ok"),
    "GET /api/v1/tickets": ("401", "ok", "ok", "ok", "ok", "ok"),
    "GET /api/v1/tickets/<int:ticket_id>": ("401", "ok", "ok", "404", "ok", "ok"),
    "GET /dashboards/": ("login", "403", "403", "403", "ok", "ok"),
    "GET /dashboards/agents": ("login", "403", "403", "403", "ok", "ok"),
    "GET /dashboards/channels/<int:channel_id>": ("login", "403", "403", "403", "ok", "ok"),
    "GET /dashboards/departments/<int:department_id>": ("login", "403", "403", "403", "ok", "ok"),
    "GET /dashboards/export/figures.csv": ("login", "403", "403", "403", "ok", "ok"),
    "GET /dashboards/export/tickets.csv": ("login", "403", "403", "403", "ok", "ok"),
    "GET /dashboards/now": ("login", "403", "403", "403", "ok", "ok"),
    "GET /department": ("login", "403", "ok", "ok", "403", "403"),
    "GET /events/stream": ("login", "ok", "ok", "ok", "ok", "ok"),
    "GET /healthz": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "GET /inbox": ("login", "ok", "ok", "ok", "ok", "ok"),
    "GET /login": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "GET /login/two-factor": ("login", "login", "login", "login", "login", "login"),
    "GET /metrics": ("403", "403", "403", "403", "403", "403"),
    "GET /notifications/": ("login", "ok", "ok", "ok", "ok", "ok"),
    "GET /notifications/unread.json": ("login", "ok", "ok", "ok", "ok", "ok"),
    "GET /readyz": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "GET /static/<path:filename>": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "GET /tickets/<int:ticket_id>": ("login", "ok", "ok", "404", "ok", "ok"),
    "GET /tickets/<int:ticket_id>/aangifte": ("login", "409", "403", "404", "409", "409"),
    "GET /webhooks/<platform>/<int:channel_id>": ("404", "404", "404", "404", "404", "404"),
    "POST /account/two-factor/confirm": ("login", "ok", "ok", "ok", "ok", "ok"),
    "POST /account/two-factor/disable": ("login", "ok", "ok", "ok", "ok", "ok"),
    "POST /account/two-factor/recovery-codes": ("login", "ok", "ok", "ok", "ok", "ok"),
    "POST /account/two-factor/start": ("login", "ok", "ok", "ok", "ok", "ok"),
    "POST /admin/calendars/<int:calendar_id>": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/calendars/<int:calendar_id>/closing-days": ("login", "403", "403", "403", "403", "refused"),
    "POST /admin/calendars/<int:calendar_id>/closing-days/<int:day_id>/delete": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/calendars/new": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/categories/<int:category_id>": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/categories/new": ("login", "403", "403", "403", "403", "400"),
    "POST /canned/<int:canned_id>": ("login", "ok", "403", "403", "ok", "ok"),
    "POST /canned/<int:canned_id>/delete": ("login", "ok", "403", "403", "ok", "ok"),
    "POST /canned/new": ("login", "400", "403", "403", "400", "400"),
    "POST /admin/channels/<int:channel_id>/<any(pause, resume):action>": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/channels/<int:channel_id>/edit": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/channels/<int:channel_id>/poll": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/channels/<int:channel_id>/test": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/channels/new": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/dead-letters/<job_id>/<any(retry, discard):action>": ("login", "403", "403", "403", "403", "404"),
    "POST /admin/departments": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/departments/<int:department_id>": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/privacy/contacts/<int:contact_id>/erase": ("login", "403", "403", "403", "403", "refused"),
    "POST /admin/rules": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/rules/<int:rule_id>": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/rules/<int:rule_id>/delete": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/rules/<int:rule_id>/enabled/<int:value>": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/rules/<int:rule_id>/move/<direction>": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/rules/new": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/sla/departments": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/sla/policies/<int:policy_id>": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/sla/policies/new": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/users": ("login", "403", "403", "403", "403", "400"),
    "POST /admin/users/<int:user_id>": ("login", "403", "403", "403", "403", "ok"),
    "POST /admin/users/<int:user_id>/tokens/<int:token_id>/revoke": ("login", "403", "403", "403", "403", "ok"),
    "POST /api/v1/privacy/scan": ("401", "ok", "ok", "ok", "ok", "ok"),
    "POST /api/v1/route-preview": ("401", "ok", "ok", "ok", "ok", "ok"),
    "POST /api/v1/rules": ("401", "403", "403", "403", "403", "ok"),
    "POST /api/v1/tickets/<int:ticket_id>/assign": ("401", "ok", "403", "404", "ok", "ok"),
    "POST /api/v1/tickets/<int:ticket_id>/handoff": ("401", "ok", "403", "404", "ok", "ok"),
    "POST /api/v1/tickets/<int:ticket_id>/notes": ("401", "ok", "ok", "404", "ok", "ok"),
    "POST /api/v1/tickets/<int:ticket_id>/replies": ("401", "ok", "403", "404", "ok", "ok"),
    "POST /api/v1/tickets/<int:ticket_id>/status": ("401", "ok", "403", "404", "ok", "ok"),
    "POST /deliveries/<int:message_id>/retry": ("login", "ok", "403", "404", "ok", "ok"),
    "POST /language/<code>": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "POST /login": ("400", "ok", "ok", "ok", "ok", "ok"),
    "POST /login/two-factor": ("login", "login", "login", "login", "login", "login"),
    "POST /logout": ("login", "login", "login", "login", "login", "login"),
    "POST /notifications/<int:notification_id>/read": ("login", "ok", "ok", "ok", "ok", "ok"),
    "POST /notifications/read": ("login", "ok", "ok", "ok", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/assign": ("login", "ok", "refused", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/claim": ("login", "ok", "ok", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/feedback": ("login", "refused", "ok", "404", "refused", "refused"),
    "POST /tickets/<int:ticket_id>/handoff": ("login", "ok", "refused", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/labels": ("login", "ok", "refused", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/merge": ("login", "ok", "refused", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/note": ("login", "ok", "ok", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/threat": ("login", "ok", "ok", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/presence": ("login", "ok", "ok", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/priority": ("login", "ok", "refused", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/reply": ("login", "ok", "403", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/send-back": ("login", "refused", "ok", "404", "refused", "refused"),
    "POST /tickets/<int:ticket_id>/status": ("login", "ok", "refused", "404", "ok", "ok"),
    "POST /tickets/<int:ticket_id>/take-over": ("login", "refused", "ok", "404", "refused", "refused"),
    "POST /webhooks/<platform>/<int:channel_id>": ("404", "404", "404", "404", "404", "404"),
    "PUT /api/v1/rules/<int:rule_id>": ("401", "403", "403", "403", "403", "ok"),
}

# Form bodies that the role allowed to act gets through with (the CSRF token is added to every form).
FORMS = {
    "POST /tickets/<int:ticket_id>/reply": {"text": "Dank voor uw melding, we pakken het op.", "visibility": "public"},
    "POST /tickets/<int:ticket_id>/note": {"text": "Interne notitie"},
    "POST /tickets/<int:ticket_id>/status": {"status": "open", "text": ""},
    "POST /tickets/<int:ticket_id>/assign": {"user_id": "{agent_id}"},
    "POST /tickets/<int:ticket_id>/handoff": {"department": "AFV", "question": "Kunnen jullie kijken?"},
    "POST /tickets/<int:ticket_id>/labels": {"labels": "lamp"},
    "POST /tickets/<int:ticket_id>/priority": {"priority": "high"},
    "POST /tickets/<int:ticket_id>/merge": {"other_id": "{partner_id}"},
    "POST /tickets/<int:ticket_id>/feedback": {"text": "Wij gaan er morgen langs."},
    "POST /tickets/<int:ticket_id>/send-back": {"reason": "Niet voor ons"},
    # an empty form would switch the department off, which enabled rules that send tickets to it refuse
    "POST /admin/departments/<int:department_id>": {"name": "Openbare Werken", "active": "y"},
}
JSON = {
    "POST /api/v1/tickets/<int:ticket_id>/replies": {"text": "Dank voor uw melding.", "visibility": "public"},
    "POST /api/v1/tickets/<int:ticket_id>/notes": {"text": "Interne notitie"},
    "POST /api/v1/tickets/<int:ticket_id>/handoff": {"department": "AFV", "question": "Kunnen jullie kijken?"},
    "POST /api/v1/tickets/<int:ticket_id>/status": {"status": "open"},
    "POST /api/v1/tickets/<int:ticket_id>/assign": {"user": "{agent_email}"},
    "POST /api/v1/route-preview": {"text": "De lantaarnpaal is kapot", "platform": "mastodon", "kind": "mention"},
    "POST /api/v1/privacy/scan": {"text": "Bel me op 0612345678"},
    "POST /api/v1/rules": {"name": "Lampen", "conditions": {"words": ["*lamp"]},
                           "actions": {"category": "wegen.straatverlichting"}},
    "PUT /api/v1/rules/<int:rule_id>": {"name": "Lampen en palen"},
}
QUERY = {"GET /dashboards/export/tickets.csv": "?figure=backlog"}
RUN_LAST = ("POST /logout",)  # logs the role out: after it, the client logs in again


def routes(app) -> list[str]:
    keys = set()
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            keys.add(f"{method} {rule.rule}")
    return sorted(keys, key=lambda k: (k in RUN_LAST, k))


def test_every_route_has_a_declared_answer(app):
    present = set(routes(app))
    missing = sorted(present - set(EXPECTED))
    gone = sorted(set(EXPECTED) - present)
    assert not missing, "routes without an intended answer in EXPECTED:\n" + "\n".join(missing)
    assert not gone, "rows in EXPECTED for routes that no longer exist:\n" + "\n".join(gone)


def outcome(client, response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        if response.headers["Location"].split("?")[0].endswith("/login"):
            return "login"
        with client.session_transaction() as session:
            flashes = session.get("_flashes", [])
            session.pop("_flashes", None)
        return "refused" if any(category == "error" for category, _ in flashes) else "ok"
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def _log_in(client, world, role: str) -> str:
    if role != "anon":
        assert f.login(client, world.users[role].email).status_code == 302
    return w.csrf_for(client, role)


def _send(client, world, role: str, key: str, csrf: str):
    method, rule = key.split(" ", 1)
    url, values = w.fill(rule, world, role)
    agent = world.users["agent"]
    subs = {"{agent_id}": str(agent.id), "{agent_email}": agent.email}
    if "{partner_id}" in str(FORMS.get(key)):
        subs["{partner_id}"] = str(w.merge_partner(world, values["ticket_id"]))
    world.commit()
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if rule.startswith("/api/") and role != "anon" else {}
    if rule.startswith("/api/"):
        body = {k: subs.get(v, v) if isinstance(v, str) else v for k, v in JSON.get(key, {}).items()}
        return client.open(url, method=method, json=body if method in ("POST", "PUT") else None, headers=headers)
    if method == "GET":
        return client.get(url + QUERY.get(key, ""))
    form = {k: subs.get(v, v) for k, v in FORMS.get(key, {}).items()}
    return client.open(url, method=method, data={**form, "csrf_token": csrf})


def _client(app):
    """A browser elsewhere on the network (not on the loopback address that /metrics lets in)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    return client


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, session, role):
    world = w.build_world(session)
    app.config["WEBCARE_STREAM_SECONDS"] = 0
    client = _client(app)
    csrf = _log_in(client, world, role)
    column = ROLES.index(role)
    wrong = []
    for key in routes(app):
        response = _send(client, world, role, key, csrf)
        response.close()
        got = outcome(client, response)
        want = EXPECTED.get(key, ("?",) * len(ROLES))[column]
        if got != want:
            wrong.append(f"{key}: expected {want}, got {got}")
        if key in RUN_LAST:
            client = _client(app)
            csrf = _log_in(client, world, role)
    assert not wrong, f"{role}: {len(wrong)} unintended answers:\n" + "\n".join(wrong)
