"""The landing page after login and the ticket page, both scoped by role and department.

The overview shows agents, managers and admins what needs them (the inbox's saved views, with counts)
and the open tickets per status, each a link into the inbox; department staff land on their
department's workspace.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from webcare.auth import current
from webcare.extensions import db, runtime
from webcare.services import inbox, tickets

bp = Blueprint("main", __name__)
WORKSPACE = {"agent": "inbox.index", "manager": "inbox.index", "admin": "inbox.index",
             "department": "department.index"}


@bp.get("/")
@login_required
def home():
    if current().role == "department":  # their department's tickets are their landing page
        return redirect(url_for(WORKSPACE["department"]))
    session = db()
    return render_template("main/home.html", summary=tickets.summary_for(session, current()),
                           views=inbox.cached_view_counts(session, runtime().redis, current()),
                           workspace=WORKSPACE.get(current().role))


@bp.get("/tickets/<int:ticket_id>")
@login_required
def ticket(ticket_id: int):
    from webcare.web.tickets import show

    return show(ticket_id)
