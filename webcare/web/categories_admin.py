"""Admin pages for categories: the list with each one's targets, and a form to add or change one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webcare.auth import current, roles_required
from webcare.errors import DomainError
from webcare.extensions import db, runtime
from webcare.models import Category
from webcare.models.ticket import PRIORITIES
from webcare.services import audit, categories
from webcare.web.admin import add_admin_page
from webcare.web.admin_forms import department_choices, show_refusal
from webcare.web.forms import form_status
from webcare.web.request_origin import origin
from webcare.web.templating import PRIORITY_LABELS

bp = Blueprint("categories_admin", __name__, url_prefix="/admin")
add_admin_page("categories_admin.index", _l("Categories"),
               _l("Department, response and handling targets, promise to the citizen and retention per category"))
UNIT_CHOICES = [SelectChoice("working_days", _l("working days")), SelectChoice("calendar_days", _l("calendar days"))]


def _optional_number(label, low: int, high: int):
    return IntegerField(label, validators=[Optional(), NumberRange(low, high)])


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=80)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    parent_code = SelectField(_l("Main category"), choices=[], validate_choice=False)
    department_code = SelectField(_l("Department"), choices=[], validate_choice=False)
    default_priority = SelectField(_l("Priority"), choices=[], validate_choice=False)
    first_response_business_minutes = _optional_number(
        _l("First response (business minutes; empty = the SLA policy's)"), 1, 100_000)
    handling_target = _optional_number(_l("Handling target (empty = no handling clock)"), 1, 365)
    handling_unit = SelectField(_l("Handling target in"), choices=UNIT_CHOICES)
    promise_text = TextAreaField(_l("Promise to the citizen (empty = the default text)"),
                                 validators=[Optional(), Length(max=1000)])
    retention_days = _optional_number(_l("Retention after closing (days; empty = the main category's or the default)"),
                                      1, 3650)
    active = BooleanField(_l("Active (routing may choose it)"), default=True)

    def fill_choices(self, session, record: Category | None) -> None:
        mains = [c for c in categories.list_categories(session) if c.parent_id is None and c is not record]
        self.parent_code.choices = [SelectChoice("", _("(none: a main category)"))] + [
            SelectChoice(c.code, f"{c.name} ({c.code})") for c in mains]
        kept = [record.department.code] if record is not None and record.department is not None else []
        self.department_code.choices = [SelectChoice("", "–")] + department_choices(session, keep=kept)
        self.default_priority.choices = [SelectChoice("", "–")] + [SelectChoice(p, PRIORITY_LABELS.get(p, p)) for p in PRIORITIES]

    def values(self) -> dict:
        return {"name": self.name.data, "parent_code": self.parent_code.data or None,
                "department_code": self.department_code.data or None,
                "default_priority": self.default_priority.data or None,
                "first_response_business_minutes": self.first_response_business_minutes.data,
                "handling_target": self.handling_target.data, "handling_unit": self.handling_unit.data,
                "promise_text": self.promise_text.data, "retention_days": self.retention_days.data,
                "active": bool(self.active.data)}


@bp.get("/categories")
@roles_required("admin")
def index():
    settings = runtime().settings
    return render_template("categories/index.html", categories=categories.list_categories(db()),
                           default_retention=settings.retention_days, reopen_days=settings.reopen_days)


@bp.route("/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit(category_id: int | None):
    session = db()
    record = categories.get_category(session, category_id) if category_id else None
    form = CategoryForm(obj=record, **_chosen(record))
    form.fill_choices(session, record)
    if not form.validate_on_submit():
        return render_template("categories/edit.html", form=form, record=record), form_status(form)
    if record is None and not form.code.data:
        form.code.errors = [_("A new category needs a code.")]
        return render_template("categories/edit.html", form=form, record=record), 400
    try:
        record, changes = _save(session, record, form)
    except DomainError as exc:
        session.rollback()
        show_refusal(form, exc)
        if exc.code == "category_in_rules":
            form.active.errors = [*form.active.errors, ", ".join(exc.fields["rules"])]
        return render_template("categories/edit.html", form=form, record=record), exc.status
    flash(_("Category %(code)s saved. New targets apply to tickets created from now on.", code=record.code)
          if changes else _("Nothing changed."), "success")
    return redirect(url_for("categories_admin.index"))


def _chosen(record: Category | None) -> dict:
    """The select fields' values of a stored category (a field a request leaves out keeps its value)."""
    if record is None:
        return {}
    return {"parent_code": record.parent.code if record.parent else "",
            "department_code": record.department.code if record.department else "",
            "default_priority": record.default_priority or ""}


def _save(session, record: Category | None, form: CategoryForm) -> tuple[Category, dict]:
    if record is None:
        record, changes = categories.create_category(session, form.code.data, **form.values())
        action = "category.create"
    else:
        changes, action = categories.update_category(session, record, **form.values()), "category.update"
    if changes:
        audit.record(session, current(), action, origin(), target=("category", record.code), data=changes)
    session.commit()
    return record, changes
