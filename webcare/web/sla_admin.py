"""Admin pages: SLA policies, department feedback targets, business calendars and their closing days."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from webcare.auth import current, roles_required
from webcare.calendar import WEEKDAYS, format_opening_hours
from webcare.errors import DomainError
from webcare.extensions import db
from webcare.services import calendars as calendar_service
from webcare.services import sla_admin
from webcare.web.admin import add_admin_page
from webcare.web.admin_forms import show_refusal
from webcare.web.errors_text import explain
from webcare.web.forms import EmptyForm

bp = Blueprint("sla_admin", __name__, url_prefix="/admin")
add_admin_page("sla_admin.overview", _l("SLA"), _l("Response and feedback targets per policy and department"))
add_admin_page("sla_admin.calendars", _l("Calendars"), _l("Opening hours and extra closing days"))
WEEKDAY_LABELS = dict(zip(WEEKDAYS, (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                                     _l("Saturday"), _l("Sunday")), strict=True))


def _minutes(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(1, 100_000)])


class PolicyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    first_response_dm_minutes = _minutes(_l("First response, direct message (business minutes)"))
    first_response_public_minutes = _minutes(_l("First response, public post or comment (business minutes)"))
    next_response_dm_minutes = _minutes(_l("Next response, direct message (business minutes)"))
    next_response_public_minutes = _minutes(_l("Next response, public post or comment (business minutes)"))
    department_feedback_working_days = IntegerField(_l("Department feedback (working days)"),
                                                    validators=[InputRequired(), NumberRange(0, 365)])
    at_risk_percent = IntegerField(_l("At risk from (percentage of the target)"), validators=[InputRequired(), NumberRange(1, 99)])
    calendar_id = SelectField(_l("Calendar"), coerce=int)
    is_default = BooleanField(_l("Default policy for new tickets"))
    active = BooleanField(_l("Active"), default=True)


class CalendarForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    timezone = StringField(_l("Time zone"), default="Europe/Amsterdam", validators=[DataRequired(), Length(max=64)])
    mon, tue, wed, thu, fri, sat, sun = (StringField(WEEKDAY_LABELS[day], validators=[Length(max=200)]) for day in WEEKDAYS)
    statutory_holidays = BooleanField(_l("Closed on the statutory holidays"), default=True)
    is_default = BooleanField(_l("Default calendar"))


class ClosingDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


def _calendar_choices():
    return [(0, _("(the default calendar)"))] + [(c.id, c.name) for c in sla_admin.calendars(db())]


@bp.get("/sla")
@roles_required("admin")
def overview():
    return render_template("sla_admin/overview.html", policies=sla_admin.policies(db()),
                           departments=sla_admin.departments(db()),
                           calendars=sla_admin.calendars(db()), form=EmptyForm())


@bp.route("/sla/policies/new", methods=["GET", "POST"], defaults={"policy_id": None})
@bp.route("/sla/policies/<int:policy_id>", methods=["GET", "POST"])
@roles_required("admin")
def policy(policy_id: int | None):
    record = sla_admin.get_policy(db(), policy_id) if policy_id else None
    form = PolicyForm(obj=record)
    form.calendar_id.choices = _calendar_choices()
    if request.method == "GET" and record is not None:
        form.calendar_id.data = record.calendar_id or 0
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        values["calendar_id"] = values["calendar_id"] or None
        failed = _attempt(lambda: sla_admin.save_policy(db(), current(), record, values), form)
        if failed is None:
            flash(_("SLA policy saved. It applies to tickets created from now on."), "success")
            return redirect(url_for("sla_admin.overview"))
        return render_template("sla_admin/policy.html", form=form, record=record), failed
    return render_template("sla_admin/policy.html", form=form, record=record), 400 if form.errors else 200


@bp.post("/sla/departments")
@roles_required("admin")
def departments():
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("sla_admin.overview"))
    try:
        targets = {int(key.split("-")[1]): (_optional_int(request.form.get(key)),
                                            _optional_int(request.form.get(f"calendar-{key.split('-')[1]}")) or None)
                   for key in request.form if key.startswith("days-")}
    except ValueError:
        flash(_("Feedback targets are whole numbers of working days."), "error")
        return redirect(url_for("sla_admin.overview"))
    return _save(lambda: sla_admin.save_department_targets(db(), current(), targets), "sla_admin.overview",
                 _("Department feedback targets saved."))


def _optional_int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


@bp.get("/calendars")
@roles_required("admin")
def calendars():
    return render_template("sla_admin/calendars.html", calendars=sla_admin.calendars(db()))


@bp.route("/calendars/new", methods=["GET", "POST"], defaults={"calendar_id": None})
@bp.route("/calendars/<int:calendar_id>", methods=["GET", "POST"])
@roles_required("admin")
def calendar(calendar_id: int | None):
    record = sla_admin.get_calendar(db(), calendar_id) if calendar_id else None
    form = CalendarForm(obj=record)
    if request.method == "GET" and record is not None:
        for day, text in format_opening_hours(record.opening_hours).items():
            form[day].data = text
    elif request.method == "GET":
        for day in WEEKDAYS[:5]:
            form[day].data = "08:30-17:00"
    if form.validate_on_submit():
        hours = {day: form[day].data or "" for day in WEEKDAYS}
        failed = _attempt(lambda: sla_admin.save_calendar(
            db(), current(), record, name=form.name.data, timezone=form.timezone.data, hours_text=hours,
            statutory_holidays=form.statutory_holidays.data, is_default=form.is_default.data), form)
        if failed is None:
            flash(_("Calendar saved. Running SLA clocks follow it within minutes."), "success")
            return redirect(url_for("sla_admin.calendars"))
    year = date.today().year
    closed = calendar_service.from_model(record).closed_days(year) if record else []
    return render_template("sla_admin/calendar.html", form=form, record=record, day_form=ClosingDayForm(),
                           delete_form=EmptyForm(), closed=closed, year=year, weekdays=WEEKDAYS), \
        400 if form.errors or request.method == "POST" else 200


@bp.post("/calendars/<int:calendar_id>/closing-days")
@roles_required("admin")
def add_closing_day(calendar_id: int):
    record = sla_admin.get_calendar(db(), calendar_id)
    form = ClosingDayForm()
    if not form.validate_on_submit():
        flash(_("A closing day needs a date and a name."), "error")
        return redirect(url_for("sla_admin.calendar", calendar_id=calendar_id))
    return _save(lambda: sla_admin.add_closing_day(db(), current(), record, form.day.data, form.name.data),
                 "sla_admin.calendar", _("Closing day added."), calendar_id=calendar_id)


@bp.post("/calendars/<int:calendar_id>/closing-days/<int:day_id>/delete")
@roles_required("admin")
def remove_closing_day(calendar_id: int, day_id: int):
    record = sla_admin.get_calendar(db(), calendar_id)
    if EmptyForm().validate_on_submit():
        return _save(lambda: sla_admin.remove_closing_day(db(), current(), record, day_id),
                     "sla_admin.calendar", _("Closing day removed."), calendar_id=calendar_id)
    return redirect(url_for("sla_admin.calendar", calendar_id=calendar_id))


def _attempt(action, form: FlaskForm | None = None) -> int | None:
    """Run one service call and commit; on a refused change roll back, say why (at the form's field it is
    about, else flashed) in the user's language, return the status."""
    try:
        action()
    except DomainError as exc:
        db().rollback()
        _refusal(exc, form)
        return exc.status
    db().commit()
    return None


def _refusal(exc: DomainError, form: FlaskForm | None) -> None:
    """A weekday in the refusal is named in the user's language, and the message goes to that day's field."""
    day = exc.params.get("day")
    if day in WEEKDAY_LABELS:
        exc.params = {**exc.params, "day": str(WEEKDAY_LABELS[day])}
    if form is not None and day in WEEKDAY_LABELS and day in form:
        form[day].errors = [*form[day].errors, explain(exc)]
    elif form is not None:
        show_refusal(form, exc)
    else:
        flash(explain(exc), "error")


def _save(action, endpoint: str, message: str, **values):
    """`_attempt` for buttons: flash the outcome and go back to the page."""
    if _attempt(action) is None:
        flash(message, "success")
    return redirect(url_for(endpoint, **values))
