"""`webcare metrics rebuild`: recompute every ticket's clocks and metric facts from its events."""

from __future__ import annotations

from datetime import datetime, time

import click

from webcare.cli import Context, emit, fail, handles_errors, main, pass_ctx
from webcare.db import utcnow
from webcare.services import metric_facts
from webcare.services.metrics_rebuild import rebuild_batch


@main.group("metrics")
def metrics_group() -> None:
    """Dashboard figures (docs/METRICS.md)."""


@metrics_group.command("rebuild")
@click.option("--since", help="Only tickets created on or after this local date (YYYY-MM-DD).")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000))
@pass_ctx
@handles_errors
def rebuild(ctx: Context, since: str | None, batch: int) -> None:
    """Replay tickets through the SLA engine, one transaction per batch; print counts as JSON."""
    start = None
    if since:
        try:
            day = datetime.strptime(since, "%Y-%m-%d").date()
        except ValueError:
            fail(f"--since must be a date YYYY-MM-DD, not {since!r}")
        start = datetime.combine(day, time(0), tzinfo=ctx.settings.zone)
    now, last_id, tickets = utcnow(), 0, 0
    while True:
        with ctx.transaction() as session:
            ids = rebuild_batch(session, after_id=last_id, since=start, limit=batch, now=now)
        if not ids:
            break
        last_id, tickets = ids[-1], tickets + len(ids)
    emit({"tickets": tickets, "timezone": metric_facts.zone_for_settings(ctx.settings).key})
