"""The bell: unread count in the top bar, the JSON count, the page, marking read (own rows only)."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from webcare.models import Notification
from webcare.services.notifications import notify


def test_bell_count_page_and_mark_read(client, session):
    f.seeded(session)
    anouk, bram = f.user(session, "agent"), f.user(session, "agent")
    notify(session, [anouk], "sla_breached", "Ticket #1: eerste reactie is te laat")
    notify(session, [anouk], "sla_at_risk", "Ticket #2: afhandeling dreigt te laat te komen")
    other = notify(session, [bram], "sla_at_risk", "Ticket #3")[0]
    session.commit()
    f.login(client, anouk.email)
    home = client.get("/").get_data(as_text=True)
    assert 'data-bell-count>2</span>' in home and "js/notifications.js" in home
    assert client.get("/notifications/unread.json").get_json() == {"unread": 2}
    page = client.get("/notifications/")
    text = page.get_data(as_text=True)
    assert "eerste reactie is te laat" in text, text[text.find("<main"):]
    assert "Ticket #3" not in text and "Te laat" in text
    token = f.csrf_token(text)
    first = session.scalar(select(Notification).where(Notification.user_id == anouk.id).order_by(Notification.id))
    assert client.post(f"/notifications/{first.id}/read", data={"csrf_token": token}).status_code == 302
    assert client.get("/notifications/unread.json").get_json() == {"unread": 1}
    client.post(f"/notifications/{other.id}/read", data={"csrf_token": token})  # someone else's: no effect
    client.post("/notifications/read", data={"csrf_token": token})
    assert client.get("/notifications/unread.json").get_json() == {"unread": 0}
    session.expire_all()
    assert session.get(Notification, other.id).read_at is None


def test_unread_count_needs_login(client):
    assert client.get("/notifications/unread.json").status_code == 302


def test_a_ticket_that_left_the_department_is_not_linked(client, session):
    f.seeded(session)
    member = f.user(session, "department", ("OW",))
    ours, gone = f.ticket(session, department_code="OW"), f.ticket(session, department_code="KCC")  # sent back
    notify(session, [member], "handoff", "Vraag over de stoep", ticket=ours)
    notify(session, [member], "handoff", "Vraag over de lantaarnpaal", ticket=gone)
    session.commit()
    f.login(client, member.email)
    page = client.get("/notifications/").get_data(as_text=True)
    assert f'href="/tickets/{ours.id}"' in page and f'href="/tickets/{gone.id}"' not in page
    assert f'title="Dit ticket ligt niet meer bij je afdeling.">#{gone.id}</span>' in page
