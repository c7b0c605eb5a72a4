"""Privacy and safety commands: scan a text, run retention, a citizen's export and erasure, 2FA reset.

Everything that touches personal data is logged in the audit log with origin "cli".
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from webcare import privacy
from webcare.cli import Context, emit, fail, handles_errors, main, pass_ctx
from webcare.db import utcnow
from webcare.errors import NotFound
from webcare.models import User
from webcare.services import audit, retention, subject_rights, two_factor
from webcare.services import users as user_service
from webcare.services.privacy_guard import findings_json


@main.group("privacy")
def privacy_group() -> None:
    """Personal data: detection, retention, citizens' export and erasure."""


@privacy_group.command("scan")
@click.option("--text", "text", help="The text to scan.")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the text from standard input.")
def scan(text: str | None, from_stdin: bool) -> None:
    """List the personal data found in a text (JSON): kind, text, start, end."""
    if (text is None) == (not from_stdin):
        fail("give either --text TEXT or --stdin" if from_stdin else "give --text TEXT or --stdin")
    if from_stdin:
        text = sys.stdin.read()
    emit(findings_json(privacy.scan(text)))


@privacy_group.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised now.")
@pass_ctx
@handles_errors
def run_retention(ctx: Context, dry_run: bool) -> None:
    """Anonymise closed tickets past their retention term now (the nightly job does the same)."""
    if dry_run:
        with ctx.transaction() as session:
            found = retention.expired_ticket_ids(session, ctx.settings, utcnow(), limit=1_000_000)
        emit({"dry_run": True, "tickets": sum(len(ids) for ids in found.values()),
              "by_term_days": {term: len(ids) for term, ids in sorted(found.items())}})
        return
    emit(retention.run_until_done(ctx.runtime.transaction, ctx.settings).as_dict())


@privacy_group.command("export-contact")
@click.argument("contact_id", type=int)
@pass_ctx
@handles_errors
def export_contact(ctx: Context, contact_id: int) -> None:
    """Print all data about one contact as JSON (a citizen's request for access; logged)."""
    with ctx.transaction() as session:
        contact = subject_rights.get_contact(session, contact_id)
        emit(subject_rights.export_contact(session, contact, None, "json"))


@privacy_group.command("erase-contact")
@click.argument("contact_id", type=int)
@click.option("--reason", required=True, help="Why (for example the request's reference); logged.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
@handles_errors
def erase_contact(ctx: Context, contact_id: int, reason: str, yes: bool) -> None:
    """Anonymise everything about one contact (threat tickets are kept as evidence); logged."""
    if not yes:
        click.confirm(f"Erase all personal data of contact {contact_id}? This cannot be undone", abort=True)
    with ctx.transaction() as session:
        contact = subject_rights.get_contact(session, contact_id)
        emit(subject_rights.erase_contact(session, contact, None, reason))


@main.group("two-factor")
def two_factor_group() -> None:
    """Two-factor login of staff accounts."""


@two_factor_group.command("reset")
@click.argument("email")
@pass_ctx
@handles_errors
def reset_two_factor(ctx: Context, email: str) -> None:
    """Switch a user's two-factor login off (lost phone and codes); they enrol again at the next login."""
    with ctx.transaction() as session:
        user = session.scalar(select(User).where(User.email == user_service.email_key(email)))
        if user is None:
            raise NotFound(f"no user with e-mail {email}")
        two_factor.reset(user)
        audit.record(session, None, "two_factor.reset", target=("user", user.id), data={"email": user.email})
        emit({"email": user.email, "two_factor": False,
              "required": two_factor.is_required(user, ctx.settings)})
