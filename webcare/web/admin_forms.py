"""Forms of the user and department administration."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from webcare.errors import DomainError
from webcare.services.departments import list_departments
from webcare.services.users import EMAIL_PATTERN
from webcare.web.errors_text import explain
from webcare.web.templating import ROLE_LABELS

EMAIL = Regexp(EMAIL_PATTERN, message=_l("Not an e-mail address."))
ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]


# which field of a user form a refusal of the users service is about (the others are flashed above the form)
REFUSAL_FIELDS = {"email_taken": "email", "password_too_simple": "password", "department_required": "departments", "unknown_department": "departments",
                  "category_code": "code", "category_taken": "code", "category_parent": "parent_code",
                  "promise_field": "promise_text", "promise_braces": "promise_text",
                  "threat_category": "department_code", "category_in_rules": "active",
                  "canned_field": "text", "canned_braces": "text",
                  "channel_url": "base_url", "channel_url_required": "base_url",
                  "channel_url_credentials": "base_url", "duplicate_name": "name",
                  "department_code": "code", "department_taken": "code",
                  "calendar_zone": "timezone", "calendar_taken": "name", "policy_taken": "name",
                  "channel_handle": "handle", "channel_token_required": "token", "channel_token_characters": "token",
                  "channel_token_json": "token", "channel_x_client": "x_client_id",
                  "channel_oauth_client": "oauth_client_id", "channel_handle_required": "handle",
                  "channel_account_required": "account_id", "channel_meta_required": "meta_page_id"}


def show_refusal(form: FlaskForm, exc: DomainError) -> None:
    """Put the service's refusal, in the user's language, next to the field it is about (or flash it)."""
    field = getattr(form, REFUSAL_FIELDS.get(exc.code, ""), None)
    if field is None:
        flash(explain(exc), "error")
    else:
        field.errors = [*field.errors, explain(exc)]


def department_choices(session: Session, keep=()) -> list[SelectChoice]:
    """The active departments to choose from, plus the inactive ones in `keep` (the codes the record has now):
    without them the form showed no department chosen and saving it dropped the record's department."""
    keep = set(keep)
    return [SelectChoice(d.code, _department_label(d)) for d in list_departments(session) if d.active or d.code in keep]


def _department_label(department) -> str:
    label = f"{department.code} – {department.name}"
    return label if department.active else f"{label} ({_('inactive')})"


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    departments = SelectMultipleField(_l("Departments"), choices=[])
    active = BooleanField(_l("Active"))
    password = PasswordField(_l("New password (optional)"), validators=[Optional(), Length(min=10, max=1024)])


class NewUserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), EMAIL, Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    departments = SelectMultipleField(_l("Departments"), choices=[])
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(), Length(min=10, max=1024)])


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=16)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail address for notifications"),
                       validators=[Optional(), EMAIL, Length(max=254)])
    active = BooleanField(_l("Active"), default=True)
    feedback_working_days = IntegerField(_l("Feedback target (working days; empty = policy default)"),
                                         validators=[Optional(), NumberRange(min=1, max=60)])

    def editable(self) -> dict:
        return {"email": self.email.data or None, "active": bool(self.active.data),
                "feedback_working_days": self.feedback_working_days.data}
