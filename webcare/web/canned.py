"""The webcare team's canned responses: the list, a form to add or change one, and removal."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from webcare.auth import current, roles_required
from webcare.errors import DomainError
from webcare.extensions import db
from webcare.models import CannedResponse
from webcare.services import audit, canned, categories
from webcare.web.admin_forms import show_refusal
from webcare.web.forms import EmptyForm
from webcare.web.nav import add_nav
from webcare.web.request_origin import origin

bp = Blueprint("canned", __name__)
TEAM = ("agent", "manager", "admin")
add_nav("canned.index", _l("Canned responses"), *TEAM)
LANGUAGE_CHOICES = [SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English"))]


class CannedForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    category_code = SelectField(_l("Category"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=canned.MAX_TEXT)])
    active = BooleanField(_l("Active (offered in the reply composer)"), default=True)


@bp.get("/canned")
@roles_required(*TEAM)
def index():
    return render_template("canned/index.html", responses=canned.list_all(db()), form=EmptyForm())


@bp.route("/canned/new", methods=["GET", "POST"], defaults={"canned_id": None})
@bp.route("/canned/<int:canned_id>", methods=["GET", "POST"])
@roles_required(*TEAM)
def edit(canned_id: int | None):
    session = db()
    record = canned.get(session, canned_id) if canned_id else None
    form = CannedForm(obj=record, category_code=record.category.code if record and record.category else "")
    form.category_code.choices = [SelectChoice("", _("(every ticket)"))] + [
        SelectChoice(c.code, f"{c.name} ({c.code})") for c in categories.list_categories(session) if c.active]
    if not form.validate_on_submit():
        return render_template("canned/edit.html", form=form, record=record), 400 if request.method == "POST" else 200
    try:
        record, changes = canned.save(session, record, title=form.title.data, text=form.text.data,
                                      category_code=form.category_code.data or None, language=form.language.data,
                                      active=bool(form.active.data))
    except DomainError as exc:
        session.rollback()
        show_refusal(form, exc)
        return render_template("canned/edit.html", form=form, record=record), exc.status
    if changes:
        action = "canned_response.update" if canned_id else "canned_response.create"
        audit.record(session, current(), action, origin(), target=("canned_response", record.id),
                     data={key: [_short(old), _short(new)] for key, (old, new) in changes.items()})
    session.commit()
    flash(_("Canned response saved.") if changes else _("Nothing changed."), "success")
    return redirect(url_for("canned.index"))


@bp.post("/canned/<int:canned_id>/delete")
@roles_required(*TEAM)
def delete(canned_id: int):
    session = db()
    record: CannedResponse = canned.get(session, canned_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("canned.index"))
    gone = canned.delete(session, record)
    audit.record(session, current(), "canned_response.delete", origin(), target=("canned_response", canned_id),
                 data=gone)
    session.commit()
    flash(_("Canned response %(title)s removed.", title=gone["title"]), "success")
    return redirect(url_for("canned.index"))


def _short(value):
    """A value as the audit log keeps it: long texts cut to their start."""
    return value[:200] if isinstance(value, str) else value
