"""Generate a realistic ticket history on PostgreSQL fast (INSERT ... SELECT generate_series).

Two years of tickets, one a minute: the newest `open_share` are open (new, in progress, with a
department, waiting for the citizen), the rest resolved or cancelled, as in a municipality's database
after a while. Six channels, 300 000 citizens, eleven departments, every category, twenty agents,
labels on 3 % of the tickets. Used by `bench/inbox.py`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from webcare import migrate
from webcare.db import make_engine
from webcare.runtime import build_runtime
from webcare.services import seed
from webcare.services.users import create_api_token, create_user

CHANNELS = [("mastodon", "Mastodon"), ("x", "X"), ("facebook", "Facebook"), ("instagram", "Instagram"),
            ("bluesky", "Bluesky"), ("linkedin", "LinkedIn")]
AGENTS = 20
CONTACTS = 300_000
PASSWORD = "bench-password-123"


def reset(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(database_url)


def people(settings) -> str:
    """Seed defaults, agents and the benchmark user; return its API token."""
    runtime = build_runtime(settings)
    with runtime.transaction() as session:
        seed.seed_defaults(session)
        create_user(session, "bench@voorbeeldstad.nl", "agent", password=PASSWORD, name="Bench Agent")
        for i in range(AGENTS):
            create_user(session, f"agent{i}@voorbeeldstad.nl", "agent", name=f"Agent {i}")
        _, token = create_api_token(session, "bench@voorbeeldstad.nl", "bench")
    runtime.dispose()
    return token


def tickets(engine: Engine, count: int, open_share: float = 0.05) -> None:
    first_open = int(count * (1 - open_share))
    with engine.begin() as conn:
        for platform, name in CHANNELS:
            conn.execute(text(
                "INSERT INTO channels (platform, name, handle, settings, enabled, poll_interval_seconds, cursor,"
                " needs_reauth, created_at, updated_at) VALUES (:p, :n, 'gemeente', '{}', true, 60, '{}', false,"
                " now(), now())"), {"p": platform, "n": f"Gemeente op {name}"})
        conn.execute(text(
            "INSERT INTO contacts (platform, platform_user_id, handle, display_name, created_at)"
            " SELECT 'mastodon', 'u' || g, 'burger' || g, 'Burger ' || g, now() FROM generate_series(1, :n) g"),
            {"n": CONTACTS})
        conn.execute(text(TICKETS_SQL), {"n": count, "first_open": first_open, "contacts": CONTACTS})
        conn.execute(text(
            "INSERT INTO ticket_labels (ticket_id, label) SELECT id, (ARRAY['pers','wethouder','herhaling'])"
            "[1 + id % 3] FROM tickets WHERE id % 33 = 0"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


TICKETS_SQL = """
WITH d AS (SELECT array_agg(id ORDER BY id) ids FROM departments WHERE NOT forward_only),
     c AS (SELECT array_agg(id ORDER BY id) ids FROM categories WHERE parent_id IS NOT NULL),
     ch AS (SELECT array_agg(id ORDER BY id) ids FROM channels),
     a AS (SELECT array_agg(id ORDER BY id) ids FROM users WHERE role = 'agent'),
     g AS (
       SELECT g AS n, now() - ((:n - g) * interval '1 minute') AS created,
              CASE WHEN g < :first_open THEN (CASE WHEN g % 10 = 0 THEN 'cancelled' ELSE 'resolved' END)
                   ELSE (ARRAY['new','open','open','with_department','waiting_citizen'])[1 + g % 5] END AS status
       FROM generate_series(1, :n) g)
INSERT INTO tickets (channel_id, contact_id, thread_key, kind, visibility, subject, status, awaiting, category_id,
                     department_id, assignee_id, priority, threat, created_at, received_at, updated_at,
                     last_inbound_at, last_outbound_at, resolved_at, reopen_count, activity_seq, sla_targets,
                     handling_paused_seconds, sla_level, next_due_at, first_response_due_at)
SELECT ch.ids[1 + n % array_length(ch.ids, 1)], 1 + (n::bigint * 7919) % :contacts, 't' || n,
       CASE WHEN n % 4 = 0 THEN 'dm' ELSE 'mention' END, CASE WHEN n % 4 = 0 THEN 'private' ELSE 'public' END,
       'Melding ' || n || ': ' || (ARRAY['lantaarnpaal kapot','container vol','losse stoeptegel','wateroverlast',
         'zwerfvuil in het park','boom omgewaaid','parkeeroverlast','vraag over de afvalkalender'])[1 + n % 8],
       status,
       CASE status WHEN 'with_department' THEN 'department' WHEN 'waiting_citizen' THEN 'citizen'
                   WHEN 'new' THEN 'webcare' WHEN 'open' THEN 'webcare' ELSE 'nobody' END,
       c.ids[1 + n % array_length(c.ids, 1)], d.ids[1 + n % array_length(d.ids, 1)],
       CASE WHEN status <> 'new' AND n % 5 <> 0 THEN a.ids[1 + n % array_length(a.ids, 1)] END,
       CASE WHEN n % 20 = 0 THEN 'urgent' WHEN n % 10 = 0 THEN 'high' WHEN n % 19 = 0 THEN 'low' ELSE 'normal' END,
       n % 997 = 0, created, created, created, created,
       CASE WHEN status IN ('new') OR n % 2 = 0 THEN NULL ELSE created + interval '1 hour' END,
       CASE WHEN status IN ('resolved','cancelled') THEN created + interval '2 days' END, 0, 1, '{}', 0,
       CASE WHEN status IN ('resolved','cancelled') THEN 'on_time'
            WHEN created + interval '4 hours' < now() THEN 'breached' ELSE 'on_time' END,
       CASE WHEN status IN ('resolved','cancelled','waiting_citizen') THEN NULL
            ELSE created + interval '4 hours' END,
       created + interval '4 hours'
FROM g, d, c, ch, a
"""
