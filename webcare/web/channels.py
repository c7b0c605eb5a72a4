"""Admin pages for channels: list with health, add, edit, pause/resume, test the connection, poll now."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import IntegerField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webcare import platforms
from webcare.auth import current, roles_required
from webcare.errors import DomainError
from webcare.extensions import db, runtime
from webcare.i18n import N_
from webcare.services import audit, channels, polling, webhooks
from webcare.web.admin_forms import show_refusal
from webcare.web.forms import EmptyForm, FlaskForm, form_status
from webcare.web.nav import add_nav
from webcare.web.request_origin import origin
from webcare.web.templating import local_time
from webcare.web.ticket_format import PLATFORM_LABELS

bp = Blueprint("channels", __name__, url_prefix="/admin/channels")
add_nav("channels.index", _l("Channels"), "admin")

FAILURE_TEXTS = {  # by the platform error's class (services.channels.run_connection_test's "kind")
    "TransientError": N_("The platform cannot be reached at %(host)s."),
    "RateLimited": N_("The platform at %(host)s accepts no requests from us for a while. Try again later."),
    "NeedsReauth": N_("The platform at %(host)s no longer accepts the token. Connect the channel again."),
    "PermanentError": N_("The platform at %(host)s refused the connection."),
}
FAILURE_OTHER = N_("The connection test with %(host)s failed.")
STATE_LABELS = {"ok": _l("OK"), "paused": _l("Paused"), "needs_reauth": _l("Needs re-authorisation"),
                "rate_limited": _l("Rate limited"), "error": _l("Error"), "never_polled": _l("Not polled yet")}
# What a refused webhook call means, by its HTTP status (services.webhook_health)
REFUSAL_MEANINGS = {403: _l("The signature or the verify token does not match the channel's app secret."),
                    400: _l("A signed call that held no notification.")}
# What the last error means (Channel.last_error_kind); the platform's own words are shown beside it.
ERROR_MEANINGS = {
    "transient": _l("The platform could not be reached for a moment; Webcare tries again by itself."),
    "rate_limited": _l("The platform asked us to wait; Webcare goes on by itself when it may."),
    "needs_reauth": _l("The platform no longer accepts the access token: enter a new one via Edit."),
    "permanent": _l("The platform refused the request; trying the same again will not help."),
}


class ChannelForm(FlaskForm):
    platform = SelectField(_l("Platform"), choices=[SelectChoice(p, PLATFORM_LABELS.get(p, p.capitalize()))
                                                    for p in platforms.supported_platforms()], default="mastodon")
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    base_url = StringField(_l("Server address"), validators=[Optional(), Length(max=1024)])
    handle = StringField(_l("Account handle"), validators=[Optional(), Length(max=255)])
    poll_interval_seconds = IntegerField(_l("Poll every (seconds)"), default=60,
                                         validators=[NumberRange(channels.MIN_POLL_SECONDS, channels.MAX_POLL_SECONDS)])
    token = PasswordField(_l("Access token"), validators=[Optional(), Length(max=4096)])
    # X: OAuth 2.0 user-context token renewal (optional; never shown again)
    x_refresh_token = PasswordField(_l("X refresh token"), validators=[Optional(), Length(max=4096)])
    x_client_id = StringField(_l("X OAuth 2.0 client ID"), validators=[Optional(), Length(max=255)])
    x_client_secret = PasswordField(_l("X client secret"), validators=[Optional(), Length(max=4096)])
    # LinkedIn and TikTok: the account the token acts for, and the token renewal (optional)
    account_id = StringField(_l("LinkedIn organisation or TikTok business account ID"),
                             validators=[Optional(), Length(max=255)])
    oauth_refresh_token = PasswordField(_l("Refresh token"), validators=[Optional(), Length(max=4096)])
    oauth_client_id = StringField(_l("App client ID"), validators=[Optional(), Length(max=255)])
    oauth_client_secret = PasswordField(_l("App client secret"), validators=[Optional(), Length(max=4096)])
    # Facebook / Instagram (Meta): the Page token is the access token above
    meta_page_id = StringField(_l("Facebook Page ID"), validators=[Optional(), Length(max=64)])
    meta_ig_user_id = StringField(_l("Instagram account ID"), validators=[Optional(), Length(max=64)])
    meta_app_secret = PasswordField(_l("Meta app secret"), validators=[Optional(), Length(max=255)])
    meta_verify_token = StringField(_l("Webhook verify token"), validators=[Optional(), Length(max=255)])


def platform_credentials(form: ChannelForm, platform: str) -> dict[str, str]:
    """The platform's extra fields of the form (account, token renewal), for `channels.create_channel(extra=...)`."""
    if platform in ("facebook", "instagram"):
        return meta_credentials(form)
    if platform in ("linkedin", "tiktok"):
        return {"account_id": form.account_id.data or "", "refresh_token": form.oauth_refresh_token.data or "",
                "client_id": form.oauth_client_id.data or "", "client_secret": form.oauth_client_secret.data or ""}
    return {"refresh_token": form.x_refresh_token.data or "", "client_id": form.x_client_id.data or "",
            "client_secret": form.x_client_secret.data or ""}


def meta_credentials(form: ChannelForm) -> dict[str, str]:
    """The Meta fields of the form (empty ones keep what is stored), for `extra=...`."""
    return {"page_id": form.meta_page_id.data or "", "ig_user_id": form.meta_ig_user_id.data or "",
            "app_secret": form.meta_app_secret.data or "", "verify_token": form.meta_verify_token.data or ""}


@bp.get("/")
@roles_required("admin")
def index():
    rows = channels.health(db())
    pushed = webhooks.health(db(), runtime().redis_or_none(), [row.channel for row in rows])
    return render_template("channels/index.html", rows=rows, webhooks=pushed, labels=STATE_LABELS,
                           meanings=ERROR_MEANINGS, refusals=REFUSAL_MEANINGS, form=EmptyForm())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new():
    form = ChannelForm()
    if form.validate_on_submit():
        try:
            channel = channels.create_channel(db(), platform=form.platform.data, name=form.name.data,
                                              base_url=form.base_url.data, handle=form.handle.data or "",
                                              token=form.token.data or "",
                                              poll_interval_seconds=form.poll_interval_seconds.data,
                                              extra=platform_credentials(form, form.platform.data))
        except DomainError as exc:
            return _refused(form, exc)
        audit.record(db(), current(), "channel.create", origin(), target=("channel", channel.id))
        db().commit()
        flash(_("Channel added. Test the connection to check the token."), "success")
        return redirect(url_for(".index"))
    return render_template("channels/form.html", form=form, channel=None), form_status(form)


@bp.route("/<int:channel_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(channel_id: int):
    channel = channels.get_channel(db(), channel_id)
    form = ChannelForm(obj=channel)
    form.platform.render_kw = {"disabled": True}
    form.platform.data = channel.platform
    if form.validate_on_submit():
        try:
            channels.update_channel(db(), channel, name=form.name.data, base_url=form.base_url.data,
                                    handle=form.handle.data or "", poll_interval_seconds=form.poll_interval_seconds.data,
                                    token=form.token.data or None, extra=platform_credentials(form, channel.platform))
        except DomainError as exc:
            return _refused(form, exc, channel)
        audit.record(db(), current(), "channel.update", origin(), target=("channel", channel.id),
                     data={"token_changed": bool(form.token.data)})
        db().commit()
        flash(_("Channel saved."), "success")
        return redirect(url_for(".index"))
    form.token.data = form.x_refresh_token.data = form.x_client_secret.data = form.meta_app_secret.data = ""
    form.oauth_refresh_token.data = form.oauth_client_secret.data = ""
    return render_template("channels/form.html", form=form, channel=channel,
                           webhook=webhooks.setup_for(db(), channel)), form_status(form)


def _refused(form: ChannelForm, exc: DomainError, channel=None):
    """The form again with what was typed, and the service's refusal in the user's language at its field."""
    db().rollback()
    show_refusal(form, exc)
    webhook = webhooks.setup_for(db(), channel) if channel is not None else None
    return render_template("channels/form.html", form=form, channel=channel, webhook=webhook), exc.status


@bp.post("/<int:channel_id>/<any(pause, resume):action>")
@roles_required("admin")
def toggle(channel_id: int, action: str):
    channel = channels.set_enabled(db(), channels.get_channel(db(), channel_id, lock=True), action == "resume")
    audit.record(db(), current(), f"channel.{action}", origin(), target=("channel", channel.id))
    db().commit()
    flash(_("Channel resumed.") if channel.enabled else _("Channel paused."), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:channel_id>/test")
@roles_required("admin")
def test(channel_id: int):
    db().rollback()  # no transaction stays open while the platform answers
    result = channels.run_connection_test(runtime().transaction, channel_id)
    if result["ok"]:
        flash(_("Connection works: %(handle)s", handle=result["account"]["handle"]), "success")
    else:
        flash(_connection_failure(result, channels.get_channel(db(), channel_id)), "error")
    return redirect(url_for(".index"))


def _connection_failure(result: dict, channel) -> Markup:
    """What went wrong in a sentence of the user's language; the platform's own words small below it."""
    where = urlsplit(channel.base_url or "").netloc or PLATFORM_LABELS.get(channel.platform, channel.platform)
    sentence = _(FAILURE_TEXTS.get(result["kind"], FAILURE_OTHER), host=where)
    return Markup("{}<br><small class=\"technical\">{} <code>{}</code></small>").format(
        sentence, _("Technical details:"), result["error"])


@bp.post("/<int:channel_id>/poll")
@roles_required("admin")
def poll(channel_id: int):
    channel = channels.ensure_pollable(channels.get_channel(db(), channel_id))
    waiting = polling.waiting_for(channel)
    if waiting == "paused":
        flash(_("This channel is paused: resume it to poll it."), "error")
    elif waiting == "rate_limited":
        flash(_("The platform asked this channel to wait until %(time)s; it polls again after that.",
                time=local_time(channel.rate_limited_until)), "error")
    else:
        queued = runtime().broker.enqueue_now([polling.poll_job(channel_id)])
        flash(_("Poll queued.") if queued else _("A poll of this channel is already queued or running."), "info")
    return redirect(url_for(".index"))
