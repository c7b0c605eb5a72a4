"""`webcare demo-feed`: the simulated Mastodon server with citizens writing in (started by `webcare run`)."""

from __future__ import annotations

import signal
import threading

import click

from webcare.cli import Context, handles_errors, main, pass_ctx


@main.command("demo-feed")
@click.option("--interval", type=float, default=None, help="Seconds between messages (default: the setting).")
@pass_ctx
@handles_errors
def demo_feed(ctx: Context, interval: float | None) -> None:
    """Run a local Mastodon-compatible server and post the Dutch demo corpus to @gemeente until stopped."""
    from webcare.demo_feed import run_feed

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    run_feed(ctx.runtime, stop, interval=interval or ctx.settings.demo_feed_interval_seconds,
             echo=lambda text: click.echo(text, err=True))
