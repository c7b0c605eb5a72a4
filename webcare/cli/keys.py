"""Encryption keys for secrets at rest: generate a key, re-encrypt stored secrets after a rotation."""

from __future__ import annotations

import click

from webcare.cli import Context, emit, handles_errors, main, pass_ctx
from webcare.crypto import new_key
from webcare.services import audit
from webcare.services.keys import rotate_secrets


@main.group("keys")
def keys() -> None:
    """Encryption keys for platform credentials and TOTP secrets."""


@keys.command("new")
def keys_new() -> None:
    """Print a new Fernet key (put it first in encryption_keys, keep the old ones after it)."""
    click.echo(new_key())


@keys.command("rotate")
@pass_ctx
@handles_errors
def keys_rotate(ctx: Context) -> None:
    """Re-encrypt every stored secret with the first key of encryption_keys (then drop the old keys)."""
    with ctx.transaction() as session:
        counts = rotate_secrets(session, ctx.runtime.secrets)
        audit.record(session, None, "keys.rotate", data=counts)
    emit({"rotated": counts})
