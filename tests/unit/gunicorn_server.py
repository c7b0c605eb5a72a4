"""A WSGI app under a real gunicorn started as the Procfile starts the web process (webcare.gunicorn_conf)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn_with_our_config(app: str, workers: int = 1, timeout: float = 30) -> Iterator[str]:
    """Serve `app` ("module:callable") with `workers` workers; yield its base URL once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:webcare.gunicorn_conf",
                               "--workers", str(workers), "--bind", f"127.0.0.1:{port}", app],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(url, timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)
