"""Private Redis and PostgreSQL servers for the fault harness, so that a scenario may restart them.

The machine's shared servers (PostgreSQL on 5432, Redis on 6379) serve other people's tests and are never
touched. `PrivateRedis` is a valkey-server/redis-server on a free port with its data in a temporary
directory (append-only file: a clean restart keeps the queues; `crash(wipe=True)` loses everything).
`PrivatePostgres` is a throw-away cluster made with initdb on a free port; PostgreSQL refuses to run as
root, so as root it runs as the `postgres` user (`runuser`). `postgres_unavailable()` says why a cluster
cannot be made here (no binaries, root without a postgres user), for a clear skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from webcare.embedded import EmbeddedRedis, free_port


class PrivateRedis(EmbeddedRedis):
    """A Redis-compatible server the test owns: restart it cleanly, or crash it and lose its data."""

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()  # SIGTERM: the server writes its append-only file and exits
        time.sleep(down_seconds)
        self.start()

    def crash(self, *, wipe: bool, down_seconds: float = 0.0) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        if wipe:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        time.sleep(down_seconds)
        self.start()


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def postgres_unavailable() -> str | None:
    """None when a private cluster can be made here, else the reason."""
    if _pg_bin() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a `postgres` user: PostgreSQL refuses to run as root"
        if shutil.which("runuser") is None:
            return "running as root without `runuser` to start PostgreSQL as the postgres user"
    return None


class PrivatePostgres:
    """A cluster in a fresh directory under the system's temporary directory (pytest's are root-only)."""

    def __init__(self):
        self.bin = _pg_bin()
        base_dir = Path(tempfile.mkdtemp(prefix="webcare-pg-"))
        self.dir = base_dir / "pgdata"
        self.socket_dir = base_dir / "pgsock"
        self.port = free_port()
        self._as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> PrivatePostgres:
        for path in (self.dir.parent, self.socket_dir):
            path.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            entry = pwd.getpwnam("postgres")
            os.chmod(self.dir.parent, 0o755)
            for path in (self.dir.parent, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.dir), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        # Tuned for speed, as a server may be: no fsync (an immediate shutdown is no OS crash, the page cache
        # survives) and commits acknowledged before their WAL is written (`synchronous_commit = off`: an
        # immediate shutdown loses the last ~0.6 s of them). Webcare turns synchronous_commit on for its own
        # connections (webcare.db), so its acknowledged commits survive; the scenario checks that.
        with open(self.dir / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.socket_dir}'\nfsync = off\nmax_connections = 200\n"
                       "synchronous_commit = off\nfull_page_writes = off\n")
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir.parent, ignore_errors=True)

