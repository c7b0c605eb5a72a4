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
