"""Migration ingest_0004 (no foreign keys from tickets and messages to contacts, nor from metric facts to
their ticket) keeps every stored row and every link: on SQLite the three tables are rebuilt."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from tests import factories as f
from webcare import migrate
from webcare.db import make_engine
from webcare.models import Contact, Message, MetricFact, Ticket, TicketEvent

STORED = (Contact, Ticket, Message, TicketEvent, MetricFact)


def _counts(session: Session) -> dict[str, int]:
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in STORED}


def test_upgrade_keeps_contacts_tickets_messages_and_facts(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate.upgrade(url, "safety_0001")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            tickets = f.tickets_with_facts(session)
            session.commit()
            before = _counts(session)
            handles = {ticket.id: ticket.contact.handle for ticket in tickets}

        migrate.upgrade(url)

        with Session(engine) as session:
            after = _counts(session)
            for ticket in session.scalars(select(Ticket)):
                assert ticket.contact.handle == handles[ticket.id]
                assert {m.contact_id for m in ticket.messages} == {ticket.contact_id}
                assert {fact.kind for fact in ticket.metric_facts} >= {"ticket", "first_response"}
        keys = {table: {key["referred_table"] for key in inspect(engine).get_foreign_keys(table)}
                for table in ("tickets", "messages", "metric_facts")}
    finally:
        engine.dispose()
    assert before == after
    assert before["Ticket"] == 3 and before["MetricFact"] >= 6
    assert keys == {"tickets": {"users", "tickets"}, "messages": {"tickets", "users"}, "metric_facts": set()}
