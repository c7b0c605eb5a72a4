"""Bulk statements of the ingest hot path: one statement per step for a whole batch (see `bulk`).

Inserts use `INSERT ... ON CONFLICT DO NOTHING`, so a message or contact that is already stored, or a
ticket another worker opened a moment ago, is skipped by the database itself. Rows are sorted before
they are written so that two workers lock in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from webcare.models import Contact, Message, MetricFact, Ticket
from webcare.services.bulk import bulk_insert, find_unique, in_list

CONTACTS = Contact.__table__
MESSAGES = Message.__table__
TICKETS = Ticket.__table__


def existing_external_ids(session: Session, channel_id: int, external_ids: Iterable[str]) -> set[str]:
    found = find_unique(session, MESSAGES, {"channel_id": channel_id}, "external_id", external_ids, ("id",))
    return {external_id for external_id, _ in found}


def upsert_contacts(session: Session, platform: str, authors: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Insert unknown citizens (first seen name and handle win); return platform user id -> contact id.

    Known citizens are looked up first and only new ones inserted: an insert that meets a row another
    transaction inserted and has not committed waits for that transaction to end."""
    if not authors:
        return {}
    found = _contact_ids(session, platform, list(authors))
    missing = sorted(key for key in authors if key not in found)
    if missing:
        rows = [{"platform": platform, "platform_user_id": key, "handle": authors[key]["handle"][:255],
                 "display_name": authors[key]["display_name"][:255], "profile_url": authors[key]["profile_url"],
                 "created_at": authors[key]["seen_at"]} for key in missing]
        inserted = bulk_insert(session, CONTACTS, rows, conflict=("platform", "platform_user_id"),
                               returning=("platform_user_id", "id"))
        found.update(dict(inserted))
        late = [key for key in missing if key not in found]
        if late:  # stored by another job meanwhile
            found.update(_contact_ids(session, platform, late))
    return found


def _contact_ids(session: Session, platform: str, keys: list[str]) -> dict[str, int]:
    return dict(find_unique(session, CONTACTS, {"platform": platform}, "platform_user_id", keys, ("id",)))


def lock_live_tickets(session: Session, channel_id: int, thread_keys: Iterable[str]) -> dict[str, Ticket]:
    """The live ticket of each thread, locked in id order (ORM objects: the clocks and notifications need them;
    in the worst case of a batch, every thread new, there are none and this is one lookup)."""
    keys = set(thread_keys)
    found = find_unique(session, TICKETS, {"channel_id": channel_id}, "current_thread_key", keys, ("id",))
    if not found:
        return {}
    statement = (select(Ticket).where(in_list(session, Ticket.id, [ticket_id for _, ticket_id in found], Integer))
                 .order_by(Ticket.id).with_for_update().execution_options(populate_existing=True))
    # a ticket retired meanwhile (its thread handed to a new ticket) no longer holds the key once locked
    return {t.current_thread_key: t for t in session.scalars(statement) if t.current_thread_key in keys}


def load_by_ids(session: Session, model, ids: Iterable[int]) -> dict[int, Any]:
    """ORM objects by primary key, one query."""
    ids = list(ids)
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(in_list(session, model.id, ids, Integer)))}


def insert_tickets(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Open tickets (rows with every column); a thread that got a live ticket from another worker meanwhile is
    left out. Returns thread key -> ticket id of the rows inserted."""
    rows = sorted(rows, key=lambda row: row["current_thread_key"])
    inserted = bulk_insert(session, TICKETS, rows, conflict=("channel_id", "current_thread_key"),
                           returning=("id", "current_thread_key"))
    return {key: ticket_id for ticket_id, key in inserted}


def insert_messages(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Store messages once; returns external id -> message id of the rows actually inserted."""
    rows = sorted(rows, key=lambda row: row["external_id"])
    inserted = bulk_insert(session, MESSAGES, rows, conflict=("channel_id", "external_id"),
                           returning=("id", "external_id"))
    return {external_id: message_id for message_id, external_id in inserted}


def insert_metric_facts(session: Session, rows: list[dict[str, Any]]) -> None:
    """The new tickets' metric facts (services.metric_facts), in one statement."""
    bulk_insert(session, MetricFact.__table__, rows)
