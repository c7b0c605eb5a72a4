"""Error pages in the user's language, and JSON errors for /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webcare.errors import DomainError, TooManyRequests, error_body
from webcare.security import machine_request
from webcare.web.errors_text import page_message

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _domain_error(exc: DomainError):
    body, status = (jsonify(exc.to_dict()), exc.status) if machine_request() else _page(exc.status, page_message(exc))
    response = make_response(body, status)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _csrf_error(exc: CSRFError):
    message = _("The form has expired or was sent from elsewhere. Reload the page and try again.")
    if machine_request():
        return jsonify(error_body("csrf", exc.description)), 400
    return _page(400, message)


def _http_error(exc: HTTPException):
    if machine_request():
        return jsonify(error_body((exc.name or "error").lower().replace(" ", "_"), exc.description or exc.name)), exc.code
    return _page(exc.code or 500, None)


def _unexpected_error(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    if machine_request():
        return jsonify(error_body("server_error", "internal server error")), 500
    return _page(500, None)


def _page(status: int, message: str | None):
    titles = {
        400: _("Something in the request was not right"),
        401: _("Please log in"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not possible here"),
        409: _("This is not possible right now"),
        413: _("What you sent is too large"),
        422: _("This cannot be processed"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
    }
    title = titles.get(status, _("Something went wrong"))
    return render_template("errors/error.html", status=status, title=title, message=message), status
