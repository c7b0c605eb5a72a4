"""Benchmark of the dashboards: the overview page and GET /api/v1/metrics/response-times over 30 days of a
large history on PostgreSQL, beside the raw `percentile_cont` query on the same data.

    .venv/bin/python bench/dashboards.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboards \\
        [--tickets 1000000] [--days 365] [--runs 30] [--redis-url redis://127.0.0.1:6379/6] [--keep]

The data is made in the database with INSERT ... SELECT generate_series (tickets and their metric facts:
about 3.3 rows per ticket), spread over `--days` days up to today, then VACUUM ANALYZE. `--keep` reuses
the data of an earlier run. It measures and prints; it asserts nothing. Results: docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from sqlalchemy import text

from webcare import migrate
from webcare.app import create_app
from webcare.config import load_settings
from webcare.db import make_engine
from webcare.models import MetricFact
from webcare.runtime import build_runtime
from webcare.services import seed
from webcare.services.users import create_user

PASSWORD = "bench password 0123"
ZONE = ZoneInfo("Europe/Amsterdam")

GENERATE = [
    "SELECT setseed(0.42)",
    """CREATE TEMP TABLE cats AS SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id AS category_id, department_id
       FROM categories WHERE department_id IS NOT NULL""",
    """CREATE TEMP TABLE gen AS SELECT g AS id,
         date_trunc('second', now() - random() * make_interval(days => :days)) AS created,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6
       FROM generate_series(1, :tickets) g""",
    """CREATE TEMP TABLE base AS SELECT gen.*, c.category_id, c.department_id,
         (SELECT array_agg(id) FROM channels)[1 + floor(r6 * 4)::int] AS channel_id,
         (SELECT array_agg(id ORDER BY id) FROM users WHERE role = 'agent')[1 + floor(r4 * 30)::int] AS agent_id,
         floor(-ln(1 - r1) * 5400)::int AS fr_business,
         (CASE WHEN created > now() - interval '3 days' AND r5 < 0.5 THEN 'open' ELSE 'resolved' END) AS status
       FROM gen JOIN cats c ON c.idx = floor(gen.r2 * (SELECT count(*) FROM cats))::int""",
    """INSERT INTO tickets (id, channel_id, thread_key, kind, visibility, subject, status, awaiting, priority, threat,
         created_at, received_at, updated_at, reopen_count, activity_seq, sla_targets, handling_paused_seconds,
         sla_level, department_id, category_id, assignee_id, resolved_at, next_due_at)
       SELECT id, channel_id, 't' || id, 'mention', 'public', '', status, 'webcare', 'normal', false,
         created, created, created, (r3 < 0.04)::int, 0, '{}'::jsonb, 0,
         CASE WHEN status = 'resolved' THEN 'none' WHEN r3 < 0.2 THEN 'breached' WHEN r3 < 0.4 THEN 'at_risk' ELSE 'on_time' END,
         department_id, category_id, CASE WHEN status = 'open' AND r4 < 0.7 THEN agent_id END,
         CASE WHEN status = 'resolved' THEN created + make_interval(secs => 3600 + r2 * 400000) END,
         CASE WHEN status = 'open' THEN created + interval '4 hours' END
       FROM base""",
    "SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))",
]

# kind, condition, start, business seconds, wall factor, department
FACTS = """
    INSERT INTO metric_facts (ticket_id, kind, seq, started_at, start_day, start_week, due_at, ended_at, end_day,
        end_week, result, late_3x, business_seconds, wall_seconds, reopens, department_id, channel_id, category_id,
        agent_id)
    SELECT id, :kind, 0, s, (s AT TIME ZONE 'Europe/Amsterdam')::date,
        date_trunc('week', s AT TIME ZONE 'Europe/Amsterdam')::date, s + make_interval(secs => :target),
        e, (e AT TIME ZONE 'Europe/Amsterdam')::date, date_trunc('week', e AT TIME ZONE 'Europe/Amsterdam')::date,
        CASE WHEN b IS NULL THEN 'open' WHEN b <= :target THEN 'on_time' ELSE 'late' END, coalesce(b > 3 * :target, false),
        b, floor(b * (1 + r4 * 3))::int, 0, department_id, channel_id, category_id, agent_id
    FROM (SELECT base.*, created + make_interval(days => :offset_days) AS s,
                 CASE WHEN status = 'resolved' THEN floor(fr_business * :scale)::int END AS b,
                 CASE WHEN status = 'resolved' THEN created + make_interval(days => :offset_days)
                      + make_interval(secs => floor(fr_business * :scale * (1 + r4 * 3))) END AS e
          FROM base WHERE r5 < :share) x
"""
TICKET_FACTS = """
    INSERT INTO metric_facts (ticket_id, kind, seq, started_at, start_day, start_week, ended_at, end_day, end_week,
        result, late_3x, wall_seconds, reopens, department_id, channel_id, category_id, agent_id)
    SELECT t.id, 'ticket', 0, t.created_at, (t.created_at AT TIME ZONE 'Europe/Amsterdam')::date,
        date_trunc('week', t.created_at AT TIME ZONE 'Europe/Amsterdam')::date, t.resolved_at,
        (t.resolved_at AT TIME ZONE 'Europe/Amsterdam')::date,
        date_trunc('week', t.resolved_at AT TIME ZONE 'Europe/Amsterdam')::date,
        CASE WHEN t.status = 'resolved' THEN 'resolved' ELSE 'open' END, false,
        extract(epoch FROM t.resolved_at - t.created_at)::int, t.reopen_count, t.department_id, t.channel_id,
        t.category_id, b.agent_id
    FROM tickets t JOIN base b ON b.id = t.id
"""
CLOCKS = [  # kind, share of tickets, start offset (days), duration scale, target seconds
    ("first_response", 1.0, 0, 1.0, 14400),
    ("handling", 0.9, 0, 20.0, 3 * 8.5 * 3600),
    ("next_response", 0.4, 1, 1.3, 14400),
    ("department_feedback", 0.3, 0, 3.0, 8.5 * 3600),
]
RAW = """
    SELECT department_id, count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY business_seconds),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY business_seconds)
    FROM metric_facts WHERE kind = 'first_response' AND start_day BETWEEN :start AND :end
    GROUP BY department_id
"""


def generate(url: str, tickets: int, days: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(url)
    runtime = build_runtime(_settings(url, ""))
    with runtime.transaction() as session:
        seed.seed_defaults(session)
        for n in range(4):
            session.execute(text("INSERT INTO channels (platform, name, handle, settings, enabled, poll_interval_seconds,"
                                 " cursor, needs_reauth, created_at, updated_at) VALUES (:p, :n, 'gemeente', '{}', true,"
                                 " 60, '{}', false, now(), now())"),
                            {"p": ("mastodon", "x", "facebook", "instagram")[n], "n": f"kanaal-{n}"})
        for n in range(30):
            create_user(session, f"agent{n}@bench.nl", "agent", name=f"Agent {n}", department_codes=("KCC",))
        create_user(session, "manager@bench.nl", "manager", name="Manager", password=PASSWORD)
    began = time.perf_counter()
    indexes = [index for index in MetricFact.__table__.indexes]
    with engine.begin() as conn:
        for index in indexes:  # build them once at the end: much faster than row by row
            index.drop(conn)
        for statement in GENERATE:
            conn.execute(text(statement), {"tickets": tickets, "days": days})
        conn.execute(text(TICKET_FACTS))
        for kind, share, offset, scale, target in CLOCKS:
            conn.execute(text(FACTS), {"kind": kind, "share": share, "offset_days": offset, "scale": scale,
                                       "target": target})
        for index in indexes:
            index.create(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        rows = conn.execute(text("SELECT count(*) FROM metric_facts")).scalar()
    print(f"generated {tickets} tickets, {rows} metric facts over {days} days in {time.perf_counter() - began:.0f} s")
    runtime.dispose()
    engine.dispose()


def _settings(url: str, redis_url: str):
    return load_settings(environ={}, config_path=None, overrides={
        "env": "test", "database_url": url, "redis_url": redis_url, "secret_key": "bench-secret-0123456789",
        "demo_feed": False, "two_factor_required_roles": [], "api_rate_limit_per_minute": 0,
        "api_rate_limit_per_ip_per_minute": 0, "encryption_keys": [Fernet.generate_key().decode()],
        "instance_path": tempfile.mkdtemp(prefix="webcare-bench-")})


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"


def _time(runs: int, action) -> list[float]:
    action()  # warm up
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def measure(url: str, redis_url: str, runs: int, window: int) -> None:
    runtime = build_runtime(_settings(url, redis_url))
    app = create_app(runtime=runtime)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": "manager@bench.nl", "password": PASSWORD, "csrf_token": token})
    today = datetime.now(ZONE).date()
    start = today - timedelta(days=window - 1)
    query = f"from={start.isoformat()}&to={today.isoformat()}"

    def get(path: str):
        def action():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return action

    def raw():
        with runtime.engine.connect() as conn:
            conn.execute(text(RAW), {"start": start, "end": today}).all()

    with runtime.engine.connect() as conn:
        in_window = conn.execute(text("SELECT count(*) FROM metric_facts WHERE start_day BETWEEN :s AND :e"),
                                 {"s": start, "e": today}).scalar()
    print(f"window {start} .. {today}: {in_window} metric facts; {runs} runs each, warm")
    for label, action in [
        ("raw percentile_cont (first response by department)", raw),
        ("GET /api/v1/metrics/response-times?group_by=department", get(f"/api/v1/metrics/response-times?{query}&group_by=department")),
        ("GET /api/v1/metrics/response-times?group_by=day", get(f"/api/v1/metrics/response-times?{query}&group_by=day")),
        ("GET /api/v1/metrics/response-times?group_by=agent", get(f"/api/v1/metrics/response-times?{query}&group_by=agent")),
        ("GET /api/v1/metrics/backlog", get("/api/v1/metrics/backlog")),
        ("GET /dashboards/ (overview page)", get(f"/dashboards/?{query}")),
        ("GET /dashboards/now", get("/dashboards/now")),
        ("GET /dashboards/agents (per agent page)", get(f"/dashboards/agents?{query}")),
    ]:
        print(f"{label:<58} {_stats(_time(runs, action))}")
    runtime.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, {date.today()}")
    if not args.keep:
        generate(args.database_url, args.tickets, args.days)
    measure(args.database_url, args.redis_url, args.runs, args.window)


if __name__ == "__main__":
    main()
