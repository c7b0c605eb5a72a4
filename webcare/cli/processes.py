"""Long-running processes: `run` (development all-in-one), `worker` and `scheduler` (production)."""

from __future__ import annotations

import importlib
import sys

import click

from webcare.cli import Context, handles_errors, main, pass_ctx
from webcare.queue import ALL_QUEUES


@main.command("run")
@click.option("--no-demo-feed", is_flag=True, help="Do not start the simulated platform feed.")
@pass_ctx
@handles_errors
def run(ctx: Context, no_demo_feed: bool) -> None:
    """Development all-in-one: migrate, seed, embedded store, web, worker, scheduler and demo feed."""
    from webcare.devrun import Supervisor, prepare_database
    from webcare.services.demo import DEMO_PASSWORD

    settings = ctx.settings
    with_feed = settings.demo_feed and not no_demo_feed and "demo-feed" in main.commands

    def prepare(env: dict[str, str]) -> None:
        if with_feed:
            click.echo("preparing the database (the first time also two months of demo history: a few seconds)")
        result = prepare_database(settings, env, with_history=with_feed)
        if result.get("history"):
            click.echo(f"demo history: {result['history']['tickets']} conversations of the last two months imported")
        click.echo(f"\nWebcare runs at http://{settings.host}:{settings.port}  (Ctrl-C stops everything)")
        click.echo(f"demo logins (password: {DEMO_PASSWORD}):")
        for email, role in result["users"]:
            click.echo(f"  {role:<11} {email}")
        click.echo("")

    sys.exit(Supervisor(settings, with_feed).run(prepare))


@main.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then stop.")
@click.option("--queues", "queues", multiple=True, type=click.Choice(ALL_QUEUES),
              help="Queues to listen on (default: all, most urgent first).")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
@pass_ctx
@handles_errors
def worker(ctx: Context, burst: bool, queues: tuple[str, ...], name: str | None) -> None:
    """Run an rq worker on Webcare's queues."""
    entry = importlib.import_module("workers.__main__")
    sys.exit(entry.run_worker(ctx.settings, queues or ALL_QUEUES, burst=burst, name=name))


@main.command("scheduler")
@pass_ctx
@handles_errors
def scheduler(ctx: Context) -> None:
    """Run the rq CronScheduler that enqueues the periodic jobs (polling, SLA sweep, retention)."""
    entry = importlib.import_module("workers.cron")
    entry.run_scheduler(ctx.settings)
