"""Shared form helpers (Flask-WTF): every form carries a CSRF token."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state (log out, resolve, ...)."""


class TextForm(FlaskForm):
    text = StringField(_l("Text"), validators=[DataRequired(), Length(max=10000)])


def safe_next(default_endpoint: str = "main.home") -> str:
    """The `next` URL if it stays on this site (no scheme, no host, no //), else the default page."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for(default_endpoint)
