"""Outgoing e-mail over SMTP (settings `smtp_*`), and translations for text made outside a request.

Only `workers.mail` sends (after commit, outside any transaction); services never talk SMTP.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from webcare.config import Settings
from webcare.i18n import N_

FOOTER = N_("You receive this message because Webcare notifies you of tickets you work on.")
OPEN_TICKET = N_("Open the ticket: %(url)s")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@lru_cache(maxsize=8)
def translations_for(language: str) -> NullTranslations:
    """The catalog of `language` (English text when there is none)."""
    return Translations.load(str(TRANSLATIONS), [language])


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send_all(settings: Settings, mails: Iterable[Mail]) -> int:
    """Send over one SMTP connection; raises OSError or smtplib.SMTPException when that fails."""
    mails = list(mails)
    if not mails:
        return 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        for mail in mails:
            message = EmailMessage()
            message["From"] = settings.smtp_from
            message["To"] = mail.to
            message["Subject"] = mail.subject
            message.set_content(mail.body)
            smtp.send_message(message)
    return len(mails)
