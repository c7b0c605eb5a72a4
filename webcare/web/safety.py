"""The "aangifte" export: a printable page with the facts of a threat, for a police report (logged)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, render_template
from flask_login import login_required

from webcare.auth import current
from webcare.extensions import db
from webcare.services import access, safety

bp = Blueprint("safety", __name__)


@bp.get("/tickets/<int:ticket_id>/aangifte")
@login_required
def aangifte(ticket_id: int):
    user = current()
    ticket = access.get_ticket_for(db(), user, ticket_id)
    if not safety.may_report(user):
        abort(403)
    report = safety.aangifte_report(db(), ticket, user)
    db().commit()
    raw = {m.id: json.dumps(m.raw, indent=2, ensure_ascii=False, sort_keys=True) if m.raw else None
           for m in report["messages"]}
    return render_template("safety/aangifte.html", report=report, raw=raw)
