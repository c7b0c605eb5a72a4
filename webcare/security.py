"""HTTP security: CSRF on every form (Flask-WTF), security headers and a strict Content-Security-Policy, and
requests refused with 400 before any handler sees them: a JSON body that is not valid JSON or nests too deep
(`webcare.json_provider.MAX_DEPTH`), and text no database can store (NUL, lone surrogates; see
`webcare.storable`)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect

from webcare.errors import ValidationFailed
from webcare.i18n import N_
from webcare.json_provider import MAX_DEPTH, TooDeep
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


UNSTORABLE_TEXT = N_("The request contains a character that cannot be stored (NUL or an unpaired surrogate).")


class WebcareRequest(Request):
    """Flask's request; a JSON body that cannot be parsed is a 400 in our error shape (`ValidationFailed`)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            raise ValidationFailed("send the body as JSON (Content-Type: application/json)")
        if isinstance(e, TooDeep):
            message = f"the JSON body nests deeper than {MAX_DEPTH} levels"
            raise ValidationFailed(message, fields={e.key: [message]} if e.key else None)
        raise ValidationFailed(f"body is not valid JSON: {e}")


def init_security(app: Flask) -> None:
    app.request_class = WebcareRequest
    csrf.init_app(app)
    app.before_request(_refuse_unstorable_text)
    app.after_request(_security_headers)


def machine_request() -> bool:
    """Whether a machine calls (the API, webhooks): it is answered in JSON and in English."""
    return request.path.startswith(("/api/", "/webhooks/"))


def _refuse_unstorable_text() -> None:
    """Query, form and JSON text with NUL or a lone surrogate: 400 here instead of a database error (500).
    The JSON body is parsed here, once (handlers get it from the request's cache): a body that is no valid
    JSON is refused here for every endpoint. Webhook bodies are stored as bytes and parsed later; their
    parsers repair such text."""
    if request.blueprint == "webhooks":
        return
    values = list(request.args.items(multi=True))
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype == "multipart/form-data":
        values += list(request.form.items(multi=True))
    body = request.get_json() if request.is_json and request.get_data(cache=True) else None
    if not (is_storable(values) and is_storable(body)):
        raise ValidationFailed(UNSTORABLE_TEXT if machine_request() else _(UNSTORABLE_TEXT))


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
