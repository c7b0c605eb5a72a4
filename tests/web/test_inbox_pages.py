"""The inbox, ticket and department pages: scoping, acts through forms, held replies, presence, stream."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from webcare.db import utcnow
from webcare.models import Message, Note, Ticket
from webcare.services import compose


@pytest.fixture
def world(session):
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "agent2": f.user(session, "agent"),
              "ow": f.user(session, "department", ("OW",)), "afv": f.user(session, "department", ("AFV",)),
              "manager": f.user(session, "manager")}
    tickets = {"kcc": f.ticket(session, department_code="KCC", text="Wanneer wordt het grofvuil opgehaald?"),
               "ow": f.ticket(session, department_code="OW", text="Losse stoeptegel bij de school"),
               "afv": f.ticket(session, department_code="AFV", text="Afvalbak puilt uit")}
    session.commit()
    return people, tickets


def post(client, url, data):
    page = client.get(url.rsplit("/", 1)[0])
    return client.post(url, data={"csrf_token": f.csrf_token(page.get_data(as_text=True)), **data})


def test_agent_lands_in_inbox_with_views(client, world):
    people, tickets = world
    f.login(client, people["agent"].email)
    assert 'href="/inbox"' in client.get("/").get_data(as_text=True)
    page = client.get("/inbox").get_data(as_text=True)
    assert "Losse stoeptegel" in page and "Afvalbak puilt uit" in page and 'data-view="unanswered"' in page
    filtered = client.get("/inbox?department=OW").get_data(as_text=True)
    assert "Losse stoeptegel" in filtered and "Afvalbak puilt uit" not in filtered
    assert client.get("/inbox?department=NOPE").status_code == 200
    rows = client.get("/inbox?fragment=rows").get_data(as_text=True)
    assert "<html" not in rows and "ticket-row" in rows


def test_overview_counts_what_needs_the_agent_and_links_into_the_inbox(client, world, session):
    people, tickets = world
    tickets["kcc"].assignee_id = people["agent"].id
    tickets["ow"].status = "with_department"
    tickets["afv"].sla_level = "breached"
    session.commit()
    f.login(client, people["agent"].email)
    page = client.get("/").get_data(as_text=True)

    def stat(attribute: str) -> tuple[str, str]:
        match = re.search(rf'<a class="stat[^"]*" href="([^"]+)" {attribute}><span class="stat-value">(\d+)</span>', page)
        assert match, attribute
        return match.group(1), match.group(2)

    assert stat('data-view="mine"') == ("/inbox?view=mine", "1")
    assert stat('data-view="with_departments"') == ("/inbox?view=with_departments", "1")
    assert stat('data-view="almost_late"') == ("/inbox?view=almost_late", "1")
    assert stat('data-status="new"') == ("/inbox?status=new", "2")
    assert stat('data-status="with_department"') == ("/inbox?status=with_department", "1")
    assert "Wat op je wacht" in page and "stat-alert" in page  # Dutch by default; something is almost late
    mine = client.get("/inbox?view=mine&fragment=rows").get_data(as_text=True)
    assert "grofvuil" in mine and "stoeptegel" not in mine


def test_inbox_sorted_newest_first_in_dutch(client, world, session):
    people, tickets = world
    tickets["kcc"].next_due_at = utcnow() + timedelta(hours=1)  # the oldest ticket is the most urgent
    tickets["afv"].next_due_at = utcnow() + timedelta(hours=3)
    tickets["ow"].next_due_at = utcnow() + timedelta(hours=2)
    session.commit()
    f.login(client, people["agent"].email)
    page = client.get("/inbox").get_data(as_text=True)
    assert '<option value="">Meest urgent eerst</option>' in page and ">Nieuwste eerst</option>" in page
    urgent = client.get("/inbox?fragment=rows").get_data(as_text=True)
    assert _order(urgent, "grofvuil", "stoeptegel", "Afvalbak")
    newest = client.get("/inbox?sort=newest").get_data(as_text=True)
    assert '<option value="newest" selected>' in newest
    assert _order(client.get("/inbox?sort=newest&fragment=rows").get_data(as_text=True),
                  "Afvalbak", "stoeptegel", "grofvuil")
    assert 'href="/inbox?view=unanswered&amp;sort=newest"' in newest  # a saved view keeps the order
    # an unknown order is named, and the list is shown in the default order (as the dashboards do)
    assert _order(client.get("/inbox?sort=oldest&fragment=rows").get_data(as_text=True),
                  "grofvuil", "stoeptegel", "Afvalbak")
    assert "Onbekende waarde voor het filter Volgorde: oldest" in client.get("/inbox?sort=oldest").get_data(as_text=True)


def _order(html: str, *texts: str) -> bool:
    return [html.index(t) for t in texts] == sorted(html.index(t) for t in texts)


def test_department_user_sees_only_own(client, world):
    people, tickets = world
    f.login(client, people["ow"].email)
    assert 'href="/department"' in client.get("/").get_data(as_text=True)
    page = client.get("/department").get_data(as_text=True)
    assert "Losse stoeptegel" in page and "Afvalbak puilt uit" not in page
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Afvalbak puilt uit" not in inbox
    assert client.get(f"/tickets/{tickets['afv'].id}").status_code == 404
    assert post(client, f"/tickets/{tickets['ow'].id}/note", {"text": "x"}).status_code == 302
    response = client.post(f"/tickets/{tickets['afv'].id}/feedback",
                           data={"csrf_token": f.csrf_token(client.get("/department").get_data(as_text=True)),
                                 "text": "x"})
    assert response.status_code == 404


def test_handoff_feedback_resolve_through_pages(client, session, world):
    people, tickets = world
    ticket_id = tickets["kcc"].id
    f.login(client, people["agent"].email)
    response = post(client, f"/tickets/{ticket_id}/handoff", {"department": "OW", "question": "Wanneer?"})
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": f.csrf_token(client.get("/inbox").get_data(as_text=True))})
    f.login(client, people["ow"].email)
    department_page = client.get("/department").get_data(as_text=True)
    assert "Wanneer?" in department_page
    assert re.search(r'class="badge level-[a-z_0-9]+">nog (\d+ werkdag(en)?|[^<]+ kantoortijd)<', department_page)
    post(client, f"/tickets/{ticket_id}/feedback", {"text": "Donderdag opgehaald", "propose_reply": "y"})
    note = session.scalar(select(Note).where(Note.is_feedback.is_(True)))
    assert note.text == "Donderdag opgehaald"
    client.post("/logout", data={"csrf_token": f.csrf_token(client.get("/department").get_data(as_text=True))})
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "Donderdag opgehaald" in page and "use-reply" in page
    post(client, f"/tickets/{ticket_id}/status", {"status": "resolved", "text": "Opgelost"})
    session.expire_all()
    assert session.get(Ticket, ticket_id).status == "resolved"


def test_the_hand_off_form_does_not_offer_the_front_office(client, session, world):
    people, tickets = world
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{tickets['ow'].id}").get_data(as_text=True)
    assert '<option value="AFV">' in page and '<option value="KCC">' not in page
    assert post(client, f"/tickets/{tickets['ow'].id}/handoff", {"department": "KCC", "question": "Terug?"}
                ).status_code == 302
    assert "Deze afdeling kan geen overdracht ontvangen." in client.get(f"/tickets/{tickets['ow'].id}").get_data(
        as_text=True)


def test_acts_return_to_the_same_ticket_or_to_the_workspace_when_it_left_the_scope(client, session, world):
    people, tickets = world
    for _ in range(3):  # notes get ids of their own, which must not be taken for a ticket's
        f.ticket(session, department_code="OW")
    session.commit()
    ticket_id = tickets["ow"].id
    f.login(client, people["agent"].email)
    assert post(client, f"/tickets/{ticket_id}/note", {"text": "Eerste notitie"}).location == f"/tickets/{ticket_id}"
    assert post(client, f"/tickets/{ticket_id}/note", {"text": "Tweede"}).location == f"/tickets/{ticket_id}"
    client.post("/logout", data={"csrf_token": f.csrf_token(client.get("/inbox").get_data(as_text=True))})
    f.login(client, people["ow"].email)
    assert client.get("/").location == "/department"  # their department's tickets are their landing page
    done = post(client, f"/tickets/{ticket_id}/feedback", {"text": "Morgen gemaakt"})
    assert done.location == f"/tickets/{ticket_id}"
    back = post(client, f"/tickets/{ticket_id}/send-back", {"reason": "Niet voor ons"})
    assert back.location == "/"  # the ticket is no longer theirs: not a 404 after a success message


def test_a_note_submitted_twice_is_recorded_once(client, session, world):
    people, tickets = world
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True)
    for _ in range(2):  # a double click: the same form twice
        done = client.post(f"/tickets/{tickets['kcc'].id}/note", data={"csrf_token": f.csrf_token(page),
                                                                       "text": "Bewoner belde"})
        assert done.status_code == 302
    assert session.scalars(select(Note.text).where(Note.ticket_id == tickets["kcc"].id)).all() == ["Bewoner belde"]


def test_refused_status_is_flashed(client, session, world):
    people, tickets = world
    f.login(client, people["agent"].email)
    response = post(client, f"/tickets/{tickets['kcc'].id}/status", {"status": "resolved", "text": ""})
    assert response.status_code == 302
    page = client.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True)
    assert "flash-error" in page


def test_reply_with_personal_data_is_held_with_choices(client, session, world):
    people, tickets = world
    ticket = tickets["kcc"]
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    last = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
    assert f'name="seen_message_id" type="hidden" value="{last}"' in page
    data = {"csrf_token": f.csrf_token(page), "text": "Mail ons op jan@example.nl", "visibility": "public",
            "seen_seq": "0", "seen_message_id": str(last)}
    held = client.post(f"/tickets/{ticket.id}/reply", data=data)
    assert held.status_code == 422
    body = held.get_data(as_text=True)
    assert "jan@example.nl" in body and 'name="switch_private"' in body and 'name="override"' in body
    assert session.scalar(select(Message).where(Message.direction == "out")) is None
    no_reason = client.post(f"/tickets/{ticket.id}/reply", data={**data, "override": "1", "override_reason": " "})
    assert no_reason.status_code == 422 and "Geef een reden om dit openbare antwoord toch te versturen." in \
        no_reason.get_data(as_text=True)
    sent = client.post(f"/tickets/{ticket.id}/reply", data={**data, "switch_private": "1"})
    assert sent.status_code == 302
    assert session.scalar(select(Message.visibility).where(Message.direction == "out")) == "private"


def test_stale_reply_is_held_then_confirmed(client, session, world):
    people, tickets = world
    ticket = tickets["kcc"]
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    last = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
    session.add(Message(ticket_id=ticket.id, channel_id=ticket.channel_id, direction="in", platform="mastodon",
                        external_id="late-1", thread_key=ticket.thread_key, kind="mention", visibility="public",
                        text="Hallo? Nog iemand?"))
    session.commit()
    data = {"csrf_token": f.csrf_token(page), "text": "We kijken ernaar", "visibility": "public",
            "seen_seq": "0", "seen_message_id": str(last)}
    held = client.post(f"/tickets/{ticket.id}/reply", data=data)
    assert held.status_code == 409 and "Hallo? Nog iemand?" in held.get_data(as_text=True)
    assert client.post(f"/tickets/{ticket.id}/reply", data={**data, "confirm_stale": "1"}).status_code == 302


def test_presence_heartbeat(client, app, world):
    people, tickets = world
    other = app.test_client()
    f.login(client, people["agent"].email)
    f.login(other, people["agent2"].email)
    token = f.csrf_token(other.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True))
    other.post(f"/tickets/{tickets['kcc'].id}/presence", data={"typing": "1"}, headers={"X-CSRFToken": token})
    token = f.csrf_token(client.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True))
    answer = client.post(f"/tickets/{tickets['kcc'].id}/presence", data={}, headers={"X-CSRFToken": token})
    assert answer.get_json()["others"] == [{"name": people["agent2"].name, "typing": True}]


def test_event_stream_requires_login_and_streams(client, app, world):
    people, _ = world
    assert client.get("/events/stream").status_code == 302
    app.config["WEBCARE_STREAM_SECONDS"] = 0.2
    f.login(client, people["agent"].email)
    response = client.get("/events/stream")
    assert response.mimetype == "text/event-stream"
    assert "event: bye" in response.get_data(as_text=True)


def test_take_over_and_send_back_through_pages(client, session, world):
    people, tickets = world
    ticket_id = tickets["ow"].id
    f.login(client, people["ow"].email)
    assert post(client, f"/tickets/{ticket_id}/take-over", {}).status_code == 302
    session.expire_all()
    assert session.get(Ticket, ticket_id).assignee_id == people["ow"].id
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="reply-form"' in page  # the department that took it over replies itself
    assert post(client, f"/tickets/{ticket_id}/send-back", {"reason": "Dit is voor Verkeer"}).status_code == 302
    session.expire_all()
    ticket = session.get(Ticket, ticket_id)
    assert ticket.department.code == "KCC" and ticket.assignee_id is None and ticket.awaiting == "webcare"
    assert client.get(f"/tickets/{ticket_id}").status_code == 404  # no longer theirs


def test_merge_labels_priority_through_pages(client, session, world):
    people, tickets = world
    source, target = tickets["kcc"], tickets["ow"]
    source.contact_id = target.contact_id
    session.commit()
    f.login(client, people["agent"].email)
    post(client, f"/tickets/{target.id}/labels", {"labels": "pers, wethouder"})
    post(client, f"/tickets/{target.id}/priority", {"priority": "urgent"})
    assert post(client, f"/tickets/{source.id}/merge", {"other_id": str(target.id)}).status_code == 302
    session.expire_all()
    merged, kept = session.get(Ticket, source.id), session.get(Ticket, target.id)
    assert merged.merged_into_id == kept.id and merged.status == "cancelled"
    assert kept.label_names == ["pers", "wethouder"] and kept.priority == "urgent"
    assert "Wanneer wordt het grofvuil opgehaald?" in client.get(f"/tickets/{kept.id}").get_data(as_text=True)


def test_ticket_page_shows_a_retrying_reply_and_the_citizens_other_tickets(client, session, world):
    people, tickets = world
    ticket = tickets["kcc"]
    later = f.ticket(session, department_code="KCC", text="Nog een vraag", contact=ticket.contact)
    reply = compose.send_reply(session, ticket, people["agent"], "Wij zoeken het uit", "public")
    reply.delivery_state, reply.delivery_error = "sending", "503 Service Unavailable (retrying)"
    session.commit()
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Nog niet afgeleverd; Webcare probeert het vanzelf opnieuw. Het platform meldde: 503 Service " \
           "Unavailable</p>" in page
    assert "Andere tickets van deze inwoner" in page and f'href="/tickets/{later.id}"' in page


def test_inbox_says_when_filters_find_nothing_and_explains_a_stale_cursor(client, world):
    people, _ = world
    f.login(client, people["agent"].email)
    assert "Geen tickets gevonden met deze filters." in client.get("/inbox?q=onvindbaar").get_data(as_text=True)
    assert "Goed bezig" in client.get("/inbox?view=mine").get_data(as_text=True)  # an empty view is good news
    page = client.get("/inbox?cursor=garbage&limit=100000").get_data(as_text=True)
    assert "Deze pagina van de lijst bestaat niet meer" in page and "not valid" not in page


def test_merge_asks_before_it_happens(client, session, world):
    people, tickets = world
    f.ticket(session, department_code="KCC", contact=tickets["kcc"].contact)
    session.commit()
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True)
    assert 'data-confirm="Deze twee tickets samenvoegen? Dit kan niet ongedaan worden gemaakt."' in page
    assert "js/confirm.js" in page
    with client.get("/static/js/confirm.js") as script:
        assert b"window.confirm" in script.data


def test_an_agent_flags_a_missed_threat_and_gets_the_police_report_link(client, session, world):
    people, tickets = world
    ticket = tickets["ow"]
    f.login(client, people["agent"].email)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="flag-threat"' in page and "Gegevens voor aangifte" not in page
    assert post(client, f"/tickets/{ticket.id}/threat", {}).location == f"/tickets/{ticket.id}"
    session.expire_all()
    assert session.get(Ticket, ticket.id).threat
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="flag-threat"' not in page and f'href="/tickets/{ticket.id}/aangifte"' in page
    client.post("/logout", data={"csrf_token": f.csrf_token(page)})
    f.login(client, people["ow"].email)  # the department sees its ticket, not the police-report export
    assert "Gegevens voor aangifte" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def test_shortcut_help_lists_only_what_the_user_can_do(client, world):
    people, tickets = world
    f.login(client, people["ow"].email)
    page = client.get(f"/tickets/{tickets['ow'].id}").get_data(as_text=True)
    shortcuts = page[page.index('id="shortcuts"'):]
    assert "<kbd>n</kbd>" in shortcuts and "<kbd>e</kbd>" not in shortcuts and "<kbd>r</kbd>" not in shortcuts
    assert "Terug naar mijn afdeling" in shortcuts and 'data-back-url="/"' in page


def test_the_department_that_took_a_ticket_over_changes_its_status(client, session, world):
    people, tickets = world
    ticket_id = tickets["ow"].id
    f.login(client, people["ow"].email)
    before = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="status-form"' not in before  # not theirs to move before they take it over
    assert post(client, f"/tickets/{ticket_id}/take-over", {}).status_code == 302
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="status-form"' in page and 'value="with_department"' not in page[page.index('id="status-form"'):]
    assert "<kbd>e</kbd>" in page[page.index('id="shortcuts"'):]
    assert post(client, f"/tickets/{ticket_id}/status", {"status": "resolved", "text": "Tegel ligt er weer"}
                ).status_code == 302
    session.expire_all()
    assert session.get(Ticket, ticket_id).status == "resolved"


def test_refused_labels_are_kept_in_the_field(client, session, world):
    people, tickets = world
    f.login(client, people["agent"].email)
    typed = "kort, " + "x" * 65
    post(client, f"/tickets/{tickets['kcc'].id}/labels", {"labels": typed})
    page = client.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True)
    assert "Labels zijn maximaal 64 tekens" in page and f'value="{typed}"' in page
    assert f'value="{typed}"' not in client.get(f"/tickets/{tickets['kcc'].id}").get_data(as_text=True)


def test_the_ticket_page_shows_what_was_promised_to_the_citizen(client, session, world):
    people, tickets = world
    ticket = tickets["ow"]
    due = utcnow() + timedelta(days=3)
    ticket.promise_text, ticket.promise_due_at = "U hoort uiterlijk donderdag van ons.", due
    session.commit()
    f.login(client, people["agent"].email)
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    promise = html[html.index('id="promise"'):]
    assert "Toezegging aan de inwoner" in promise and "U hoort uiterlijk donderdag van ons." in promise
    assert "Toegezegd voor" in promise
    assert 'id="promise"' not in client.get(f"/tickets/{tickets['afv'].id}").get_data(as_text=True)
