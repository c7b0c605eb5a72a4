"""The runtime of a worker process and `job_context()`: one session and one transaction per job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from webcare.config import load_settings
from webcare.runtime import Runtime, build_runtime

_runtime: Runtime | None = None


def configure(runtime: Runtime) -> None:
    """Set the process's runtime (the worker entry point and tests call this once)."""
    global _runtime
    _runtime = runtime


def get_runtime() -> Runtime:
    """The configured runtime; a process that never configured one builds it from the environment."""
    global _runtime
    if _runtime is None:
        _runtime = build_runtime(load_settings())
    return _runtime


@contextmanager
def job_context() -> Iterator[Session]:
    """Exactly one session and one transaction: commit on success, roll back and re-raise on error."""
    with get_runtime().transaction() as session:
        yield session
