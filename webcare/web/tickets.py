"""The ticket page and what people do on it: reply, note, status, assign, hand-off, labels, merge, department work.

Handlers are thin: check the form, fetch the ticket through `services.access` (outside scope: 404),
call one service, commit, redirect back (post/redirect/get). A refused act is flashed in the user's
language. A reply that is held (personal data, stale view, too long) re-renders the page with the
text kept and the choices shown.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required

from webcare.auth import current
from webcare.errors import DomainError
from webcare.extensions import db, runtime
from webcare.models import Ticket, User
from webcare.services import (
    access,
    compose,
    department_actions,
    presence,
    safety,
    ticket_actions,
    ticket_view,
)
from webcare.services.ticket_merge import merge
from webcare.web import ticket_format
from webcare.web import ticket_forms as forms
from webcare.web.errors_text import explain
from webcare.web.forms import EmptyForm
from webcare.web.templating import PRIORITY_LABELS, STATUS_LABELS
from webcare.workflow import ALLOWED_STATUS_CHANGES, STATUSES

bp = Blueprint("tickets", __name__)
ticket_format.register(bp)


def show(ticket_id: int, reply_form: forms.ReplyForm | None = None, held=None, status: int = 200):
    """Render the ticket page (also used by `main.ticket`)."""
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id)
    page = ticket_view.build(session, current(), ticket, lambda d: format_date(d, "EEEE d MMMM"))
    if request.args.get("fragment") == "thread":
        return render_template("tickets/_thread.html", page=page)
    reply_form = reply_form or _fresh_reply_form(page)
    return render_template("tickets/ticket.html", page=page, ticket=ticket, reply_form=reply_form, held=held,
                           forms=_action_forms(page)), status


def _fresh_reply_form(page) -> forms.ReplyForm:
    form = forms.ReplyForm(formdata=None)
    form.visibility.data = page.rules.default_visibility
    form.seen_seq.data = page.ticket.activity_seq
    form.seen_message_id.data = page.last_message_id
    return form


def _action_forms(page) -> dict:
    status = forms.StatusForm(formdata=None)
    allowed = ALLOWED_STATUS_CHANGES[page.ticket.status]
    status.status.choices = forms.choices((s, STATUS_LABELS[s]) for s in STATUSES
                                          if s in allowed and s != "with_department")
    handoff = forms.HandoffForm(formdata=None)
    handoff.department.choices = forms.choices([("", _("Choose a department"))] +
                                               [(d.code, d.name) for d in page.departments])
    assign = forms.AssignForm(formdata=None)
    assign.user_id.choices = forms.choices([("", _("Nobody"))] + [(u.id, u.name or u.email) for u in page.agents])
    assign.user_id.data = str(page.ticket.assignee_id or "")
    priority = forms.PriorityForm(formdata=None)
    priority.priority.choices = forms.choices(PRIORITY_LABELS.items())
    priority.priority.data = page.ticket.priority
    labels = forms.LabelsForm(formdata=None)
    kept = cookie.pop("refused_labels", None)  # what was typed and refused is shown again, once
    labels.labels.data = kept[1] if kept and kept[0] == page.ticket.id else ", ".join(page.ticket.label_names)
    return {"status": status, "handoff": handoff, "assign": assign, "priority": priority, "labels": labels,
            "note": forms.NoteForm(formdata=None), "merge": forms.MergeForm(formdata=None),
            "feedback": forms.FeedbackForm(formdata=None), "send_back": forms.SendBackForm(formdata=None)}


# -- the reply composer ------------------------------------------------------------------------------------

@bp.post("/tickets/<int:ticket_id>/reply")
@login_required
def reply(ticket_id: int):
    form = forms.ReplyForm()
    if not form.validate_on_submit():
        return show(ticket_id, form, held={"kind": "invalid"}, status=400)
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    confirmed = request.form.get("confirm_stale") == "1"
    if request.form.get("switch_private") == "1":
        form.visibility.data = "private"
    try:
        compose.send_reply(session, ticket, current(), form.text.data, form.visibility.data,
                           override_reason=form.override_reason.data if request.form.get("override") == "1" else None,
                           seen_seq=None if confirmed else _int(form.seen_seq.data),
                           seen_message_id=None if confirmed else _int(form.seen_message_id.data))
    except DomainError as exc:
        session.rollback()
        message = explain(exc)
        if exc.code == "personal_data" and request.form.get("override") == "1":  # "send anyway" without a reason
            message = _("Give a reason to send this public reply anyway.")
        return show(ticket_id, form, held={"kind": exc.code, "message": message, "fields": exc.fields},
                    status=exc.status)
    session.commit()
    flash(_("Your reply is queued for sending."), "success")
    return redirect(url_for("main.ticket", ticket_id=ticket_id))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- other acts on a ticket --------------------------------------------------------------------------------

def _act(ticket_id: int, form, action, done: str, keep=None):
    """Validate, fetch in scope (locked), act, commit, flash, back to the ticket (to the one a merge kept; to
    the user's workspace when the act took the ticket out of their scope, as sending it back does)."""
    if not form.validate_on_submit():
        flash(_("Please fill in the form completely."), "error")
        return redirect(url_for("main.ticket", ticket_id=ticket_id))
    session = db()
    ticket = access.get_ticket_for(session, current(), ticket_id, lock=True)
    try:
        target = action(session, ticket, form)
    except DomainError as exc:
        session.rollback()
        flash(explain(exc), "error")
        if keep is not None:
            keep(form)
        return redirect(url_for("main.ticket", ticket_id=ticket_id))
    session.commit()
    flash(done, "success")
    shown = target if isinstance(target, Ticket) else ticket
    if not access.can_see_ticket(current(), shown):
        return redirect(url_for("main.home"))
    return redirect(url_for("main.ticket", ticket_id=shown.id))


@bp.post("/tickets/<int:ticket_id>/note")
@login_required
def note(ticket_id: int):
    return _act(ticket_id, forms.NoteForm(),
                lambda s, t, f: ticket_actions.add_note(s, t, current(), f.text.data), _("Note added."))


@bp.post("/tickets/<int:ticket_id>/status")
@login_required
def status(ticket_id: int):
    form = forms.StatusForm()
    form.status.choices = forms.choices((s, s) for s in STATUS_LABELS)
    return _act(ticket_id, form, lambda s, t, f: ticket_actions.change_status(s, t, current(), f.status.data,
                                                                                f.text.data), _("Status changed."))


@bp.post("/tickets/<int:ticket_id>/claim")
@login_required
def claim(ticket_id: int):
    return _act(ticket_id, EmptyForm(), lambda s, t, f: ticket_actions.claim(s, t, current()),
                _("The ticket is yours."))


@bp.post("/tickets/<int:ticket_id>/assign")
@login_required
def assign(ticket_id: int):
    def action(s, t, f):
        who = _int(f.user_id.data)
        assignee = s.get(User, who) if who else None
        if who and assignee is None:
            abort(400)
        return ticket_actions.assign(s, t, current(), assignee)

    return _act(ticket_id, forms.AssignForm(), action, _("Assignment changed."))


@bp.post("/tickets/<int:ticket_id>/handoff")
@login_required
def handoff(ticket_id: int):
    form = forms.HandoffForm()
    form.department.choices = forms.choices([(request.form.get("department", ""), "")])
    return _act(ticket_id, form, lambda s, t, f: department_actions.handoff(s, t, current(), f.department.data,
                                                                              f.question.data),
                _("Handed off to the department."))


@bp.post("/tickets/<int:ticket_id>/labels")
@login_required
def labels(ticket_id: int):
    return _act(ticket_id, forms.LabelsForm(),
                lambda s, t, f: ticket_actions.set_labels(s, t, current(), (f.labels.data or "").split(",")),
                _("Labels saved."), keep=lambda f: cookie.update(refused_labels=(ticket_id, f.labels.data or "")))


@bp.post("/tickets/<int:ticket_id>/priority")
@login_required
def priority(ticket_id: int):
    form = forms.PriorityForm()
    form.priority.choices = forms.choices(PRIORITY_LABELS.items())
    return _act(ticket_id, form, lambda s, t, f: ticket_actions.set_priority(s, t, current(), f.priority.data),
                _("Priority saved."))


@bp.post("/tickets/<int:ticket_id>/merge")
@login_required
def merge_into(ticket_id: int):
    def action(s, source, f):
        target = access.get_ticket_for(s, current(), f.other_id.data, lock=True)
        return merge(s, source, target, current())

    return _act(ticket_id, forms.MergeForm(), action, _("The tickets are merged."))


@bp.post("/tickets/<int:ticket_id>/feedback")
@login_required
def feedback(ticket_id: int):
    return _act(ticket_id, forms.FeedbackForm(),
                lambda s, t, f: department_actions.give_feedback(s, t, current(), f.text.data,
                                                                 propose_reply=f.propose_reply.data),
                _("Your feedback was sent to webcare."))


@bp.post("/tickets/<int:ticket_id>/take-over")
@login_required
def take_over(ticket_id: int):
    return _act(ticket_id, EmptyForm(), lambda s, t, f: department_actions.take_over(s, t, current()),
                _("Your department took this ticket over."))


@bp.post("/tickets/<int:ticket_id>/send-back")
@login_required
def send_back(ticket_id: int):
    return _act(ticket_id, forms.SendBackForm(),
                lambda s, t, f: department_actions.send_back(s, t, current(), f.reason.data),
                _("The ticket went back to webcare."))


@bp.post("/tickets/<int:ticket_id>/threat")
@login_required
def flag_threat(ticket_id: int):
    return _act(ticket_id, EmptyForm(), lambda s, t, f: safety.flag_by_hand(s, t, current()),
                _("Flagged as a threat; the safety team has been told."))


# -- presence (collision detection) ------------------------------------------------------------------------

@bp.post("/tickets/<int:ticket_id>/presence")
@login_required
def heartbeat(ticket_id: int):
    access.get_ticket_for(db(), current(), ticket_id)
    redis = runtime().redis
    if request.form.get("leave") == "1":
        presence.leave(redis, ticket_id, current())
        return jsonify(others=[])
    presence.touch(redis, ticket_id, current(), typing=request.form.get("typing") == "1")
    return jsonify(others=[{"name": p.name, "typing": p.typing} for p in presence.others(redis, ticket_id, current())])
