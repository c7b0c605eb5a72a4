"""Forms of the routing admin pages, and turning a rule form into the rule data the service takes."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webcare.json_provider import loads
from webcare.models.channel import PLATFORMS
from webcare.web.templating import PRIORITY_LABELS
from webcare.web.ticket_format import PLATFORM_LABELS


class RuleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Position (1 = evaluated first)"), validators=[Optional(), NumberRange(min=1)])
    enabled = BooleanField(_l("Enabled"), default=True)
    continue_matching = BooleanField(_l("Continue with the next rules after a match (only add labels and flags)"))
    conditions = TextAreaField(_l("Conditions (JSON)"), validators=[Length(max=100_000)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    priority = SelectField(_l("Priority"), choices=[], validate_choice=False)
    labels = StringField(_l("Labels (comma separated)"), validators=[Optional(), Length(max=500)])
    threat = BooleanField(_l("Flag as threat (urgent, safety team)"))
    assignee = StringField(_l("Assign to (e-mail address)"), validators=[Optional(), Length(max=254)])
    auto_ack = BooleanField(_l("Send the automatic acknowledgement with the category's promise"))

    def set_choices(self, categories: list[tuple[str, str]], departments: list[tuple[str, str]]) -> None:
        self.category.choices = _choices([("", "–")] + categories)
        self.department.choices = _choices([("", _l("– (the category's department)"))] + departments)
        self.priority.choices = _choices([("", "–")] + list(PRIORITY_LABELS.items()))

    def load(self, rule) -> None:
        """Fill the form from a stored rule (GET)."""
        actions = rule.actions or {}
        self.name.data, self.description.data, self.position.data = rule.name, rule.description, rule.position
        self.enabled.data, self.continue_matching.data = rule.enabled, rule.continue_matching
        self.conditions.data = json.dumps(rule.conditions or {}, indent=2, ensure_ascii=False)
        self.category.data = actions.get("category", "")
        self.department.data = actions.get("department", "")
        self.priority.data = actions.get("priority", "")
        self.labels.data = ", ".join(actions.get("labels", []))
        self.threat.data, self.assignee.data = bool(actions.get("threat")), actions.get("assignee", "")
        self.auto_ack.data = bool(actions.get("auto_ack"))

    def rule_data(self) -> dict | None:
        """The rule as the service takes it, or None (with a field error) when the conditions are no JSON."""
        try:
            conditions = loads(self.conditions.data or "{}")
        except ValueError as exc:  # not JSON, or nested deeper than any rule may be
            self.conditions.errors = [_l("The conditions are not valid JSON: %(error)s", error=str(exc))]
            return None
        actions: dict = {key: value for key, value in (
            ("category", self.category.data), ("department", self.department.data),
            ("priority", self.priority.data), ("assignee", (self.assignee.data or "").strip())) if value}
        labels = [label.strip() for label in (self.labels.data or "").split(",") if label.strip()]
        if labels:
            actions["labels"] = labels
        if self.threat.data:
            actions["threat"] = True
        if self.auto_ack.data:
            actions["auto_ack"] = True
        return {"name": self.name.data, "description": self.description.data or "", "enabled": self.enabled.data,
                "continue_matching": self.continue_matching.data, "conditions": conditions, "actions": actions,
                "position": self.position.data}


class TryForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=10_000)])
    platform = SelectField(_l("Platform"), choices=[SelectChoice(p, PLATFORM_LABELS.get(p, p)) for p in PLATFORMS], default="x")
    kind = SelectField(_l("Kind"), choices=[SelectChoice("mention", _l("Mention")), SelectChoice("comment", _l("Comment")),
                                           SelectChoice("dm", _l("Direct message"))], default="mention")


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
