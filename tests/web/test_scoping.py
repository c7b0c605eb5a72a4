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


@pytest.mark.parametrize(("who", "department", "status"), [
    ("ow", "AFV", 403), ("ow", "afv", 403), ("ow", "VB", 403), ("afv", "OW", 403),
    ("ow", "OW", 200), ("ow", "ow", 200), ("afv", "AFV", 200),
    ("vb", "OW", 200),  # the safety team sees the threats of every department
    ("agent", "AFV", 200), ("agent", "OW", 200), ("manager", "AFV", 200), ("admin", "VB", 200),
])
def test_a_department_filter_outside_ones_departments_is_refused(client, session, world, cli, who, department,
                                                                 status):
    """A department member filtering the inbox or the API list on another department got the filter dropped or
    an empty list (200); it is refused with 403. Those who see every ticket are unaffected."""
    people, _ = world
    people["admin"] = f.user(session, "admin")
    session.commit()
    token = cli("create-token", people[who].email).output.strip()
    api = client.get(f"/api/v1/tickets?department={department}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == status
    if status == 403:
        assert api.get_json()["error"]["code"] == "department_not_yours"
        assert api.get_json()["error"]["fields"] == {"department": ["not yours"]}
    f.login(client, people[who].email)
    page = client.get(f"/inbox?department={department}")
    assert page.status_code == status
    assert client.get(f"/inbox?department={department}&fragment=rows").status_code == status


def test_the_refused_department_filter_says_why_in_dutch(client, world):
    people, tickets = world
    f.login(client, people["ow"].email)
    html = client.get("/inbox?department=AFV").get_data(as_text=True)
    assert "Je hebt geen toegang tot deze pagina" in html and "AFV" in html
    assert "not one of your departments" not in html  # the service's English words stay in the API
    assert "De container is vol" not in html
    unknown = client.get("/inbox?department=NOPE")  # an unknown value is named, as for everyone
    assert unknown.status_code == 200 and "Onbekende waarde voor het filter Afdeling: NOPE" in unknown.get_data(
        as_text=True)


def test_a_member_of_several_departments_filters_on_each_of_them(client, session, world):
    people, tickets = world
    both = f.user(session, "department", ("OW", "AFV"))
    session.commit()
    f.login(client, both.email)
    own = client.get("/inbox?department=OW")
    assert own.status_code == 200 and f'href="/tickets/{tickets["ow"].id}"' in own.get_data(as_text=True)
    assert f'href="/tickets/{tickets["afv"].id}"' not in own.get_data(as_text=True)
    other = client.get("/inbox?department=AFV")
    assert other.status_code == 200 and f'href="/tickets/{tickets["afv"].id}"' in other.get_data(as_text=True)
    assert client.get("/inbox?department=VB").status_code == 403


def test_the_filter_bar_offers_department_staff_only_their_own_departments(client, session, world):
    people, _ = world
    f.login(client, people["ow"].email)
    page = client.get("/inbox").get_data(as_text=True)
    assert '<option value="OW"' in page and '<option value="AFV"' not in page
    client.post("/logout", data={"csrf_token": f.csrf_token(page)})
    f.login(client, people["agent"].email)
    page = client.get("/inbox").get_data(as_text=True)
    assert '<option value="OW"' in page and '<option value="AFV"' in page
