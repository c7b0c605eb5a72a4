"""Log in, log out and choose the interface language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from webcare.errors import TooManyRequests, Unauthorized
from webcare.extensions import db, runtime
from webcare.i18n import LANGUAGE_COOKIE, LANGUAGES
from webcare.services import audit
from webcare.services import users as user_service
from webcare.web import two_factor as two_factor_views
from webcare.web.forms import EmptyForm, LoginForm, safe_next
from webcare.web.request_origin import origin

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200
    session_db = db()
    try:
        user = user_service.authenticate(session_db, form.email.data, form.password.data, origin().ip,
                                         _throttle_policy())
    except TooManyRequests as exc:
        session_db.commit()
        flash(_("Too many failed attempts. Wait a while and try again."), "error")
        response = make_response(render_template("auth/login.html", form=form), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Unauthorized:
        session_db.commit()
        flash(_("Unknown e-mail address or wrong password."), "error")
        return render_template("auth/login.html", form=form), 401
    if user.totp_enabled:  # the password was right; the code step (web/two_factor.py) finishes the login
        session_db.commit()
        two_factor_views.begin_second_step(user, safe_next())
        return redirect(url_for("two_factor.verify"))
    audit.record(session_db, user, "login", origin())
    session_db.commit()
    session.clear()  # no session fixation: a fresh session after login
    login_user(user)
    return redirect(safe_next())


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit() and current_user.is_authenticated:
        user = current_user._get_current_object()
        audit.record(db(), user, "logout")
        user_service.end_sessions(user)  # a copy of the old cookie is worthless from now on
        db().commit()
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language/<code>")
def language(code: str):
    response = redirect(_fetchable(safe_next()))
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=runtime().settings.cookie_secure)
    return response


def _fetchable(target: str) -> str:
    """The page to show again in the new language: `target` if it can be fetched, else the nearest page above it
    that can (a page shown in answer to a POST, such as a held reply at /tickets/7/reply, is at /tickets/7),
    else the home page."""
    adapter = current_app.create_url_adapter(request)
    path = urlsplit(target).path
    while path:
        try:
            adapter.match(path, method="GET")
        except RequestRedirect:
            pass  # e.g. a missing trailing slash: fetchable after the redirect
        except MethodNotAllowed:
            path = path.rsplit("/", 1)[0]
            continue
        except HTTPException:
            pass  # not found: shown as such, in the new language
        return target if path == urlsplit(target).path else path
    return url_for("main.home")


def _throttle_policy() -> user_service.ThrottlePolicy:
    settings = runtime().settings
    return user_service.ThrottlePolicy(settings.login_max_failures, settings.login_window_seconds)
