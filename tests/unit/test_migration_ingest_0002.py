"""Migration ingest_0002 (no foreign keys from tickets, messages and events to the shared configuration
rows) keeps every stored row: on SQLite the tables are rebuilt, and dropping the old `tickets` must not
cascade to the messages and events that point at it."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from tests import factories as f
from webcare import migrate
from webcare.db import make_engine
from webcare.models import Message, Ticket, TicketEvent, TicketLabel

STORED = (Ticket, Message, TicketEvent, TicketLabel)


def test_upgrade_keeps_tickets_messages_and_events(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate.upgrade(url, "channels_0001")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            f.seeded(session)
            for n in range(3):
                ticket = f.ticket(session, department_code="OW", text=f"Kapotte lantaarnpaal {n}")
                session.add(TicketEvent(ticket_id=ticket.id, type="created", department_id=ticket.department_id))
                session.add(TicketLabel(ticket_id=ticket.id, label="lantaarn"))
            session.commit()
            before = {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in STORED}

        migrate.upgrade(url)

        with Session(engine) as session:
            after = {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in STORED}
            ticket = session.scalars(select(Ticket).order_by(Ticket.id)).first()
            assert (ticket.department.code, ticket.channel.platform) == ("OW", "mastodon")
        keys = {table: {key["referred_table"] for key in inspect(engine).get_foreign_keys(table)}
                for table in ("tickets", "messages", "ticket_events")}
    finally:
        engine.dispose()
    assert before == after == {"Ticket": 3, "Message": 3, "TicketEvent": 3, "TicketLabel": 3}
    # at the head: no keys to contacts either (ingest_0004)
    assert keys == {"tickets": {"users", "tickets"}, "messages": {"tickets", "users"},
                    "ticket_events": {"tickets", "users"}}
