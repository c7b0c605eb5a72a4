"""Department scoping of what lists and streams contain (the access matrix checks the answers per route):
the inbox page, the API list (also with another department as a filter), the realtime stream and the
notifications of other people."""

from __future__ import annotations

import re

import pytest

from tests import access_world as w
from tests import factories as f
from webcare.models import Notification


@pytest.fixture
def world(session):
    world = w.build_world(session)
    world.ticket_a = f.ticket(session, department_code=w.DEPARTMENT_A, text="Losliggende stoeptegel")
    world.ticket_b = f.ticket(session, department_code=w.DEPARTMENT_B, text="Container vol")
    session.commit()
    return world


def _bearer(world, role: str) -> dict:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def _ticket_links(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/tickets/(\d+)"', html)}


@pytest.mark.parametrize(("role", "own", "other"), [("dep_a", "ticket_a", "ticket_b"), ("dep_b", "ticket_b", "ticket_a")])
def test_inbox_page_lists_only_own_department(client, world, role, own, other):
    f.login(client, world.users[role].email)
    links = _ticket_links(client.get("/inbox").get_data(as_text=True))
    assert getattr(world, own).id in links and getattr(world, other).id not in links


@pytest.mark.parametrize("query", ["", "?department=OW", "?q=stoeptegel", "?status=new"])
def test_api_list_never_shows_another_departments_ticket(client, world, query):
    response = client.get(f"/api/v1/tickets{query}", headers=_bearer(world, "dep_b"))
    assert response.status_code == (403 if query == "?department=OW" else 200)  # not theirs: refused, not empty
    ids = {item["id"] for item in response.get_json().get("items", [])}
    assert world.ticket_a.id not in ids
    if not query or query == "?status=new":
        assert ids == {world.ticket_b.id}


def test_agent_sees_both_in_the_api_list(client, world):
    ids = {item["id"] for item in client.get("/api/v1/tickets", headers=_bearer(world, "agent")).get_json()["items"]}
    assert {world.ticket_a.id, world.ticket_b.id} <= ids


def test_realtime_stream_carries_only_own_department(app, world):
    app.config["WEBCARE_STREAM_SECONDS"] = 1.0
    viewer = app.test_client()
    f.login(viewer, world.users["dep_b"].email)
    stream = viewer.get("/events/stream", buffered=False)
    frames = iter(stream.response)
    assert "connected" in _text(next(frames))  # subscribed from here on
    agent = app.test_client()
    f.login(agent, world.users["agent"].email)
    csrf = w.csrf_for(agent, "agent")
    for ticket in (world.ticket_a, world.ticket_b):
        assert agent.post(f"/tickets/{ticket.id}/note", data={"text": "Bekeken", "csrf_token": csrf}).status_code == 302
    received = "".join(_text(frame) for frame in frames)
    stream.close()
    ticket_ids = {int(n) for n in re.findall(r'"ticket_id": (\d+)', received)}
    assert world.ticket_b.id in ticket_ids
    assert world.ticket_a.id not in ticket_ids


def _text(frame) -> str:
    return frame.decode() if isinstance(frame, bytes) else frame


def test_marking_someone_elses_notification_read_changes_nothing(client, session, world):
    theirs = Notification(user_id=world.users["agent"].id, kind="sla_at_risk", text="Bijna te laat")
    session.add(theirs)
    session.commit()
    f.login(client, world.users["manager"].email)
    csrf = w.csrf_for(client, "manager")
    assert client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": csrf}).status_code == 302
    session.refresh(theirs)
    assert theirs.read_at is None
