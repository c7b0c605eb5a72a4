"""`webcare run`: the development all-in-one supervisor.

Migrates and seeds the database, starts the embedded Redis-compatible server when `redis_url` is
empty, then runs the web server, an rq worker, the scheduler (and the demo feed) as child processes in
the foreground. Ctrl-C or SIGTERM stops the children first and the store last; nothing is left
listening. If a child dies, everything is stopped and the exit code says so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import click

from webcare import migrate
from webcare.config import Settings
from webcare.embedded import EmbeddedRedis


@dataclass
class Child:
    name: str
    args: list[str]
    process: subprocess.Popen | None = None


def child_commands(settings: Settings, with_demo_feed: bool) -> list[Child]:
    webcare_cli = [sys.executable, "-m", "webcare"]
    bind = f"{settings.host}:{settings.port}"
    children = [
        Child("web", [sys.executable, "-m", "gunicorn", "--config", "python:webcare.gunicorn_conf", "--workers", "2",
                      "--bind", bind, "--graceful-timeout", "5", "--timeout", "60", "--access-logfile", "-",
                      "webcare.app:create_app()"]),
        Child("worker", webcare_cli + ["worker"]),
        Child("scheduler", webcare_cli + ["scheduler"]),
    ]
    if with_demo_feed:
        children.append(Child("demo-feed", webcare_cli + ["demo-feed"]))
    return children


class Supervisor:
    def __init__(self, settings: Settings, with_demo_feed: bool):
        self.settings = settings
        self.with_demo_feed = with_demo_feed
        self.store: EmbeddedRedis | None = None
        self.children: list[Child] = []
        self._stopping = False

    def run(self, prepare) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            env = self._start_store()
            prepare(env)
            self._start_children(env)
            return self._wait()
        finally:
            self.stop()

    def _start_store(self) -> dict[str, str]:
        env = dict(os.environ)
        if not self.settings.redis_url:
            self.store = EmbeddedRedis(self.settings.instance_dir / "valkey")
            self.store.start()
            env["WEBCARE_REDIS_URL"] = self.store.url
            click.echo(f"embedded valkey-server at {self.store.url}", err=True)
        return env

    def _start_children(self, env: dict[str, str]) -> None:
        for child in child_commands(self.settings, self.with_demo_feed):
            child.process = subprocess.Popen(child.args, env=env, start_new_session=True)
            self.children.append(child)

    def _wait(self) -> int:
        while not self._stopping:
            for child in self.children:
                code = child.process.poll() if child.process else None
                if code is not None:
                    click.echo(f"{child.name} exited with code {code}; stopping everything", err=True)
                    return 1
            time.sleep(0.3)
        return 0

    def _on_signal(self, signum, _frame) -> None:
        self._stopping = True

    def stop(self) -> None:
        for child in reversed(self.children):
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children:
            _wait_or_kill(child, deadline)
        self.children = []
        if self.store is not None:
            self.store.stop()
            self.store = None


def _signal_group(child: Child, signum: int) -> None:
    if child.process and child.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signum)


def _wait_or_kill(child: Child, deadline: float) -> None:
    if child.process is None:
        return
    try:
        child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _signal_group(child, signal.SIGKILL)
        child.process.wait(timeout=5)


def prepare_database(settings: Settings, env: dict[str, str], *, with_history: bool = False) -> dict:
    """Migrate, seed the defaults and the demo users (in this process, against the embedded store); with the
    demo feed, also the demo's two months of history the first time (`demo_history`)."""
    from webcare.config import load_settings
    from webcare.demo_history import import_demo_history
    from webcare.runtime import build_runtime
    from webcare.services import demo, seed

    migrate.upgrade(settings.database_url)
    runtime = build_runtime(load_settings(environ=env))
    try:
        with runtime.transaction() as session:
            seed.seed_defaults(session)
            result = demo.create_demo(session)
        if with_history:
            result["history"] = import_demo_history(runtime.transaction)
        return result
    finally:
        runtime.dispose()
