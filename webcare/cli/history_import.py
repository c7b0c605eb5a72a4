"""`webcare import FILE.ndjson`: replay historic conversations through the live services (docs/API.md)."""

from __future__ import annotations

import click

from webcare.cli import EXIT_FAILURE, Context, emit, fail, handles_errors, main, pass_ctx
from webcare.services import history_import
from webcare.services.import_retry import ImportCollided


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@pass_ctx
@handles_errors
def import_history(ctx: Context, path: str) -> None:
    """Check every line, then apply the new ones in time order; print counts as JSON (docs/API.md).

    A bad line found by the checks before anything is applied (not UTF-8, not JSON, a wrong shape, out of
    time order, or naming an unknown channel, person or department): exit 2 with its number and nothing
    imported. A line the services refuse while applying (a move the workflow does not allow, a thread without
    a message): exit 2 with its number; the lines before it are imported, nothing of it is. Importing again is
    safe: lines imported before or repeated in the file, and messages the channel has already, are skipped
    (one with other content is a warning on stderr, counted in "conflicts")."""
    with click.open_file(path, "rb") as handle:  # decoded line by line: a line that is not UTF-8 is named
        lines = history_import.parse(handle)
    try:
        emit(history_import.import_lines(ctx.transaction, lines, _warn))
    except ImportCollided as exc:  # another import or ingest kept storing the same lines: not bad input
        fail(exc.message, code=EXIT_FAILURE)


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)  # a refused line: exit 2 (handles_errors)
