"""Texts the Dutch pages show instead of codes and English service messages (the API keeps its English)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.models import AuditEntry, Message
from webcare.services import audit, channels, users
from webcare.services.notifications import notify


@pytest.fixture
def agent(session, client):
    return f.logged_in(session, client, "agent")


def test_held_public_reply_names_the_kinds_of_personal_data_in_dutch(client, session, agent):
    ticket = f.ticket(session, department_code="KCC", text="Mijn container is niet geleegd")
    session.commit()
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    last = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
    held = client.post(f"/tickets/{ticket.id}/reply", data={
        "csrf_token": f.csrf_token(page), "text": "Bel ons op 06-12345678 of mail jan@example.nl",
        "visibility": "public", "seen_seq": "0", "seen_message_id": str(last)}).get_data(as_text=True)
    assert "telefoonnummer: <mark>06-12345678</mark>" in held
    assert "e-mailadres: <mark>jan@example.nl</mark>" in held
    assert "phone:" not in held and "email:" not in held


@pytest.mark.parametrize(("kind", "label"), [
    ("handoff", "Overgedragen"), ("reply_requested", "Antwoordvoorstel"), ("message_in", "Nieuw bericht"),
    ("delivery_failed", "Antwoord niet afgeleverd"), ("sent_back", "Teruggestuurd"), ("taken_over", "Overgenomen"),
    ("feedback", "Terugkoppeling afdeling"), ("channel_reauth", "Kanaal opnieuw koppelen"), ("threat", "Bedreiging"),
])
def test_notification_kinds_have_dutch_labels(client, session, agent, kind, label):
    notify(session, [agent], kind, "Ticket 7")
    session.commit()
    page = client.get("/notifications/").get_data(as_text=True)
    assert f"{label}</span> Ticket 7" in page and f">{kind}<" not in page


def test_a_missing_ticket_is_said_in_dutch_and_the_api_keeps_english(client, session, agent):
    page = client.get("/tickets/999999")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Dat ticket bestaat niet of je kunt het niet zien." in html and "not found" not in html
    _, token = users.create_api_token(session, agent.email)
    session.commit()
    answer = client.get("/api/v1/tickets/999999", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404 and answer.get_json()["error"]["message"] == "ticket 999999 not found"


def test_other_missing_things_get_a_generic_dutch_text(client, session):
    f.seeded(session)
    manager = f.user(session, "manager")
    session.commit()
    f.login(client, manager.email)
    page = client.get("/dashboards/departments/999")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Wat je zoekt bestaat niet (meer), of je kunt het niet zien." in html
    assert "department 999 not found" not in html


def test_an_unreachable_platform_is_said_in_dutch_with_the_detail_below(client, session, admin, runtime):
    channel = channels.create_channel(session, platform="mastodon", name="Onbereikbaar",
                                      base_url="http://127.0.0.1:9", token="geheim", handle="@gemeente")
    session.commit()
    response = f.form_post(client, f"/admin/channels/{channel.id}/test", page="/admin/channels/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Het platform is niet bereikbaar op 127.0.0.1:9.<br><small class=\"technical\">Technische details:" in page
    assert "could not reach 127.0.0.1" in page  # the detail is still there, small


def test_routing_rule_errors_start_with_a_dutch_sentence(client, admin):
    csrf = f.csrf_token(client.get("/admin/rules/new").get_data(as_text=True))
    data = {"name": "Krokodillen", "enabled": "y", "department": "DIER", "action": "save", "csrf_token": csrf}
    not_json = client.post("/admin/rules/new", data={**data, "conditions": "{words"}).get_data(as_text=True)
    assert "De voorwaarden zijn geen geldige JSON: Expecting property name" in not_json
    unknown = client.post("/admin/rules/new", data={**data, "conditions": json.dumps({"any_words": ["x"]})})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 400
    assert "De voorwaarden kloppen niet (technische toelichting): conditions: unknown condition" in html


def test_audit_actions_have_dutch_labels_and_unknown_ones_show_their_code(client, session, admin):
    audit.record(session, admin, "routing_rule.delete", target=("routing_rule", 3))
    audit.record(session, admin, "channel.pause", target=("channel", 1))
    audit.record(session, admin, "something.new")
    session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Routeringsregel verwijderd" in page and "Kanaal gepauzeerd" in page
    assert "<code>something.new</code>" in page
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "channel.pause"))


def test_every_recorded_audit_action_has_a_label():
    import re
    from pathlib import Path

    from webcare.web.audit_labels import ACTION_LABELS

    root = Path(__file__).parents[2] / "webcare"
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r"audit\.record\([^,]+,\s*[^,]+,\s*\"([a-z_.]+)\"", text))
        found |= set(re.findall(r"_changed\([^)]*\"(routing_rule\.[a-z_]+)\"", text))
    found |= {"channel.pause", "channel.resume", "deadletter.retry", "deadletter.discard", "login", "logout"}
    assert found and found <= set(ACTION_LABELS), found - set(ACTION_LABELS)


def test_token_hint_shows_the_command_as_code(client, session, admin):
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Maak er een met <code>webcare create-token</code>." in page and "`" not in page


def test_rule_tester_offers_platform_names(client, admin):
    page = client.get("/admin/rules").get_data(as_text=True)
    assert '<option value="mastodon">Mastodon</option>' in page and '<option selected value="x">X</option>' in page


@pytest.mark.parametrize(("text", "dutch"), [
    ("taken over by the department", "Bij afdeling → In behandeling: overgenomen door de afdeling"),
    ("merged into ticket 12", "Bij afdeling → Geannuleerd: samengevoegd met ticket 12"),
])
def test_system_texts_of_status_changes_are_shown_in_dutch(client, session, agent, text, dutch):
    from webcare.services.events import record_event
    ticket = f.ticket(session, department_code="KCC")
    to = "cancelled" if text.startswith("merged") else "open"
    record_event(session, ticket, "status_changed", data={"from": "with_department", "to": to, "text": text})
    session.commit()
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert dutch in page and text not in page
