"""Administrators' privacy pages: the audit log (search) and citizens' rights (export, erase)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webcare.auth import current, roles_required
from webcare.db import MAX_ID
from webcare.errors import ValidationFailed
from webcare.extensions import db, runtime
from webcare.services import audit, subject_rights
from webcare.web.admin import add_admin_page
from webcare.web.audit_labels import ACTION_LABELS

bp = Blueprint("privacy", __name__, url_prefix="/admin")
PAGE_SIZE = 50
bp.add_app_template_global(ACTION_LABELS.get, "audit_action_label")

add_admin_page("privacy.audit_log", _l("Audit log"), _l("Log-ins, settings, exports and erasures: who, what, when, from where"))
add_admin_page("privacy.contacts", _l("Citizens' data"), _l("Export or erase all data about one citizen"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    actor = StringField(_l("Who (e-mail)"), validators=[Optional(), Length(max=254)])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=64)])
    ticket = IntegerField(_l("Ticket"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class EraseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (for example the reference of the request)"),
                           validators=[DataRequired(), Length(max=1000)])
    confirm = BooleanField(_l("I understand that this cannot be undone"), validators=[DataRequired()])


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("privacy/audit.html", form=form, entries=[], older=None), 400
    entries = audit.search(db(), _audit_query(form))
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    return render_template("privacy/audit.html", form=form, entries=entries, older=older)


def _audit_query(form: AuditFilterForm) -> audit.AuditQuery:
    zone = runtime().settings.zone
    start = end = None
    if form.date_from.data:
        start = datetime.combine(form.date_from.data, time(0), zone)
    if form.date_to.data:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time(0), zone)
    return audit.AuditQuery(actor=form.actor.data or "", action=form.action.data or "",
                            ticket_id=form.ticket.data, since=start, until=end, before_id=form.before.data,
                            limit=PAGE_SIZE)


@bp.get("/privacy/contacts")
@roles_required("admin")
def contacts():
    query = request.args.get("q", "")
    try:
        found = subject_rights.find_contacts(db(), query) if query else []
    except ValidationFailed as exc:
        flash(exc.message, "error")
        found = []
    return render_template("privacy/contacts.html", query=query, found=found)


@bp.get("/privacy/contacts/<int:contact_id>")
@roles_required("admin")
def contact(contact_id: int):
    found = subject_rights.get_contact(db(), contact_id)
    return render_template("privacy/contact.html", contact=found, tickets=subject_rights.tickets_of(db(), found),
                           form=EraseForm())


@bp.get("/privacy/contacts/<int:contact_id>/export")
@roles_required("admin")
def export_page(contact_id: int):
    found = subject_rights.get_contact(db(), contact_id)
    data = subject_rights.export_contact(db(), found, current(), "html")
    db().commit()
    return render_template("privacy/export.html", data=data, contact=found)


@bp.get("/privacy/contacts/<int:contact_id>/export.json")
@roles_required("admin")
def export_json(contact_id: int):
    found = subject_rights.get_contact(db(), contact_id)
    data = subject_rights.export_contact(db(), found, current(), "json")
    db().commit()
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="webcare-contact-{found.id}.json"',
        "Cache-Control": "no-store",
    })


@bp.post("/privacy/contacts/<int:contact_id>/erase")
@roles_required("admin")
def erase(contact_id: int):
    found = subject_rights.get_contact(db(), contact_id)
    form = EraseForm()
    if not form.validate_on_submit():
        flash(_("Give a reason and confirm to erase."), "error")
        return redirect(url_for("privacy.contact", contact_id=found.id))
    result = subject_rights.erase_contact(db(), found, current(), form.reason.data)
    db().commit()
    flash(_("Erased: %(n)s tickets anonymised.", n=len(result["tickets_anonymised"])), "success")
    if result["audit_entries_redacted"]:
        flash(_("Personal data redacted in the reasons of %(n)s audit log entries.",
                n=result["audit_entries_redacted"]), "success")
    if result["threat_tickets_kept"]:
        flash(_("Threat tickets kept as evidence (AVG art. 17(3)(e)): %(n)s.",
                n=len(result["threat_tickets_kept"])), "warning")
    return redirect(url_for("privacy.contact", contact_id=found.id))
