"""Free-text search of the inbox (services/ticket_search): subject or citizen, each side searched on its own
and merged, in list order, with cursor paging; on PostgreSQL through the trigram indexes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories as f
from webcare.db import utcnow
from webcare.services import inbox


@pytest.fixture
def agent(session):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    return user


def _ticket(session, text, *, due_minutes=None, status="new", handle=None, name=None):
    ticket = f.ticket(session, text=text, status=status)
    ticket.next_due_at = None if due_minutes is None else utcnow() + timedelta(minutes=due_minutes)
    if handle or name:
        ticket.contact.handle = handle or ticket.contact.handle
        ticket.contact.display_name = name or ticket.contact.display_name
    return ticket


def _all_pages(session, user, filters, limit=2) -> list[int]:
    seen, cursor = [], None
    while True:
        page = inbox.list_tickets(session, user, filters, limit=limit, cursor=cursor)
        seen += [t.id for t in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_subject_and_citizen_matches_merge_in_list_order_across_pages(session, agent):
    by_subject_late = _ticket(session, "Lantaarnpaal kapot bij de school", due_minutes=50)
    by_person_soon = _ticket(session, "Vraag over de container", due_minutes=10, name="Jan Lantaarnman")
    both = _ticket(session, "LANTAARN weg", due_minutes=30, handle="lantaarnfan")
    by_handle_clockless = _ticket(session, "Wie helpt mij?", handle="de_lantaarnopsteker")
    by_subject_clockless = _ticket(session, "Lantaarn flikkert")
    _ticket(session, "Stoeptegel los", due_minutes=5)  # no match
    closed = _ticket(session, "Lantaarn gerepareerd", status="resolved")
    session.commit()

    expected = [by_person_soon.id, both.id, by_subject_late.id,  # running clocks, most urgent first
                by_subject_clockless.id, by_handle_clockless.id]  # then newest first
    for limit in (1, 2, 3, 50):
        assert _all_pages(session, agent, inbox.Filters(q="lantaarn"), limit) == expected, limit
    everything = _all_pages(session, agent, inbox.Filters(q="  Lantaarn ", statuses=inbox.parse_statuses("all")))
    assert everything == [*expected[:3], closed.id, *expected[3:]]  # the closed one is the newest


@pytest.mark.parametrize("max_people", [0, 1, 500])
def test_many_matching_citizens_give_the_same_list(session, agent, monkeypatch, max_people):
    """Matching citizens go on as a list of ids when few, as a subquery when more than MAX_PEOPLE."""
    from webcare.services import ticket_search

    monkeypatch.setattr(ticket_search, "MAX_PEOPLE", max_people)
    first = _ticket(session, "Vraag", due_minutes=10, handle="fietser_noord")
    second = _ticket(session, "Nog een vraag", due_minutes=20, name="Fietser Zuid")
    by_subject = _ticket(session, "Fietser aangereden", due_minutes=30)
    _ticket(session, "Stoeptegel los", due_minutes=5)
    session.commit()

    assert _all_pages(session, agent, inbox.Filters(q="fietser"), 2) == [first.id, second.id, by_subject.id]
    assert _all_pages(session, agent, inbox.Filters(q="stoeptegel"), 2) != []  # no citizen matches: subject only


def test_wildcards_are_literal_and_ticket_numbers_are_exact(session, agent):
    percent = _ticket(session, "Korting 100% op parkeren?", due_minutes=5)
    _ticket(session, "Korting 1000 op parkeren?", due_minutes=6)
    underscore = _ticket(session, "Wie is a_b?", due_minutes=7)
    _ticket(session, "Wie is axb?", due_minutes=8)
    session.commit()
    assert _all_pages(session, agent, inbox.Filters(q="100%")) == [percent.id]
    assert _all_pages(session, agent, inbox.Filters(q="a_b")) == [underscore.id]
    assert _all_pages(session, agent, inbox.Filters(q=f"#{underscore.id}")) == [underscore.id]
    assert _all_pages(session, agent, inbox.Filters(q="niets-dat-past")) == []


def test_search_keeps_the_other_filters_and_the_department_scope(session, agent):
    f.ticket(session, department_code="OW", text="Boom omgewaaid")
    afv = f.ticket(session, department_code="AFV", text="Boom op de container")
    ow_user = f.user(session, "department", ("OW",))
    session.commit()
    assert [t.id for t in inbox.list_tickets(session, agent, inbox.Filters(q="boom", department="afv")).items] == [afv.id]
    assert {t.department.code for t in inbox.list_tickets(session, ow_user, inbox.Filters(q="boom")).items} == {"OW"}
