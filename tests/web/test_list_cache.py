"""The ticket list's pages are served again for a moment, and never once something was written.

A page is kept per user and query with the write stamp read before it was made (webcare.page_cache,
webcare.write_stamp). Writes made outside Webcare (here: a plain engine without the stamp) show what
is cached and what the time limit bounds.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import create_engine, update

from tests import factories as f
from webcare.app import create_app
from webcare.db import utcnow
from webcare.i18n import LANGUAGE_COOKIE
from webcare.models import Ticket
from webcare.page_cache import PageCache
from webcare.runtime import Runtime


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(runtime, monkeypatch):
    clock = Clock()
    monkeypatch.setitem(runtime.__dict__, "list_pages", PageCache(2.0, clock=clock))
    return clock


@pytest.fixture
def setup(client, session, cli, clock):
    f.seeded(session)
    people = {"agent": f.user(session, "agent"), "ow": f.user(session, "department", ("OW",))}
    tickets = [f.ticket(session, department_code=code, text=f"melding {code}") for code in ("OW", "AFV")]
    for i, t in enumerate(tickets):
        t.next_due_at = utcnow() + timedelta(hours=i + 1)
    session.commit()
    tokens = {who: cli("create-token", p.email).output.strip() for who, p in people.items()}

    def call(method, path, who="agent", **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {tokens[who]}"},
                           **kwargs)

    return call, tickets


def _subjects(response) -> list:
    assert response.status_code == 200, response.get_json()
    return [t["subject"] for t in response.get_json()["items"]]


def _outside_write(runtime, ticket_id: int, subject: str) -> None:
    """A write Webcare does not see (psql, another program): it does not renew the stamp."""
    engine = create_engine(runtime.engine.url)
    try:
        with engine.begin() as conn:
            conn.execute(update(Ticket).where(Ticket.id == ticket_id).values(subject=subject))
    finally:
        engine.dispose()


def test_a_page_is_served_again_until_its_time_is_up(runtime, setup, clock):
    call, tickets = setup
    first = _subjects(call("GET", "/tickets"))
    _outside_write(runtime, tickets[0].id, "buiten webcare om")
    assert _subjects(call("GET", "/tickets")) == first
    assert "buiten webcare om" in _subjects(call("GET", "/tickets?status=new,open")), "another query: its own page"
    clock.now += 2.0
    assert "buiten webcare om" in _subjects(call("GET", "/tickets"))


def test_a_write_through_the_api_shows_at_once(setup):
    call, tickets = setup
    assert len(_subjects(call("GET", "/tickets"))) == 2
    response = call("POST", f"/tickets/{tickets[0].id}/status", json={"status": "resolved", "text": "Opgelost."})
    assert response.status_code == 200, response.get_json()
    assert [t["id"] for t in call("GET", "/tickets").get_json()["items"]] == [tickets[1].id]


def test_a_write_by_a_worker_process_shows_at_once(runtime, setup, redis):
    """A worker has its own engine; the stamp lives in the shared Redis."""
    call, tickets = setup
    _subjects(call("GET", "/tickets"))
    worker = Runtime(settings=runtime.settings, engine=create_engine(runtime.engine.url), redis_override=redis)
    try:
        with worker.transaction() as s:
            s.execute(update(Ticket).where(Ticket.id == tickets[1].id).values(subject="door de worker"))
    finally:
        worker.engine.dispose()
    assert "door de worker" in _subjects(call("GET", "/tickets"))


def test_each_user_has_their_own_pages(setup):
    call, _ = setup
    assert len(_subjects(call("GET", "/tickets"))) == 2
    department = call("GET", "/tickets", "ow").get_json()["items"]
    assert [t["department"] for t in department] == ["OW"]
    assert len(_subjects(call("GET", "/tickets"))) == 2


def test_parameters_in_another_order_are_the_same_page_and_errors_are_not_kept(runtime, setup):
    call, tickets = setup
    first = _subjects(call("GET", "/tickets?status=new,open&limit=10"))
    _outside_write(runtime, tickets[0].id, "later")
    assert _subjects(call("GET", "/tickets?limit=10&status=new,open")) == first
    assert call("GET", "/tickets?limit=0").status_code == 400
    assert call("GET", "/tickets?limit=0").status_code == 400


def test_off_when_set_to_zero(runtime, setup, monkeypatch):
    call, tickets = setup
    monkeypatch.setitem(runtime.__dict__, "list_pages", PageCache(0))
    _subjects(call("GET", "/tickets"))
    _outside_write(runtime, tickets[0].id, "meteen gezien")
    assert "meteen gezien" in _subjects(call("GET", "/tickets"))


def test_without_redis_the_list_still_answers(runtime, session, cli):
    f.seeded(session)
    f.user(session, "agent", email="a@voorbeeldstad.nl")
    f.ticket(session, department_code="OW", text="zonder redis")
    session.commit()
    token = cli("create-token", "a@voorbeeldstad.nl").output.strip()
    broken = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    offline = Runtime(settings=runtime.settings, engine=runtime.engine, redis_override=broken)
    client = create_app(runtime=offline).test_client()
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert len(response.get_json()["items"]) == 1


# -- the inbox page: its rows are kept the same way ---------------------------------------------------------

@pytest.fixture
def page(client, session, clock):
    f.seeded(session)
    agent = f.user(session, "agent")
    ticket = f.ticket(session, department_code="OW", text="Losse stoeptegel")
    session.commit()
    f.login(client, agent.email)
    return client, ticket


def test_inbox_rows_are_kept_and_renewed_by_a_write(runtime, page, session):
    client, ticket = page
    assert "Losse stoeptegel" in client.get("/inbox").get_data(as_text=True)
    _outside_write(runtime, ticket.id, "Scheve lantaarnpaal")
    assert "Losse stoeptegel" in client.get("/inbox?fragment=rows").get_data(as_text=True), "the same rows"
    f.ticket(session, department_code="AFV", text="Afvalbak puilt uit")
    session.commit()  # through Webcare: the stamp changes
    rows = client.get("/inbox?fragment=rows").get_data(as_text=True)
    assert "Scheve lantaarnpaal" in rows and "Afvalbak puilt uit" in rows


def test_inbox_rows_are_kept_per_language_and_a_refused_filter_is_not_kept(client, page):
    client, _ = page
    assert ">Termijn<" in client.get("/inbox").get_data(as_text=True)
    client.set_cookie(LANGUAGE_COOKIE, "en")
    assert ">Due<" in client.get("/inbox").get_data(as_text=True)
    refused = client.get("/inbox?department=NOPE").get_data(as_text=True)
    assert 'class="flash flash-error"' in refused
    assert 'class="flash flash-error"' in client.get("/inbox?department=NOPE").get_data(as_text=True)
