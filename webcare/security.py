"""HTTP security: CSRF on every form (Flask-WTF), security headers and a strict Content-Security-Policy, and
requests with text no database can store (NUL, lone surrogates; see `webcare.storable`) refused with 400."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect

from webcare.errors import ValidationFailed
from webcare.storable import is_storable

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_security(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_unstorable_text)
    app.after_request(_security_headers)


def _refuse_unstorable_text() -> None:
    """Query, form and JSON text with NUL or a lone surrogate: 400 here instead of a database error (500).
    Webhook bodies are stored as bytes and parsed later; their parsers repair such text."""
    if request.blueprint == "webhooks":
        return
    values = list(request.args.items(multi=True))
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype == "multipart/form-data":
        values += list(request.form.items(multi=True))
    body = request.get_json(silent=True) if request.is_json else None
    if not (is_storable(values) and is_storable(body)):
        raise ValidationFailed(_("The request contains a character that cannot be stored (NUL or an unpaired surrogate)."))


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Cache-Control", "no-store")
    return response
