"""Bulk writes of the ingest hot path, on the database under test (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests import factories as f
from webcare.db import utcnow
from webcare.models import Contact, Ticket, TicketEvent
from webcare.services.bulk import bulk_insert, in_list, write_changed_columns


def test_bulk_insert_skips_conflicts_and_returns_the_new_rows(session):
    rows = [{"platform": "mastodon", "platform_user_id": f"u{n}@x", "handle": f"@u{n}", "display_name": "",
             "profile_url": None, "created_at": utcnow()} for n in range(3)]
    first = bulk_insert(session, Contact.__table__, rows[:2], conflict=("platform", "platform_user_id"),
                        returning=("platform_user_id",))
    second = bulk_insert(session, Contact.__table__, rows, conflict=("platform", "platform_user_id"),
                         returning=("platform_user_id",))
    assert sorted(first) == [("u0@x",), ("u1@x",)] and second == [("u2@x",)]
    found = session.scalars(select(Contact.handle).where(in_list(session, Contact.platform_user_id, ["u1@x", "u2@x"])))
    assert sorted(found) == ["@u1", "@u2"]


def test_write_changed_columns_updates_many_tickets_in_one_go(session, runtime):
    f.seeded(session)
    tickets = [f.ticket(session) for _ in range(3)]
    session.commit()
    due = utcnow() + timedelta(hours=4)
    kcc = f.department(session, "KCC")
    for n, ticket in enumerate(tickets):
        ticket.department_id, ticket.first_response_due_at = kcc.id, due
        ticket.sla_targets = {"first_response": {"business_minutes": 60 * (n + 1)}}
    tickets[0].priority = "urgent"
    assert write_changed_columns(session, tickets) == 3
    assert not any(session.is_modified(t) for t in tickets)  # nothing left for the unit of work
    session.commit()

    with runtime.transaction() as other:
        stored = other.scalars(select(Ticket).order_by(Ticket.id)).all()
        assert [t.priority for t in stored] == ["urgent", "normal", "normal"]
        assert {t.department_id for t in stored} == {kcc.id} and stored[2].first_response_due_at == due
        assert stored[1].sla_targets == {"first_response": {"business_minutes": 120}}
    assert write_changed_columns(session, tickets) == 0


def test_bulk_insert_of_columns_with_one_value_in_every_row(session):
    """On PostgreSQL such a column travels as one value instead of an array; the rows are the same."""
    at = utcnow()
    rows = [{"platform": "mastodon", "platform_user_id": f"v{n}@x", "handle": "@same", "display_name": f"V{n}",
             "profile_url": None, "created_at": at} for n in range(3)]
    assert len(bulk_insert(session, Contact.__table__, rows, returning=("id",))) == 3
    alike = [{"platform": "bluesky", "platform_user_id": "w@x", "handle": "@w", "display_name": "",
              "profile_url": "https://w", "created_at": at}]  # one row: every column the same
    assert bulk_insert(session, Contact.__table__, alike, conflict=("platform", "platform_user_id"),
                       returning=("platform_user_id",)) == [("w@x",)]
    stored = session.execute(select(Contact.platform, Contact.platform_user_id, Contact.handle, Contact.display_name,
                                    Contact.profile_url, Contact.created_at).order_by(Contact.id)).all()
    assert [tuple(row) for row in stored] == [("mastodon", f"v{n}@x", "@same", f"V{n}", None, at) for n in range(3)] + [
        ("bluesky", "w@x", "@w", "", "https://w", at)]


def test_bulk_insert_stores_json_as_the_standard_encoder_would(session):
    """JSON columns: nested values, text beyond ASCII, keys that are numbers, an integer beyond 64 bits
    (orjson refuses it: the standard encoder takes over) come back as `json` would have stored them."""
    f.seeded(session)
    ticket = f.ticket(session)
    at = utcnow()
    values = [{"tekst": "Één lantaarnpaal \u2028 kapot", "n": [1, 2.5, None, True], 7: "sleutel", "at": at.isoformat()},
              {"id": 2**70, "nested": {"a": {"b": []}}}]
    bulk_insert(session, TicketEvent.__table__, [{"ticket_id": ticket.id, "type": "note", "data": value, "at": at}
                                                 for value in values])
    stored = session.scalars(select(TicketEvent.data).where(TicketEvent.ticket_id == ticket.id)
                             .order_by(TicketEvent.id)).all()
    assert stored == [json.loads(json.dumps(value)) for value in values]
