"""Authentication and authorisation at the edge: flask-login sessions, Bearer API tokens, role checks.

Department scoping of tickets is not decided here but in `services.access`, so every query path
applies it; this module only answers "who is asking" and "may this role use this page".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, request
from flask_babel import gettext
from flask_login import LoginManager, current_user

from webcare.errors import Unauthorized
from webcare.extensions import db
from webcare.i18n import N_
from webcare.models import User
from webcare.services import users as user_service

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.localize_callback = gettext


@login_manager.user_loader
def _load_user(session_token: str) -> User | None:
    return user_service.user_by_session_token(db(), session_token)


@login_manager.request_loader
def _load_user_from_bearer(req) -> User | None:
    token = bearer_token(req)
    if token is None:
        return None
    return user_service.user_for_token(db(), token)


def bearer_token(req=None) -> str | None:
    header = (req or request).headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def authenticate_by_header() -> User:
    """Make the user of the request's `Authorization: Bearer <token>` header this request's user, whatever
    session cookie came along: a client that presents credentials is judged on them alone.

    Unauthorized (and no user for the request, so nothing is logged under the session's user) when the
    header is not `Bearer <token>` or the token is unknown, revoked or of a deactivated user. The session
    itself is left as it is: the browser stays logged in as whoever it was.
    """
    token = bearer_token()
    user = None if token is None else user_service.user_for_token(db(), token)
    # flask-login's own way to set the request's user (what its request_loader result goes through);
    # public API would be login_user(), which would also log the browser's session in as the token's user
    login_manager._update_request_context_with_user(user)
    if token is None:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    if user is None:
        raise Unauthorized("invalid API token: unknown, revoked or of a deactivated user")
    return user


def roles_required(*roles: str) -> Callable:
    """Allow only authenticated users with one of `roles` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current() -> User:
    """The logged-in user as our model (for type checkers and services)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]
