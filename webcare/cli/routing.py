"""`webcare route` (the routing simulator) and `webcare rules` (list the rule set)."""

from __future__ import annotations

from datetime import datetime

import click

from webcare.cli import Context, emit, fail, handles_errors, main, pass_ctx
from webcare.models.channel import PLATFORMS
from webcare.services import routing
from webcare.services.routing.rules import list_rules, snapshot


@main.command("route")
@click.option("--text", required=True, help="The message text.")
@click.option("--platform", type=click.Choice(PLATFORMS), default="x", show_default=True)
@click.option("--kind", type=click.Choice(("mention", "comment", "dm")), default="mention", show_default=True)
@click.option("--visibility", type=click.Choice(("public", "private")), help="Default: private for dm, else public.")
@click.option("--author", default="", help="The author's handle.")
@click.option("--language", default=None, help="Language code of the message, e.g. nl or en.")
@click.option("--at", "at_text", default=None, help="When it was sent, ISO 8601 with offset (default: now).")
@pass_ctx
@handles_errors
def route(ctx: Context, text: str, platform: str, kind: str, visibility: str | None, author: str,
          language: str | None, at_text: str | None) -> None:
    """Show which rule, category, department, priority and labels a message would get (JSON)."""
    if not text.strip():
        fail("--text is empty")
    item = routing.RouteInput(text=text, platform=platform, kind=kind,
                              visibility=visibility or ("private" if kind == "dm" else "public"),
                              author=author, language=language, at=_parse_at(at_text))
    with ctx.transaction() as session:
        emit(routing.decide(session, item).to_dict())


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at: not an ISO 8601 time: {value!r}")
    if at.tzinfo is None:
        fail("--at: give a time with an offset, e.g. 2026-11-22T09:30:00+01:00")
    return at


@main.group("rules")
def rules_group() -> None:
    """Routing rules."""


@rules_group.command("list")
@pass_ctx
@handles_errors
def rules_list(ctx: Context) -> None:
    """Print all routing rules in order (JSON)."""
    with ctx.transaction() as session:
        emit([snapshot(rule) for rule in list_rules(session)])
