"""An inbox filter with a value that does not exist: a Dutch sentence naming the filter, and the list without it."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def agent(session, client):
    f.seeded(session)
    f.ticket(session, department_code="OW", text="Losse stoeptegel bij de school")
    session.commit()
    return f.logged_in(session, client, "agent")


@pytest.mark.parametrize(("query", "said"), [
    ("assignee=nobody@x.nl", "Onbekende waarde voor het filter Behandelaar: nobody@x.nl"),
    ("category=1", "Onbekende waarde voor het filter Categorie: 1"),
    ("channel=999", "Onbekende waarde voor het filter Kanaal: 999"),
    ("channel=abc", "Onbekende waarde voor het filter Kanaal: abc"),
    ("view=xyz", "Onbekende waarde voor het filter Opgeslagen weergave: xyz"),
    ("status=bogus", "Onbekende waarde voor het filter Status: bogus"),
    ("department=abc", "Onbekende waarde voor het filter Afdeling: abc"),
    ("sla=never", "Onbekende waarde voor het filter SLA-niveau: never"),
])
def test_an_unknown_filter_value_is_named_in_dutch_and_the_list_shows_without_it(client, agent, query, said):
    page = client.get(f"/inbox?{query}").get_data(as_text=True)
    assert said in page
    assert "Dit kan niet" not in page and "overdracht" not in page and "unknown" not in page
    assert "Losse stoeptegel" in page


def test_the_api_keeps_its_english_refusal(client, session, agent):
    from webcare.services import users
    _, token = users.create_api_token(session, agent.email)
    session.commit()
    answer = client.get("/api/v1/tickets?assignee=nobody@x.nl", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["message"].startswith("unknown assignee 'nobody@x.nl'") and error["fields"] == {"assignee": ["unknown"]}
