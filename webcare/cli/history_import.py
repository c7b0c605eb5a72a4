"""`webcare import FILE.ndjson`: replay historic conversations through the live services (docs/API.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from webcare.cli import Context, emit, fail, handles_errors, main, pass_ctx
from webcare.db import utcnow
from webcare.models import Ticket
from webcare.services import history_import, sla
from webcare.services.history_import import Importer, Line, LineError, ReplayBroker

CHUNK = 200  # lines per transaction; each line in its own savepoint


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@pass_ctx
@handles_errors
def import_history(ctx: Context, path: str) -> None:
    """Check every line, then apply the new ones in time order; print counts as JSON. A bad line exits 2
    with its number: the lines before it are imported, nothing of it is; importing again skips what is done."""
    with click.open_file(path, encoding="utf-8") as handle:
        lines = history_import.parse(handle)
    broker = ReplayBroker()
    with _transaction(ctx, broker) as session:
        importer = Importer(session, broker)
        importer.check_references(lines)
        done = history_import.already_imported(session, lines)
    todo = [line for line in lines if line.key not in done]
    _apply(ctx, importer, todo)
    with _transaction(ctx, broker) as session:  # the clocks as they stand now, after the replayed past
        for ticket_id in sorted(importer.touched):
            sla.recompute(session, session.get(Ticket, ticket_id), utcnow())
    emit({"lines": len(lines), "skipped": len(lines) - len(todo), "imported": dict(importer.applied),
          "tickets": len(importer.touched), "not_sent": dict(broker.dropped)})


@contextmanager
def _transaction(ctx: Context, broker: ReplayBroker) -> Iterator[Session]:
    with ctx.transaction() as session:
        session.info["broker"] = broker  # no job, no realtime event for the past
        session.info["replaying_history"] = True  # and no automatic acknowledgement (routing)
        yield session


def _apply(ctx: Context, importer: Importer, todo: list[Line]) -> None:
    """A transaction per chunk, a savepoint per line; stop at the first line a service refuses."""
    for start in range(0, len(todo), CHUNK):
        failed: LineError | None = None
        with _transaction(ctx, importer.broker) as session:
            importer.session = session
            for line in todo[start:start + CHUNK]:
                try:
                    with session.begin_nested():
                        importer.apply(line)
                except LineError as exc:
                    failed = exc
                    break
        if failed is not None:  # the chunk's lines before it are committed above; nothing of this one
            fail(f"{failed.message} (the {sum(importer.applied.values())} lines before it were imported)")
