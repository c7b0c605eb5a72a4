"""Administration: the index of admin pages, and users and departments.

Other admin areas (channels, routing rules, SLA policies, audit log, jobs) register their pages with
`add_admin_page` so the index lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webcare.auth import current, roles_required
from webcare.errors import DomainError
from webcare.extensions import db
from webcare.services import audit, departments
from webcare.services import users as user_service
from webcare.web.admin_forms import DepartmentForm, NewUserForm, UserForm, department_choices, show_refusal
from webcare.web.forms import form_status
from webcare.web.nav import add_nav
from webcare.web.request_origin import origin

bp = Blueprint("admin", __name__, url_prefix="/admin")
add_nav("admin.index", _l("Administration"), "admin")


@dataclass(frozen=True)
class AdminPage:
    endpoint: str
    label: object
    description: object


ADMIN_PAGES: list[AdminPage] = []


def add_admin_page(endpoint: str, label, description) -> None:
    if not any(page.endpoint == endpoint for page in ADMIN_PAGES):
        ADMIN_PAGES.append(AdminPage(endpoint, label, description))


add_admin_page("admin.users", _l("Users"), _l("Accounts, roles, departments and API tokens"))
add_admin_page("admin.departments", _l("Departments"), _l("The units that act on tickets"))


@bp.get("/")
@roles_required("admin")
def index():
    from flask import current_app

    known = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    return render_template("admin/index.html", pages=[p for p in ADMIN_PAGES if p.endpoint in known])


@bp.get("/users")
@roles_required("admin")
def users():
    return _users_page(_new_user_form())


@bp.post("/users")
@roles_required("admin")
def create_user():
    form = _new_user_form()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    session = db()
    try:
        user = user_service.create_user(session, form.email.data, form.role.data, password=form.password.data,
                                        name=form.name.data or "", department_codes=form.departments.data)
    except DomainError as exc:
        session.rollback()
        show_refusal(form, exc)
        return _users_page(form, exc.status)
    audit.record(session, current(), "user.create", origin(), target=("user", user.id),
                 data={"role": user.role, "departments": form.departments.data})
    session.commit()
    flash(_("User %(email)s created.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    session = db()
    user = user_service.get_user(session, user_id)
    form = UserForm(data=_user_values(user))
    form.departments.choices = department_choices(session, keep=[d.code for d in user.departments])
    status = form_status(form)
    if form.validate_on_submit():
        try:
            _save_user(session, user, form)
        except DomainError as exc:
            session.rollback()
            show_refusal(form, exc)
            status = exc.status
        else:
            session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", user=user, form=form,
                           tokens=user_service.tokens_of(session, user)), status


def _user_values(user) -> dict:
    """The stored values of the user form: its departments as codes (the form's `obj` would give the
    Department rows, which match no choice, so the page showed none chosen and saving it dropped them)."""
    return {"name": user.name, "role": user.role, "active": user.active,
            "departments": [d.code for d in user.departments]}


def _save_user(session, user, form: UserForm) -> None:
    changes = user_service.update_user(session, user, name=form.name.data or "", role=form.role.data,
                                       department_codes=form.departments.data, active=form.active.data,
                                       acting=current())
    if form.password.data:
        user_service.set_password(user, form.password.data)
        changes["password"] = ["***", "***"]
    audit.record(session, current(), "user.update", origin(), target=("user", user.id), data=changes)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@roles_required("admin")
def revoke_token(user_id: int, token_id: int):
    session = db()
    token = user_service.revoke_api_token(session, token_id)
    audit.record(session, current(), "token.revoke", origin(), target=("api_token", token.id))
    session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.get("/departments", endpoint="departments")
@roles_required("admin")
def list_departments():
    return _departments_page(DepartmentForm())


@bp.post("/departments")
@roles_required("admin")
def create_department():
    form = DepartmentForm()
    session = db()
    if not form.validate_on_submit() or not form.code.data:
        if not (form.code.data and form.name.data):
            flash(_("Fill in a code and a name."), "error")
        return _departments_page(form, 400)
    try:
        department = departments.create_department(session, form.code.data, form.name.data, **form.editable())
    except DomainError as exc:
        session.rollback()
        show_refusal(form, exc)
        return _departments_page(form, exc.status)
    audit.record(session, current(), "department.create", origin(), target=("department", department.code))
    session.commit()
    flash(_("Department %(code)s created.", code=department.code), "success")
    return redirect(url_for("admin.departments"))


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_department(department_id: int):
    session = db()
    department = departments.get_department(session, department_id)
    form = DepartmentForm(obj=department)
    if not form.validate_on_submit():
        return _department_page(department, form, form_status(form))
    try:
        changes = departments.update_department(session, department, name=form.name.data, **form.editable())
    except DomainError as exc:
        session.rollback()
        show_refusal(form, exc)
        return _department_page(department, form, exc.status)
    audit.record(session, current(), "department.update", origin(), target=("department", department.code),
                 data=changes)
    session.commit()
    flash(_("Changes saved."), "success")
    return redirect(url_for("admin.departments"))


def _department_page(department, form: DepartmentForm, status: int):
    return render_template("admin/department_edit.html", department=department, form=form), status


def _departments_page(form: DepartmentForm, status: int = 200):
    return render_template("admin/departments.html", departments=departments.list_departments(db()), form=form), status


def _users_page(form: NewUserForm, status: int = 200):
    return render_template("admin/users.html", users=user_service.list_users(db()), form=form), status


def _new_user_form() -> NewUserForm:
    form = NewUserForm()
    form.departments.choices = department_choices(db())
    return form
