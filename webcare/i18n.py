"""Translations: Dutch by default, English available (Flask-Babel). Messages in code are English."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_login import current_user

babel = Babel()
LANGUAGE_COOKIE = "webcare_lang"
LANGUAGES = {"nl": "Nederlands", "en": "English"}


def N_(message: str) -> str:
    """Mark a string for translation where it is translated later (extracted with `-k N_`)."""
    return message


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["WEBCARE_TIMEZONE"])


def select_locale() -> str:
    from flask import current_app

    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]
