"""Migration ingest_0003 (indexes that a new ticket's rows skip): every stored row stays, and the idempotency
key of replies and the dedupe key of events stay unique where they are set, on the migrated database (SQLite
rebuilds `messages` and `ticket_events` for it) and on the database the suite runs on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests import factories as f
from webcare import migrate
from webcare.db import make_engine
from webcare.models import Message, MetricFact, Ticket, TicketEvent

STORED = (Ticket, Message, TicketEvent, MetricFact)


def _reply(ticket: Ticket, key: str | None) -> Message:
    return Message(ticket_id=ticket.id, channel_id=ticket.channel_id, direction="out", platform="mastodon",
                   thread_key=ticket.thread_key, kind="reply", visibility="public", text="Dank u",
                   author_handle="", author_name="", delivery_state="queued", idempotency_key=key)


def _event(ticket: Ticket, key: str | None) -> TicketEvent:
    return TicketEvent(ticket_id=ticket.id, type="sla_level", dedupe_key=key)


def _arrange(session: Session) -> Ticket:
    f.seeded(session)
    ticket = f.ticket(session, department_code="OW")
    session.add_all([_reply(ticket, "key-1"), _reply(ticket, None), _reply(ticket, None),
                     _event(ticket, "sla:1"), _event(ticket, None), _event(ticket, None)])
    session.flush()
    return ticket


def _refused(session: Session, row) -> bool:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return True
    return False


def test_upgrade_keeps_the_rows_and_the_keys_unique(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate.upgrade(url, "ingest_0002")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            _arrange(session)
            session.commit()
            before = {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in STORED}

        migrate.upgrade(url)

        with Session(engine) as session:
            after = {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in STORED}
            ticket = session.scalars(select(Ticket)).one()
            assert _refused(session, _reply(ticket, "key-1"))
            assert _refused(session, _event(ticket, "sla:1"))
            assert not _refused(session, _reply(ticket, None))
    finally:
        engine.dispose()
    assert before == after
    assert (after["Message"], after["TicketEvent"]) == (4, 3)


@pytest.mark.parametrize("make, key", [(_reply, "key-2"), (_event, "sla:2")])
def test_a_key_is_unique_where_it_is_set(session, make, key):
    ticket = _arrange(session)
    assert not _refused(session, make(ticket, None))  # rows without a key: as many as there are
    assert not _refused(session, make(ticket, key))
    assert _refused(session, make(ticket, key))
