"""The landing page after login and the ticket page, both scoped by role and department.

The overview links agents to the inbox and department staff to their department's workspace.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from webcare.auth import current
from webcare.extensions import db
from webcare.services import tickets

bp = Blueprint("main", __name__)
WORKSPACE = {"agent": "inbox.index", "manager": "inbox.index", "admin": "inbox.index",
             "department": "department.index"}


@bp.get("/")
@login_required
def home():
    if current().role == "department":  # their department's tickets are their landing page
        return redirect(url_for(WORKSPACE["department"]))
    return render_template("main/home.html", summary=tickets.summary_for(db(), current()),
                           workspace=WORKSPACE.get(current().role))


@bp.get("/tickets/<int:ticket_id>")
@login_required
def ticket(ticket_id: int):
    from webcare.web.tickets import show

    return show(ticket_id)
