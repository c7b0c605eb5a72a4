"""CPU time of the processes a benchmark drives, read from /proc: what the work cost, whatever else the
shared machine does meanwhile (throughput alone moves by half between runs here)."""

from __future__ import annotations

import os
import subprocess

from sqlalchemy import text
from sqlalchemy.engine import Engine


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes (a process that is gone counts 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def with_children(pid: int) -> list[int]:
    """A process and its children (a gunicorn master and its workers)."""
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [pid, *(int(p) for p in children.split())]


def postgres_cpu_seconds(engine: Engine) -> float:
    """CPU of the whole PostgreSQL server the engine talks to (0 on SQLite): the postmaster, its live
    children, and the children it has reaped. A pool closes its overflow connections as it goes, and the
    CPU of a backend that has exited is only found in its parent's `cutime`/`cstime`."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with open(f"/proc/{backend}/stat") as stat:
        postmaster = int(stat.read().rsplit(")", 1)[1].split()[1])  # ppid
    with open(f"/proc/{postmaster}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime
    return cpu_seconds(with_children(postmaster)) + reaped


def backend_pids(engine: Engine) -> list[int]:
    """The PostgreSQL backends of the other clients of the engine's database (none on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalars())
