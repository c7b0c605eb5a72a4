"""Channel commands: `webcare channels add|list|test` and `webcare poll CHANNEL_ID`."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from webcare import platforms
from webcare.cli import EXIT_FAILURE, Context, emit, fail, handles_errors, main, pass_ctx
from webcare.models.channel import PLATFORMS
from webcare.platforms.errors import PlatformError
from webcare.runtime import RedisNotConfigured
from webcare.services import audit, channels, polling, webhooks


@main.group("channels")
def channels_group() -> None:
    """Manage the platform accounts Webcare reads and answers."""


@channels_group.command("add")
@click.option("--platform", required=True, type=click.Choice(PLATFORMS))
@click.option("--name", required=True, help="A name people recognise, e.g. 'Mastodon gemeente'.")
@click.option("--base-url", default=None, help="The server, e.g. https://social.voorbeeldstad.nl (Mastodon); "
              "empty for X and bsky.social.")
@click.option("--handle", default="", help="The account's handle, e.g. @gemeente (filled in by `test`); "
              "for Bluesky the login handle, e.g. voorbeeldstad.nl (required).")
@click.option("--account-id", default="", help="LinkedIn: the organisation (urn:li:organization:<id> or the "
              "number); TikTok: the business account id (open_id).")
@click.option("--poll-interval", default=60, show_default=True, type=int, help="Seconds between polls.")
@click.option("--token-stdin", is_flag=True, help="Read the access token from standard input (required). "
              "Bluesky: the app password. X: the token, or the token endpoint's JSON answer plus "
              '"client_id" (and "client_secret") so Webcare renews it; LinkedIn and TikTok alike (with "client_id" '
              'and "client_secret"). Facebook/Instagram: the Page access token, and the Meta app secret on the '
              "second line.")
@click.option("--page-id", default="", help="Facebook/Instagram: the Facebook Page ID (required).")
@click.option("--ig-user-id", default="", help="Instagram: the Instagram professional account ID (required).")
@click.option("--verify-token", default="", help="Facebook/Instagram: the webhook verify token (made up when empty).")
@pass_ctx
@handles_errors
def add(ctx: Context, platform: str, name: str, base_url: str | None, handle: str, account_id: str,
        poll_interval: int, token_stdin: bool, page_id: str, ig_user_id: str, verify_token: str) -> None:
    """Add a channel. The token is stored encrypted and never shown again."""
    if not token_stdin:
        fail("give the access token on standard input with --token-stdin (never on the command line)")
    token = sys.stdin.readline().strip()
    extra = {"account_id": account_id, "page_id": page_id, "ig_user_id": ig_user_id, "verify_token": verify_token}
    if platform in ("facebook", "instagram"):
        extra["app_secret"] = sys.stdin.readline().strip()
    with ctx.transaction() as session:
        channel = channels.create_channel(session, platform=platform, name=name, base_url=base_url, handle=handle,
                                          token=token, poll_interval_seconds=poll_interval, extra=extra)
        audit.record(session, None, "channel.create", target=("channel", channel.id), data={"platform": platform})
        setup = webhooks.setup_for(session, channel)
        emit({**_describe(channel), **({"webhook": setup} if setup else {})})


@channels_group.command("list")
@pass_ctx
@handles_errors
def list_channels(ctx: Context) -> None:
    """All channels with their health."""
    with ctx.transaction() as session:
        rows = channels.health(session)
        pushed = webhooks.health(session, ctx.runtime.redis_or_none(), [h.channel for h in rows])
        emit([{**_describe(h.channel), "state": h.state, "messages_24h": h.messages_24h,
               "webhooks": pushed[h.channel.id].as_dict() if h.channel.id in pushed else None} for h in rows])


@channels_group.command("test")
@click.argument("channel_id", type=int)
@pass_ctx
@handles_errors
def test(ctx: Context, channel_id: int) -> None:
    """Check the channel's credentials on the platform (exit 1 when the platform refuses)."""
    result = channels.run_connection_test(ctx.runtime.transaction, channel_id)
    emit(result)
    if not result["ok"]:
        fail(f"the platform refused or could not be reached: {result['error']}", code=EXIT_FAILURE)


@main.command("poll")
@click.argument("channel_id", type=int)
@pass_ctx
@handles_errors
def poll(ctx: Context, channel_id: int) -> None:
    """Poll one channel now, enqueue what it finds, print counts as JSON."""
    try:
        outcome = polling.poll_channel(ctx.runtime, channel_id)
    except RedisNotConfigured as exc:
        fail(str(exc))
    except PlatformError as exc:
        emit({"channel_id": channel_id, "status": "error", "error": str(exc)})
        fail(f"channel {channel_id}: {exc}", code=EXIT_FAILURE)
    emit(asdict(outcome))
    if outcome.status not in ("ok", "busy"):
        fail(f"channel {channel_id}: {outcome.error or outcome.status}", code=EXIT_FAILURE)


def _describe(channel) -> dict:
    return {"id": channel.id, "platform": channel.platform, "name": channel.name, "handle": channel.handle,
            "base_url": channel.base_url, "enabled": channel.enabled,
            "poll_interval_seconds": channel.poll_interval_seconds, "last_polled_at": channel.last_polled_at,
            "last_success_at": channel.last_success_at, "last_error": channel.last_error,
            "last_error_kind": channel.last_error_kind,
            "rate_limited_until": channel.rate_limited_until, "needs_reauth": channel.needs_reauth,
            "has_adapter": channel.platform in platforms.supported_platforms()}
