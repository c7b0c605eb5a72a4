"""The JSON API under /api/v1/: Bearer tokens or the UI session, the same scoping as the UI.

A request with an `Authorization` header is authenticated by that header alone (docs/API.md): a header
that fails is 401 even when a logged-in session cookie comes along, and a valid token acts as its own user.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from flask_login import current_user

from webcare.auth import authenticate_by_header, bearer_token
from webcare.errors import Unauthorized
from webcare.extensions import runtime
from webcare.passwords import hash_token
from webcare.runtime import RedisNotConfigured
from webcare.security import csrf
from webcare.services import throttle

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def _authenticate():
    settings, redis = runtime().settings, _redis()
    throttle.hit(redis, f"ip:{request.remote_addr or '-'}", settings.api_rate_limit_per_ip_per_minute)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = None
    if "Authorization" in request.headers:  # credentials presented: they alone decide, not the session cookie
        authenticate_by_header()
        token = bearer_token()
    elif not current_user.is_authenticated:
        raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    caller = f"token:{hash_token(token)[:32]}" if token else f"user:{current_user.id}"
    throttle.hit(redis, caller, settings.api_rate_limit_per_minute)
    if token is None and request.method in UNSAFE_METHODS:
        csrf.protect()  # a browser session must prove it is our own page calling
    return None


def json_body():
    """The request's JSON body; None when there is none (an empty body: the schema names what is missing). A body
    sent as another type (`curl -d` sends a form) is a 400 saying to send JSON
    (`security.WebcareRequest.on_json_loading_failed`), not a list of fields that seem to be missing."""
    if request.is_json:
        return request.get_json() if request.get_data(cache=True) else None
    if request.content_length or request.get_data(cache=True):
        return request.get_json()  # not JSON: raises
    return None


def _redis():
    try:
        return runtime().redis
    except RedisNotConfigured:
        return None


@bp.get("/openapi.json")
def openapi():
    from webcare.api.spec import build_openapi

    return jsonify(build_openapi())


def register_api(app: Flask) -> None:
    from webcare.api import (  # noqa: F401  (routes register on import)
        metrics,
        privacy,
        reference,
        routing,
        tickets,
    )

    app.register_blueprint(bp)
