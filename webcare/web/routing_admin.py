"""Admin pages for routing rules: the ordered list, edit with validation, a "try it" box and a dry run."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webcare.auth import current, roles_required
from webcare.errors import DomainError
from webcare.extensions import db
from webcare.services import routing
from webcare.services.routing import dryrun, rules
from webcare.services.routing.engine import RuleSpec
from webcare.services.routing.store import load_catalog, load_ruleset
from webcare.web.admin import add_admin_page
from webcare.web.condition_builder import builder_config
from webcare.web.errors_text import explain_rule
from webcare.web.forms import EmptyForm, form_status
from webcare.web.request_origin import origin
from webcare.web.routing_forms import RuleForm, TryForm
from webcare.web.routing_summary import describe

bp = Blueprint("routing_admin", __name__, url_prefix="/admin/rules")
add_admin_page("routing_admin.rules_page", _l("Routing rules"), _l("Which department a message goes to, in order; try and dry-run changes"))


@bp.route("", methods=["GET", "POST"])
@roles_required("admin")
def rules_page():
    try_form, decision = TryForm(), None
    if request.method == "POST" and try_form.validate_on_submit():
        decision = routing.decide(db(), routing.RouteInput(
            text=try_form.text.data, platform=try_form.platform.data, kind=try_form.kind.data,
            visibility="private" if try_form.kind.data == "dm" else "public"))
    return render_template("routing/rules.html", rules=rules.list_rules(db()), describe=describe,
                           broken=load_ruleset(db()).broken, try_form=try_form, decision=decision,
                           button=EmptyForm()), 200 if decision is not None else form_status(try_form)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new_rule():
    return _edit(None)


@bp.route("/<int:rule_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_rule(rule_id: int):
    return _edit(rules.get_rule(db(), rule_id))


def _edit(rule):
    form = _form()
    if request.method == "GET" and rule is not None:
        form.load(rule)
    if request.method == "GET" or not form.validate_on_submit() or (data := form.rule_data()) is None:
        return _form_page(form, rule), form_status(form)
    if request.form.get("action") == "dry_run":
        return _dry_run(form, rule, data)
    try:
        saved = rules.update_rule(db(), rule.id, data, current(), origin()) if rule else \
            rules.create_rule(db(), data, current(), origin())
    except DomainError as exc:
        db().rollback()
        form.form_errors.append(explain_rule(exc))
        return _form_page(form, rule), 400
    db().commit()
    flash(_("Rule \u201c%(name)s\u201d saved.", name=saved.name), "success")
    return redirect(url_for("routing_admin.rules_page"))


def _dry_run(form: RuleForm, rule, data: dict):
    try:
        rules.validate(db(), data, rule_id=rule.id if rule else None)
    except DomainError as exc:
        form.form_errors.append(explain_rule(exc))
        return _form_page(form, rule), 400
    draft = RuleSpec(rule.id if rule else None, data["name"], data["conditions"], data["actions"],
                     data["continue_matching"])
    specs = dryrun.proposed_rules(db(), draft, enabled=data["enabled"], position=data["position"])
    result = dryrun.dry_run(db(), specs)
    return _form_page(form, rule, result)


def _form_page(form: RuleForm, rule, result=None) -> str:
    return render_template("routing/rule_form.html", form=form, rule=rule, result=result, button=EmptyForm(),
                           builder=builder_config())


def _form() -> RuleForm:
    form = RuleForm()
    catalog = load_catalog(db())
    form.set_choices(sorted((c.code, f"{c.name} ({c.code})") for c in catalog.categories.values()),
                     sorted((d.code, f"{d.code} \u2013 {d.name}") for d in catalog.departments.values()))
    return form


@bp.post("/<int:rule_id>/move/<direction>")
@roles_required("admin")
def move(rule_id: int, direction: str):
    return _change(lambda: rules.move_rule(db(), rule_id, direction, current(), origin()),
                   _("Rule moved; the new order applies to messages from now on."))


@bp.post("/<int:rule_id>/enabled/<int:value>")
@roles_required("admin")
def set_enabled(rule_id: int, value: int):
    return _change(lambda: rules.set_enabled(db(), rule_id, bool(value), current(), origin()),
                   _("Rule switched on.") if value else _("Rule switched off."))


@bp.post("/<int:rule_id>/delete")
@roles_required("admin")
def delete(rule_id: int):
    return _change(lambda: rules.delete_rule(db(), rule_id, current(), origin()), _("Rule deleted."))


def _change(action, message: str | None = None):
    if not EmptyForm().validate_on_submit():
        flash(_("The form has expired or was sent from elsewhere. Reload the page and try again."), "error")
        return redirect(url_for("routing_admin.rules_page"))
    try:
        action()
    except DomainError as exc:
        db().rollback()
        flash(explain_rule(exc), "error")
        return redirect(url_for("routing_admin.rules_page"))
    db().commit()
    if message:
        flash(message, "success")
    return redirect(url_for("routing_admin.rules_page"))
