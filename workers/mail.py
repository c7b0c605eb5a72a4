"""E-mail for notifications: claim the rows, send outside the transaction, release them on failure."""

from __future__ import annotations

import logging
import smtplib

from webcare import mailer
from webcare.services import notifications
from workers.context import get_runtime, job_context

log = logging.getLogger(__name__)


def send_notification_emails(notification_ids: list[int]) -> int:
    """Send one e-mail per notification not e-mailed yet; safe to run twice (claims are atomic)."""
    settings = get_runtime().settings
    if not settings.smtp_host:
        return 0
    with job_context() as session:
        claimed = notifications.claim_for_email(session, list(notification_ids))
        mails = [_mail(settings, note, user) for note, user in claimed]
        ids = [note.id for note, _ in claimed]
    try:
        sent = mailer.send_all(settings, mails)
    except (OSError, smtplib.SMTPException):
        with job_context() as session:
            notifications.release_email(session, ids)
        raise
    log.info("sent %d notification e-mail(s)", sent)
    return sent


def _mail(settings, note, user) -> mailer.Mail:
    translate = mailer.translations_for(user.language or settings.language).gettext
    lines = [note.text, ""]
    if note.ticket_id:
        lines += [translate(mailer.OPEN_TICKET) % {"url": f"{settings.base_url.rstrip('/')}/tickets/{note.ticket_id}"}, ""]
    lines.append(translate(mailer.FOOTER))
    return mailer.Mail(to=user.email, subject=f"Webcare: {note.text}", body="\n".join(lines))
