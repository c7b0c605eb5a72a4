"""The fault harness's process stack: the web server, two rq workers and the scheduler as real processes.

Started the way production starts them (Procfile: gunicorn with `webcare.gunicorn_conf` on
`webcare.app:create_app()`, `webcare worker`, `webcare scheduler`), pointed at a database and a private Redis.
The stack also plays the process manager: a process that a scenario killed is started again by `revive()` (as
systemd or the platform's supervisor would), but only when the scenario says so, so a test can show that the
*other* worker recovered the dead one's job on its own. Timings are compressed for tests: polls every second,
a job heartbeat every second, the recovery sweep every two seconds (see `FAST`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from webcare.embedded import free_port

FAST = {"WEBCARE_POLL_SWEEP_SECONDS": "1", "WEBCARE_JOB_HEARTBEAT_SECONDS": "1",
        "WEBCARE_RECOVERY_SWEEP_SECONDS": "2", "WEBCARE_STUCK_REPLY_SECONDS": "8", "WEBCARE_INGEST_BATCH_SIZE": "10"}


@dataclass
class Proc:
    name: str
    args: list[str]
    log: Path
    popen: subprocess.Popen | None = None
    worker_name: str | None = None
    starts: int = 0
    expected_dead: bool = False

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class Stack:
    settings: object  # webcare.config.Settings of the test (database, keys, instance path)
    redis_url: str
    log_dir: Path
    database_url: str | None = None
    web_workers: int = 1
    web_threads: int = 8
    extra_env: dict = field(default_factory=dict)
    procs: dict[str, Proc] = field(default_factory=dict)
    port: int = field(default_factory=free_port)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WEBCARE_")}
        s = self.settings
        env.update({"WEBCARE_ENV": "test", "WEBCARE_SECRET_KEY": s.secret_key,
                    "WEBCARE_ENCRYPTION_KEYS": ",".join(s.encryption_keys),
                    "WEBCARE_DATABASE_URL": self.database_url or s.database_url, "WEBCARE_REDIS_URL": self.redis_url,
                    "WEBCARE_INSTANCE_PATH": s.instance_path, "WEBCARE_LOG_LEVEL": "INFO",
                    "WEBCARE_DEMO_FEED": "false", "WEBCARE_TWO_FACTOR_REQUIRED_ROLES": "",
                    "WEBCARE_BASE_URL": self.base_url, **FAST, **self.extra_env})
        return env

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> Stack:
        python = sys.executable
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._add("web", [python, "-m", "gunicorn", "--config", "python:webcare.gunicorn_conf",
                          "--workers", str(self.web_workers),
                          "--threads", str(self.web_threads), "--bind", f"127.0.0.1:{self.port}",
                          "--graceful-timeout", "2", "--timeout", "60", "webcare.app:create_app()"])
        for n in (1, 2):
            self._add(f"worker{n}", [python, "-m", "webcare", "worker"], worker=True)
        self._add("scheduler", [python, "-m", "webcare", "scheduler"])
        for proc in self.procs.values():
            self._spawn(proc)
        self.wait_ready()
        return self

    def _add(self, name: str, args: list[str], worker: bool = False) -> None:
        self.procs[name] = Proc(name, args, self.log_dir / f"{name}.log")
        self.procs[name].worker_name = f"{name}-{uuid.uuid4().hex[:8]}" if worker else None

    def _spawn(self, proc: Proc) -> None:
        args = proc.args + (["--name", proc.worker_name] if proc.worker_name else [])
        with open(proc.log, "a") as log:  # the child keeps its own copy of the descriptor
            log.write(f"\n==== start {proc.starts + 1} at {time.time():.3f}\n")
            log.flush()
            proc.popen = subprocess.Popen(args, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        proc.starts += 1

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_alive()
            try:
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"web server not ready within {timeout} s; see {self.log_dir}")

    def assert_alive(self, *names: str) -> None:
        dead = [p.name for p in self.procs.values() if (not names or p.name in names) and not p.alive
                and not p.expected_dead]
        if dead:
            raise AssertionError(f"process(es) {dead} died; logs in {self.log_dir}: " + self.tail(dead[0]))

    def tail(self, name: str, lines: int = 30) -> str:
        text = self.procs[name].log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        proc.expected_dead = sig in (signal.SIGKILL, signal.SIGTERM)
        os.killpg(proc.popen.pid, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            proc.popen.wait(timeout=30)

    def revive(self, name: str) -> None:
        """The process manager starts a dead process again (a worker gets a fresh name, as a new pid would)."""
        proc = self.procs[name]
        if proc.alive:
            return
        proc.expected_dead = False
        if proc.worker_name:
            proc.worker_name = f"{name}-{uuid.uuid4().hex[:8]}"
        self._spawn(proc)

    def pause_workers(self) -> None:
        for proc in self.workers():
            os.killpg(proc.popen.pid, signal.SIGSTOP)

    def resume_workers(self) -> None:
        for proc in self.workers():
            os.killpg(proc.popen.pid, signal.SIGCONT)

    def workers(self) -> list[Proc]:
        return [p for p in self.procs.values() if p.worker_name and p.alive]

    def by_worker_name(self, worker_name: str) -> Proc | None:
        return next((p for p in self.procs.values() if p.worker_name == worker_name), None)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.alive:
                try:
                    os.killpg(proc.popen.pid, signal.SIGCONT)
                    os.killpg(proc.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(timeout=10)


def wait_for(condition, timeout: float, what, every: float = 0.2, stack: Stack | None = None):
    """Poll `condition()` until it is truthy; fail with `what` (and a dead process's log) after `timeout` s.

    `what` may be a callable: it is then called at the timeout, so it can describe the state at that time."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if stack is not None:
            stack.assert_alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")
        time.sleep(every)
