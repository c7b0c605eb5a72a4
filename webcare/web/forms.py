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


def form_status(form: FlaskForm) -> int:
    """The status of a page that shows `form`: 400 when the form was sent and is shown again (its checks or the
    service refused it, the errors at the fields), 200 when it is only being shown (GET). Every admin form
    answers a refusal this way, so a script or a test can tell a refused save from a page view."""
    return 400 if form.is_submitted() else 200


def safe_next(default_endpoint: str = "main.home") -> str:
    """The `next` URL if it stays on this site (no scheme, no host, no //), else the default page."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for(default_endpoint)
