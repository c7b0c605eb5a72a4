"""The inbox in a real browser: a ticket appears live, the agent replies and sees the delivery state change;
a hand-off, department feedback and resolve; a department user cannot reach another department's ticket."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.e2e.conftest import HOW_TO_ENABLE
from tests.fakes.mastodon import mastodon  # noqa: F401  (fixture: mastodon-mock as a real server)
from webcare.db import utcnow
from webcare.models import Channel, Message, Ticket
from webcare.services import polling
from workers.heartbeat import BeatingWorker

expect = pytest.importorskip("playwright.sync_api", reason=HOW_TO_ENABLE).expect

pytestmark = pytest.mark.e2e


def login(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', f.PASSWORD)
    page.click('button[type="submit"]')
    expect(page).not_to_have_url(re.compile(r"/login"))


def wait_for_stream(page) -> None:
    expect(page.locator('body[data-stream="connected"]')).to_have_count(1, timeout=10_000)


def run_jobs(runtime, *queues: str) -> None:
    BeatingWorker(list(queues), connection=runtime.redis).work(burst=True)


def ticket_arrives(session, runtime, mastodon, channel, text: str) -> Ticket:  # noqa: F811
    """A citizen posts on the Mastodon fake; the poll and ingest jobs make it a ticket and announce it."""
    mastodon.post("jan", text)
    with runtime.transaction() as s:
        s.get(Channel, channel.id).last_polled_at = None
    polling.sweep(runtime)
    run_jobs(runtime, "poll", "ingest")
    session.expire_all()
    return session.scalars(select(Ticket).where(Ticket.subject.contains(text[:20])).order_by(Ticket.id.desc())).first()


@pytest.fixture
def world(session, mastodon):  # noqa: F811
    f.seeded(session)
    people = {"agent": f.user(session, "agent", email="anouk@voorbeeldstad.nl"),
              "ow": f.user(session, "department", ("OW",), email="otto@voorbeeldstad.nl"),
              "afv": f.user(session, "department", ("AFV",), email="aisha@voorbeeldstad.nl")}
    people["agent"].name = "Anouk Agent"
    people["ow"].name = "Otto Openbare Werken"
    channel = mastodon.channel(session, name="Gemeente op Mastodon")
    earlier = f.ticket(session, channel, department_code="KCC", text="Wanneer is de milieustraat open?")
    earlier.next_due_at = utcnow() + timedelta(days=30)  # a new citizen's message is more urgent
    session.commit()
    return people, channel


def test_agent_sees_new_ticket_live_replies_and_sees_delivery(live_server, new_page, session, runtime, world,
                                                              mastodon):  # noqa: F811
    """Real ingest from mastodon-mock, a reply in the browser, the real `send_reply` job posting it."""
    people, channel = world
    page = new_page(live_server)
    login(page, live_server, people["agent"].email)
    page.goto(f"{live_server}/inbox")
    wait_for_stream(page)

    ticket = ticket_arrives(session, runtime, mastodon, channel, "Het bankje in het Wilhelminapark is kapot")
    row = page.locator(f'tr[data-ticket-id="{ticket.id}"]')
    expect(row).to_contain_text("Wilhelminapark", timeout=10_000)  # appeared without a reload

    page.keyboard.press("?")
    expect(page.locator("dialog#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog#shortcuts")).to_be_hidden()
    page.keyboard.press("j")  # the most urgent ticket is first
    expect(row).to_have_class(re.compile("is-selected"))
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.id}$"))
    page.wait_for_load_state("load")  # the shortcuts are in a deferred script

    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.select_option("#canned", label="Ontvangstbevestiging")
    expect(page.locator("#reply-text")).to_have_value(re.compile(r"^Beste Jan de Burger, dank voor uw bericht"))
    counter = page.locator("#reply-counter")
    expect(counter).not_to_have_text("0")
    page.click("#send-reply")

    outbound = page.locator("li.msg-out").last
    expect(outbound.locator("[data-delivery-state]")).to_have_attribute("data-delivery-state", "queued")
    wait_for_stream(page)  # the page after the reply listens again
    run_jobs(runtime, "replies")  # workers.replies.send_reply posts it on the Mastodon fake
    expect(outbound.locator("[data-delivery-state]")).to_have_attribute("data-delivery-state", "sent",
                                                                          timeout=10_000)
    sent = session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out",
                                                Message.is_automatic.is_(False)))
    session.refresh(sent)
    posted = [s for s in mastodon.statuses_by_municipality() if str(s["id"]) == sent.external_id]
    assert len(posted) == 1 and "Beste" in posted[0]["content"]
    assert not page.errors, page.errors


def test_handoff_feedback_and_resolve(live_server, new_page, session, runtime, world, mastodon):  # noqa: F811
    people, channel = world
    ticket = ticket_arrives(session, runtime, mastodon, channel, "Er ligt een losse stoeptegel voor de school")
    agent = new_page(live_server)
    login(agent, live_server, people["agent"].email)
    agent.goto(f"{live_server}/tickets/{ticket.id}")
    agent.select_option("#handoff-department", "OW")
    agent.fill("#handoff-question", "Wanneer kunnen jullie de tegel vastleggen?")
    agent.click("#handoff-form button[type=submit]")
    expect(agent.locator(".ticket-head .badge.status-with_department")).to_be_visible()
    wait_for_stream(agent)

    department = new_page(live_server)
    login(department, live_server, people["ow"].email)
    department.goto(f"{live_server}/department")
    row = department.locator(f'tr[data-ticket-id="{ticket.id}"]')
    expect(row).to_contain_text("Wanneer kunnen jullie de tegel vastleggen?")
    row.locator("a.ticket-link").click()
    expect(agent.locator("#presence")).to_contain_text("Otto Openbare Werken", timeout=12_000)  # heartbeat: 5 s
    department.fill("#feedback-text", "Donderdag legt de ploeg de tegel vast.")
    department.click("#feedback-form button[type=submit]")
    expect(department.locator("li.note.feedback")).to_contain_text("Donderdag")

    feedback = agent.locator("li.note.feedback")
    expect(feedback).to_contain_text("Donderdag legt de ploeg de tegel vast.", timeout=10_000)  # live, no reload
    expect(agent.locator(".whose-move")).to_have_class(re.compile("move-webcare"))
    agent.reload(wait_until="load")
    agent.keyboard.press("e")
    expect(agent.locator("#status-text")).to_be_focused()
    agent.keyboard.type("De tegel ligt weer vast.")
    agent.click("#status-form button[type=submit]")
    expect(agent.locator(".ticket-head .badge.status-resolved")).to_be_visible()
    session.expire_all()
    assert session.get(Ticket, ticket.id).status == "resolved"
    assert not agent.errors and not department.errors, agent.errors + department.errors


def test_department_user_cannot_reach_another_departments_ticket(live_server, new_page, session, world):
    people, channel = world
    own = f.ticket(session, channel, department_code="OW", text="Scheve lantaarnpaal op de hoek")
    other = f.ticket(session, channel, department_code="AFV", text="Container aan de Kerkstraat zit vol")
    session.commit()
    page = new_page(live_server)
    login(page, live_server, people["ow"].email)
    page.goto(f"{live_server}/department")
    expect(page.locator(f'tr[data-ticket-id="{own.id}"]')).to_be_visible()
    expect(page.locator(f'tr[data-ticket-id="{other.id}"]')).to_have_count(0)
    response = page.goto(f"{live_server}/tickets/{other.id}")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Kerkstraat")
    api = page.request.get(f"{live_server}/api/v1/tickets/{other.id}")
    assert api.status == 404


def test_agent_orders_newest_first_and_the_address_holds_only_the_choice(live_server, new_page, session, world):
    people, channel = world
    newer = f.ticket(session, channel, department_code="OW", text="Losse stoeptegel bij de school")
    newer.next_due_at = utcnow() + timedelta(days=60)  # the least urgent, but the newest
    session.commit()
    page = new_page(live_server)
    login(page, live_server, people["agent"].email)
    page.goto(f"{live_server}/inbox")
    expect(page.locator(".ticket-row").first).to_contain_text("milieustraat")
    page.select_option('select[name="sort"]', "newest")
    page.click('form.filters button[type="submit"]')
    expect(page).to_have_url(f"{live_server}/inbox?sort=newest")
    expect(page.locator(".ticket-row").first).to_contain_text("stoeptegel")
    expect(page.locator('select[name="sort"]')).to_have_value("newest")
    page.click('a[data-view="unanswered"]')
    expect(page).to_have_url(f"{live_server}/inbox?view=unanswered&sort=newest")
