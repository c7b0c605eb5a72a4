"""Role and department scoping: a ticket outside a user's scope does not exist for that user (404)."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def world(session):
    f.seeded(session)
    people = {
        "agent": f.user(session, "agent"),
        "ow": f.user(session, "department", ("OW",)),
        "afv": f.user(session, "department", ("AFV",)),
        "vb": f.user(session, "department", ("VB",)),
        "manager": f.user(session, "manager"),
    }
    tickets = {
        "ow": f.ticket(session, department_code="OW"),
        "afv": f.ticket(session, department_code="AFV", text="De container is vol"),
        "threat": f.ticket(session, department_code="KCC", threat=True, text="Ik weet waar je woont"),
    }
    session.commit()
    return people, tickets


@pytest.mark.parametrize(("who", "ticket", "status"), [
    ("agent", "ow", 200), ("agent", "afv", 200), ("agent", "threat", 200),
    ("manager", "afv", 200),
    ("ow", "ow", 200), ("ow", "afv", 404), ("ow", "threat", 404),
    ("afv", "afv", 200), ("afv", "ow", 404),
    ("vb", "threat", 200), ("vb", "ow", 404),
])
def test_ticket_page_scoping(client, world, who, ticket, status):
    people, tickets = world
    f.login(client, people[who].email)
    assert client.get(f"/tickets/{tickets[ticket].id}").status_code == status


@pytest.mark.parametrize(("who", "ticket", "status"), [
    ("agent", "afv", 200), ("ow", "ow", 200), ("ow", "afv", 404), ("vb", "threat", 200), ("afv", "threat", 404),
])
def test_api_ticket_scoping(client, session, world, cli, who, ticket, status):
    people, tickets = world
    token = cli("create-token", people[who].email).output.strip()
    response = client.get(f"/api/v1/tickets/{tickets[ticket].id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status
    if status == 404:
        assert response.get_json()["error"]["code"] == "not_found"


def test_nonexistent_ticket_is_404_too(client, world):
    people, _ = world
    f.login(client, people["ow"].email)
    assert client.get("/tickets/999999").status_code == 404


def test_department_summary_counts_only_own_tickets(session, world):
    from webcare.services.tickets import summary_for

    people, _ = world
    assert summary_for(session, people["ow"])["new"] == 1
    assert summary_for(session, people["agent"])["new"] == 3
    assert summary_for(session, people["vb"])["new"] == 1
