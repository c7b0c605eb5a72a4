"""The department workspace: the department's own tickets, those waiting for its feedback first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from webcare.auth import current, roles_required
from webcare.extensions import db
from webcare.services import department_view
from webcare.web.nav import add_nav

bp = Blueprint("department", __name__)
add_nav("department.index", _l("My department"), "department")


@bp.get("/department")
@login_required
@roles_required("department")
def index():
    return render_template("department/index.html", lists=department_view.lists_for(db(), current()))
