"""Two-factor login pages: the code step after the password, enrolment, recovery codes, switching off.

After a correct password, a user with 2FA on is not logged in yet: the Flask session holds only the
pending account (for 5 minutes) until `/login/two-factor` accepts a TOTP or recovery code. A user whose
role requires 2FA but who has not enrolled is logged in and sent to `/account/two-factor` by a hook
before every request until enrolled (the API answers 403 to such a session).
"""

from __future__ import annotations

import time

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from webcare.auth import bearer_token, current
from webcare.errors import Conflict, Forbidden, TooManyRequests, Unauthorized, ValidationFailed
from webcare.extensions import db, runtime
from webcare.services import audit, two_factor
from webcare.services import users as user_service
from webcare.web.forms import EmptyForm
from webcare.web.request_origin import origin

bp = Blueprint("two_factor", __name__)
PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 300
OPEN_DURING_ENROLMENT = {"two_factor.account", "two_factor.start", "two_factor.confirm", "auth.logout",
                         "auth.language", "static", "health.healthz", "health.readyz"}



class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])


def begin_second_step(user, next_url: str) -> None:
    """Remember who passed the password step; the code step finishes the login."""
    session.clear()
    session[PENDING_KEY] = {"token": user.session_token, "at": time.time(), "next": next_url}


@bp.route("/login/two-factor", methods=["GET", "POST"])
def verify():
    pending = session.get(PENDING_KEY)
    user = _pending_user(pending)
    if user is None:
        flash(_("Log in again, please."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("two_factor/verify.html", form=form), 400 if request.method == "POST" else 200
    try:
        method = _check_login_code(user, form.code.data)
    except TooManyRequests as exc:
        flash(_("Too many failed attempts. Wait a while and try again."), "error")
        return render_template("two_factor/verify.html", form=form), 429, {"Retry-After": str(exc.retry_after)}
    except Unauthorized:
        db().commit()
        flash(_("That code is not right. Use the code your app shows now, or a recovery code."), "error")
        return render_template("two_factor/verify.html", form=form), 401
    _complete_login(user, method, pending["next"])
    return redirect(pending["next"])


def _pending_user(pending):
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return user_service.user_by_session_token(db(), pending["token"])


def _check_login_code(user, code: str) -> str:
    settings = runtime().settings
    policy = user_service.ThrottlePolicy(settings.login_max_failures, settings.login_window_seconds)
    return two_factor.verify_login(db(), user, code, origin().ip, policy)


def _complete_login(user, method: str, next_url: str) -> None:
    audit.record(db(), user, "login", data={"two_factor": method})
    if method == "recovery":
        audit.record(db(), user, "two_factor.recovery_used", target=("user", user.id),
                     data={"remaining": len(user.recovery_code_hashes)})
        flash(_("You used a recovery code; %(n)s are left. Make new ones on the two-step login page.",
                n=len(user.recovery_code_hashes)), "warning")
    db().commit()
    session.pop(PENDING_KEY, None)
    login_user(user)


@bp.get("/account/two-factor")
@login_required
def account():
    user = current()
    secret = two_factor.pending_secret(db(), user)
    uri = two_factor.provisioning_uri(user, secret) if secret else None
    return render_template(
        "two_factor/account.html", user=user, secret=secret, uri=uri, qr=_qr_code(uri) if uri else None,
        required=two_factor.is_required(user, runtime().settings), form=CodeForm(), empty=EmptyForm(),
        regen_form=CodeForm(prefix="regen"), off_form=CodeForm(prefix="off"),
        codes_left=len(user.recovery_code_hashes),
    )


@bp.post("/account/two-factor/start")
@login_required
def start():
    if EmptyForm().validate_on_submit():
        two_factor.start_enrolment(db(), current())
        db().commit()
    return redirect(url_for("two_factor.account"))


@bp.post("/account/two-factor/confirm")
@login_required
def confirm():
    user = current()
    form = CodeForm()
    if not form.validate_on_submit():
        return redirect(url_for("two_factor.account"))
    try:
        codes = two_factor.confirm_enrolment(db(), user, form.code.data)
    except (ValidationFailed, Conflict) as exc:
        flash(_("That code is not right; check the time on your phone and try again.")
              if isinstance(exc, ValidationFailed) else _("Start the set-up first."), "error")
        return redirect(url_for("two_factor.account"))
    audit.record(db(), user, "two_factor.enabled", target=("user", user.id))
    db().commit()
    login_user(user)  # the session token changed: stay logged in on this device only
    return render_template("two_factor/recovery_codes.html", codes=codes)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def regenerate_codes():
    user = current()
    if not _code_confirmed(user, "regen"):
        return redirect(url_for("two_factor.account"))
    codes = two_factor.new_recovery_codes(user)
    audit.record(db(), user, "two_factor.recovery_codes_regenerated", target=("user", user.id))
    db().commit()
    return render_template("two_factor/recovery_codes.html", codes=codes)


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    user = current()
    if two_factor.is_required(user, runtime().settings):
        flash(_("Two-step login is required for your role and cannot be switched off."), "error")
    elif _code_confirmed(user, "off"):
        two_factor.disable(db(), user, runtime().settings)
        audit.record(db(), user, "two_factor.disabled", target=("user", user.id))
        db().commit()
        login_user(user)
        flash(_("Two-step login is off."), "info")
    return redirect(url_for("two_factor.account"))


def _code_confirmed(user, prefix: str) -> bool:
    form = CodeForm(prefix=prefix)
    if not form.validate_on_submit():
        return False
    try:
        two_factor.verify(db(), user, form.code.data)
    except Unauthorized:
        flash(_("That code is not right."), "error")
        return False
    return True


@bp.before_app_request
def _require_enrolment():
    """Send staff whose role requires 2FA to enrolment until they have enrolled."""
    if request.endpoint in OPEN_DURING_ENROLMENT or bearer_token() is not None:
        return None
    if request.path.startswith("/api/") and "Authorization" in request.headers:
        return None  # credentials presented: the API judges them alone (a header that is no token: its 401)
    if not current_user.is_authenticated or not two_factor.needs_enrolment(current(), runtime().settings):
        return None
    if request.path.startswith("/api/"):
        raise Forbidden("two-factor login is required for this account: enrol on /account/two-factor first")
    flash(_("Your role requires two-step login. Set it up to continue."), "warning")
    return redirect(url_for("two_factor.account"))


def _qr_code(uri: str) -> Markup:
    """The otpauth link as a QR code to scan, inline SVG (served from our own page: nothing external)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, light="#fff", svgclass="qr-code"))
