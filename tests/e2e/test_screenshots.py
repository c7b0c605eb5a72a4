"""Screenshots of the inbox, a ticket and the department page, from a realistic day in the browser.

Always rendered (so the pages are checked in a real browser); written to `WEBCARE_SCREENSHOTS_DIR` when
set, which is how docs/screenshots/ is refreshed:
    WEBCARE_SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/e2e/test_screenshots.py
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests import factories as f
from tests.e2e.conftest import HOW_TO_ENABLE
from tests.e2e.test_inbox_browser import login
from webcare.db import utcnow
from webcare.models import Message
from webcare.services import compose, department_actions, ticket_actions

expect = pytest.importorskip("playwright.sync_api", reason=HOW_TO_ENABLE).expect

MESSAGES = [
    ("mastodon", "OW", "De stoeptegels voor nummer 12 in de Dorpsstraat liggen los, mijn moeder struikelde bijna.",
     "high", 25, ["herhaling"]),
    ("x", "AFV", "Alweer staat de glasbak bij de Aldi vol, er ligt glas op de stoep.", "normal", 50, []),
    ("facebook", "KCC", "Hoe laat is de milieustraat zaterdag open?", "normal", 95, []),
    ("bluesky", "OVL", "Lantaarnpaal op de hoek Beukenlaan is al een week stuk, erg donker 's avonds.", "normal",
     140, ["wethouder"]),
    ("instagram", "GRN", "Grote tak hangt half los boven het fietspad in het park.", "urgent", -20, []),
    ("mastodon", "HH", "Elke avond staan er auto's op de stoep bij de school, gevaarlijk voor kinderen.", "normal",
     300, []),
    ("linkedin", "KCC", "Wanneer opent het nieuwe zwembad? Veel vragen in onze buurtvereniging.", "low", 600, []),
    ("x", "VB", "Ik weet waar de wethouder woont.", "urgent", 10, ["pers"]),
]


@pytest.fixture
def day(session):
    f.seeded(session)
    agent = f.user(session, "agent", email="anouk@voorbeeldstad.nl")
    agent.name = "Anouk de Vries"
    colleague = f.user(session, "agent", email="sem@voorbeeldstad.nl")
    colleague.name = "Sem Jansen"
    ow = f.user(session, "department", ("OW",), email="otto@voorbeeldstad.nl")
    ow.name = "Otto Bakker"
    channels = {p: f.channel(session, p, name=f"Gemeente Voorbeeldstad ({p})") for p in
                ("mastodon", "x", "facebook", "instagram", "bluesky", "linkedin")}
    now = utcnow()
    tickets = []
    for platform, dept, text, priority, due_minutes, labels in MESSAGES:
        t = f.ticket(session, channels[platform], department_code=dept, text=text, priority=priority,
                     created_at=now - timedelta(minutes=240 - min(due_minutes, 200)), threat=dept == "VB")
        t.next_due_at = now + timedelta(minutes=due_minutes)
        t.first_response_due_at = t.next_due_at
        t.sla_level = "breached" if due_minutes < 0 else ("at_risk" if due_minutes < 30 else "on_time")
        t.contact.display_name = ["Fatima El Amrani", "Jan de Boer", "Sanne Visser", "Pieter Smit", "Noor Bakker",
                                  "Ahmet Yilmaz", "Lisa Mulder", "anoniem"][len(tickets)]
        for message in t.messages:
            message.author_name = t.contact.display_name
        ticket_actions.set_labels(session, t, agent, labels)
        tickets.append(t)
    ticket_actions.claim(session, tickets[1], colleague)
    main = tickets[0]
    ticket_actions.claim(session, main, agent)
    compose.send_reply(session, main, agent, "Beste Fatima, vervelend om te horen! We geven het direct door aan "
                       "Openbare Werken.", "public")
    session.flush()
    session.execute(update(Message).where(Message.ticket_id == main.id, Message.direction == "out")
                    .values(delivery_state="sent", sent_at=now))
    department_actions.handoff(session, main, agent, "OW", "Kunnen jullie deze week de tegels vastleggen? "
                               "Er is vaker over geklaagd.")
    ticket_actions.add_note(session, main, agent, "Bewoner belde gisteren ook al over dezelfde plek.")
    main.department_feedback_due_at = now + timedelta(hours=6)
    main.first_response_met_at = now
    main.handling_due_at = now + timedelta(days=3)
    department_actions.handoff(session, tickets[5], agent, "OW", "Is dit een melding voor jullie of voor handhaving?")
    tickets[5].department_feedback_due_at = now + timedelta(hours=20)
    session.add(Message(ticket_id=main.id, channel_id=main.channel_id, contact_id=main.contact_id, direction="in",
                        platform="mastodon", external_id="later-1", thread_key=main.thread_key, kind="comment",
                        visibility="public", text="Dank! Het gaat om de tegels tussen nummer 10 en 14.",
                        author_handle=main.contact.handle, author_name=main.contact.display_name,
                        platform_created_at=now, received_at=now))
    session.commit()
    return {"agent": agent, "ow": ow, "main": main}


def test_screenshots(live_server, new_page, day, tmp_path):
    target = Path(os.environ.get("WEBCARE_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    page = new_page(live_server)
    login(page, live_server, day["agent"].email)
    page.goto(f"{live_server}/inbox")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.screenshot(path=str(target / "inbox.png"), full_page=True)
    page.goto(f"{live_server}/tickets/{day['main'].id}")
    page.select_option("#canned", label="Doorgezet naar afdeling")
    page.screenshot(path=str(target / "ticket.png"), full_page=True)
    department = new_page(live_server)
    login(department, live_server, day["ow"].email)
    department.goto(f"{live_server}/department")
    department.screenshot(path=str(target / "department.png"), full_page=True)
    for name in ("inbox", "ticket", "department"):
        assert (target / f"{name}.png").stat().st_size > 10_000
    assert not page.errors and not department.errors, page.errors + department.errors
