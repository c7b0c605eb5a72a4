"""Benchmark: the inbox list (HTML page and GET /api/v1/tickets) on PostgreSQL with a million tickets.

    .venv/bin/python bench/inbox.py [--database-url URL] [--redis-url URL] [--tickets 1000000]
                                    [--duration 20] [--connections 32] [--workers 2] [--threads 16]
                                    [--worker-class ours|sync] [--reuse]

Generates the data (bench/inbox_data.py) unless `--reuse` finds it there, starts Webcare and a bare
Flask + SQLAlchemy app (bench/bare_app.py) under gunicorn with the same settings (webcare.gunicorn_conf:
gthread workers running `web_request_slots` requests at once; WEBCARE_WEB_REQUEST_SLOTS=0 lifts that), and
drives each endpoint with `wrk` (Debian package `wrk`) at N concurrent connections. Prints requests per
second and latency percentiles per endpoint, and the ratio to the bare endpoint. It measures; it does
not assert. Results go to docs/PERFORMANCE.md by hand, with the machine and the date.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import inbox_data  # noqa: E402
from bench.cpu import cpu_seconds, postgres_cpu_seconds, with_children  # noqa: E402
from webcare.config import load_settings  # noqa: E402
from webcare.db import make_engine  # noqa: E402
from webcare.models import Ticket  # noqa: E402

USER_AGENT = "webcare-bench"


def main() -> int:
    args = _parse()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    env = {**os.environ, "WEBCARE_DATABASE_URL": args.database_url, "WEBCARE_REDIS_URL": args.redis_url,
           "WEBCARE_ENV": "development", "WEBCARE_LOG_LEVEL": "WARNING", "WEBCARE_DEMO_FEED": "false",
           "WEBCARE_API_RATE_LIMIT_PER_MINUTE": "0", "WEBCARE_API_RATE_LIMIT_PER_IP_PER_MINUTE": "0",
           "WEBCARE_INSTANCE_PATH": tempfile.mkdtemp(prefix="webcare-bench-")}
    settings = load_settings(environ=env, config_path=None)
    token = _prepare(args, settings)
    servers = [_gunicorn(app, args, env) for app in ("webcare.app:create_app()", "bench.bare_app:create()")]
    try:
        web, bare = (f"http://127.0.0.1:{port}" for _, port in servers)
        for _, port in servers:
            _wait(port)
        cookie = _login(web)
        targets = [
            ("bare Flask + SQLAlchemy, 50 rows", f"{bare}/bare", []),
            ("GET /api/v1/tickets (50, most urgent first)", f"{web}/api/v1/tickets?limit=50",
             ["Authorization: Bearer " + token]),
            ("GET /api/v1/tickets?department=OW&priority=urgent", f"{web}/api/v1/tickets?department=OW&priority=urgent",
             ["Authorization: Bearer " + token]),
            ("GET /api/v1/tickets?q=<a citizen's handle>&status=all (free text over all tickets)",
             f"{web}/api/v1/tickets?q=burger123457&status=all", ["Authorization: Bearer " + token]),
            ("GET /inbox (HTML page, 50 rows, view counts)", f"{web}/inbox", ["Cookie: " + cookie]),
            ("GET /inbox?view=unanswered", f"{web}/inbox?view=unanswered", ["Cookie: " + cookie]),
        ]
        pids = {web: servers[0][0].pid, bare: servers[1][0].pid}
        engine = make_engine(args.database_url)
        results = [_wrk(name, url, headers, args, pids[bare if url.startswith(bare) else web], engine)
                   for name, url, headers in targets]
        engine.dispose()
    finally:
        for process, _ in servers:
            process.terminate()
        for process, _ in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    _report(results, args)
    return 0


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_inbox")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--worker-class", default="ours", choices=("ours", "sync"),
                        help="ours: webcare.gunicorn_conf's gated gthread worker; sync: gunicorn's sync worker")
    parser.add_argument("--reuse", action="store_true", help="keep the data if it is already there")
    return parser.parse_args()


def _prepare(args, settings) -> str:
    engine = make_engine(args.database_url)
    existing = 0
    if args.reuse:
        try:
            with engine.connect() as conn:
                existing = conn.execute(select(func.count()).select_from(Ticket)).scalar_one()
        except Exception:  # noqa: BLE001  (no schema yet: generate)
            existing = 0
    if existing != args.tickets:
        started = time.monotonic()
        inbox_data.reset(args.database_url)
        token = inbox_data.people(settings)
        inbox_data.tickets(engine, args.tickets)
        print(f"generated {args.tickets} tickets in {time.monotonic() - started:.0f} s", file=sys.stderr)
    else:
        from webcare.runtime import build_runtime
        from webcare.services.users import create_api_token

        runtime = build_runtime(settings)
        with runtime.transaction() as session:
            _, token = create_api_token(session, "bench@voorbeeldstad.nl", "bench")
        runtime.dispose()
    engine.dispose()
    return token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(app: str, args, env) -> tuple[subprocess.Popen, int]:
    """`app` as the Procfile starts Webcare; `--worker-class sync` runs one thread per worker."""
    port = _free_port()
    if args.worker_class == "sync":  # gunicorn turns a sync worker with threads into gthread
        workers = ("--worker-class", "sync", "--threads", "1")
    else:
        workers = ("--threads", str(args.threads))
    command = [sys.executable, "-m", "gunicorn", "--config", "python:webcare.gunicorn_conf", *workers,
               "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "--graceful-timeout", "5", app]
    return subprocess.Popen(command, cwd=ROOT, env=env), port


def _wait(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def _login(base: str) -> str:
    client = requests.Session()
    client.headers["User-Agent"] = USER_AGENT
    page = client.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"{base}/login", data={"email": "bench@voorbeeldstad.nl",
                                                   "password": inbox_data.PASSWORD, "csrf_token": token},
                           allow_redirects=False)
    assert response.status_code == 302, response.status_code
    assert client.get(f"{base}/inbox").status_code == 200
    return "; ".join(f"{c.name}={c.value}" for c in client.cookies)


def _wrk(name: str, url: str, headers: list[str], args, server_pid: int, engine) -> dict:
    # A new connection per request, as a reverse proxy talks to gunicorn by default (nginx: HTTP/1.0 upstream)
    # and as sync workers do anyway: wrk's 32 kept-alive connections stay on the gunicorn worker that accepted
    # them, and in one run of four all of them landed on one of the two workers (half the throughput).
    header_args = [item for h in headers + ["User-Agent: " + USER_AGENT, "Connection: close"] for item in ("-H", h)]
    warm = ["wrk", "-t2", f"-c{args.connections}", "-d3s", *header_args, url]
    subprocess.run(warm, capture_output=True, check=True)
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "--timeout", "10s",
               *header_args, url]
    server = with_children(server_pid)
    cpu_before = cpu_seconds(server), postgres_cpu_seconds(engine)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    parsed = _parse_wrk(output)
    cpu = cpu_seconds(server) - cpu_before[0], postgres_cpu_seconds(engine) - cpu_before[1]
    per_request = [1000 * seconds / max(parsed["requests"], 1) for seconds in cpu]
    return {"name": name, "url": url, **parsed, "cpu_ms_per_request": per_request[0],
            "postgres_cpu_ms_per_request": per_request[1]}


def _total_cpu(result: dict) -> float:
    return result["cpu_ms_per_request"] + result["postgres_cpu_ms_per_request"]


def _parse_wrk(output: str) -> dict:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    percentiles = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests_done = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rps": rps, "requests": requests_done, "p50_ms": percentiles.get("50"), "p90_ms": percentiles.get("90"),
            "p99_ms": percentiles.get("99"), "non_2xx": int(errors.group(1)) if errors else 0}


def _report(results: list[dict], args) -> None:
    bare = results[0]["rps"]
    print(f"\n{args.tickets} tickets, {args.connections} connections, {args.duration} s each, gunicorn "
          f"{args.worker_class} {args.workers} workers x {args.threads} threads, "
          f"{os.environ.get('WEBCARE_WEB_REQUEST_SLOTS', 'default')} request slots, {os.cpu_count()} CPUs\n")
    bare_cpu = _total_cpu(results[0])
    print("| endpoint | req/s | share of bare | p50 ms | p90 ms | p99 ms | non-2xx | CPU ms/request: server + "
          "PostgreSQL = total | bare's CPU / this CPU |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['name']} | {r['rps']:.0f} | {100 * r['rps'] / bare:.0f} % | {r['p50_ms']:.1f} | "
              f"{r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['non_2xx']} | {r['cpu_ms_per_request']:.1f} + "
              f"{r['postgres_cpu_ms_per_request']:.1f} = {_total_cpu(r):.1f} | {100 * bare_cpu / _total_cpu(r):.0f} % |")
    print(json.dumps(results), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
