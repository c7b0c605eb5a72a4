"""The JSON API under /api/v1/: Bearer tokens or the UI session, the same scoping as the UI."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from flask_login import current_user

from webcare.auth import bearer_token
from webcare.errors import Unauthorized
from webcare.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    if bearer_token() is None and request.method in UNSAFE_METHODS:
        csrf.protect()  # a browser session must prove it is our own page calling
    return None


@bp.get("/openapi.json")
def openapi():
    from webcare.api.spec import build_openapi

    return jsonify(build_openapi())


def register_api(app: Flask) -> None:
    from webcare.api import privacy, reference, routing, tickets  # noqa: F401  (routes register on import)
    from webcare.api import metrics  # noqa: F401

    app.register_blueprint(bp)
