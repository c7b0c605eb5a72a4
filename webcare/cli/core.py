"""Database, users, tokens and configuration commands."""

from __future__ import annotations

import sys

import click

from webcare import migrate
from webcare.cli import Context, emit, fail, handles_errors, main, pass_ctx
from webcare.models.user import ROLES
from webcare.services import audit, demo, seed
from webcare.services import users as user_service


@main.command("init-db")
@pass_ctx
@handles_errors
def init_db(ctx: Context) -> None:
    """Apply the database migrations (alembic upgrade head)."""
    migrate.upgrade(ctx.settings.database_url)
    click.echo("database is up to date", err=True)


@main.command("seed-defaults")
@pass_ctx
@handles_errors
def seed_defaults(ctx: Context) -> None:
    """Add the default departments, categories, routing rules, SLA policy and calendar (idempotent)."""
    with ctx.transaction() as session:
        emit({"added": seed.seed_defaults(session)})


@main.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", "departments", multiple=True, help="Department code; repeat for more.")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
@handles_errors
def create_user(ctx: Context, email: str, role: str, departments: tuple[str, ...], name: str,
                password_stdin: bool) -> None:
    """Add a user. Without --password-stdin the account has no password until one is set."""
    password = _read_password() if password_stdin else None
    with ctx.transaction() as session:
        user = user_service.create_user(session, email, role, password=password, name=name,
                                        department_codes=departments)
        audit.record(session, None, "user.create", target=("user", user.id), data={"role": role})
        emit({"id": user.id, "email": user.email, "role": user.role,
              "departments": sorted(d.code for d in user.departments)})


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input")
    return password


@main.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for.")
@pass_ctx
@handles_errors
def create_token(ctx: Context, email: str, name: str) -> None:
    """Print a new API token for that user (shown once; only its hash is stored)."""
    with ctx.transaction() as session:
        record, token = user_service.create_api_token(session, email, name)
        audit.record(session, None, "token.create", target=("api_token", record.id))
    click.echo(token)


@main.command("list-tokens")
@click.argument("email")
@pass_ctx
@handles_errors
def list_tokens(ctx: Context, email: str) -> None:
    """List a user's API tokens (id, name, prefix, created, last used, revoked); never the tokens themselves."""
    with ctx.transaction() as session:
        emit([{"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": _iso(t.created_at),
               "last_used_at": _iso(t.last_used_at), "revoked_at": _iso(t.revoked_at)}
              for t in user_service.tokens_of(session, user_service.user_by_email(session, email))])


@main.command("revoke-token")
@click.argument("token")
@pass_ctx
@handles_errors
def revoke_token(ctx: Context, token: str) -> None:
    """Revoke an API token, given by its id or its prefix (see list-tokens); it is refused (401) at once."""
    with ctx.transaction() as session:
        record = user_service.revoke_api_token(session, user_service.token_id_for(session, token))
        audit.record(session, None, "token.revoke", target=("api_token", record.id))
        emit({"id": record.id, "prefix": record.prefix, "revoked_at": _iso(record.revoked_at)})


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@main.command("demo")
@pass_ctx
@handles_errors
def demo_data(ctx: Context) -> None:
    """Create the demo users and, the first time, two months of demo history, on top of the defaults."""
    from webcare.demo_history import import_demo_history

    with ctx.transaction() as session:
        seed.seed_defaults(session)
        result = demo.create_demo(session)
    result["history"] = import_demo_history(ctx.transaction)
    emit({**result, "password": demo.DEMO_PASSWORD})


@main.command("check-config")
@pass_ctx
@handles_errors
def check_config(ctx: Context) -> None:
    """Validate the configuration and print it (secrets masked)."""
    settings = ctx.settings
    shown = {key: getattr(settings, key) for key in settings.__dataclass_fields__ if key != "extra"}
    for secret in ("secret_key", "smtp_password", "encryption_keys", "metrics_token"):
        if shown.get(secret):
            shown[secret] = "***"
    emit({"ok": True, "settings": shown})
