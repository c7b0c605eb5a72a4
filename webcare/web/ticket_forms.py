"""Forms of the ticket page (Flask-WTF, so every one carries a CSRF token). Shape only: rules are in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=10000)])
    visibility = RadioField(_l("Visibility"), choices=[SelectChoice("public", _l("Public")),
                                                           SelectChoice("private", _l("Private message"))],
                            default="public")
    override_reason = StringField(_l("Reason for sending anyway"), validators=[Optional(), Length(max=1000)])
    seen_seq = HiddenField()
    seen_message_id = HiddenField()


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=10000)])


class FeedbackForm(FlaskForm):
    text = TextAreaField(_l("Feedback to webcare"), validators=[DataRequired(), Length(max=10000)])
    propose_reply = BooleanField(_l("This is a reply webcare may send to the citizen"))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[DataRequired()], choices=[])
    text = TextAreaField(_l("Explanation for the history (not sent to the citizen)"), validators=[Optional(), Length(max=10000)])


class HandoffForm(FlaskForm):
    department = SelectField(_l("Department"), validators=[DataRequired()], choices=[])
    question = TextAreaField(_l("Question for the department"), validators=[DataRequired(), Length(max=4000)])


class AssignForm(FlaskForm):
    user_id = SelectField(_l("Assign to"), choices=[], validate_choice=False)


class LabelsForm(FlaskForm):
    labels = StringField(_l("Labels (comma-separated)"), validators=[Optional(), Length(max=1500)])


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), choices=[])


class MergeForm(FlaskForm):
    other_id = IntegerField(_l("Merge this ticket into ticket number"), validators=[DataRequired(), NumberRange(min=1)])


class SendBackForm(FlaskForm):
    reason = TextAreaField(_l("Why is this not for your department?"), validators=[DataRequired(), Length(max=4000)])
