"""Admin page for dead letters: failed jobs with their error and payload; retry or discard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webcare.auth import current, roles_required
from webcare.extensions import db, runtime
from webcare.services import audit, deadletters
from webcare.web.forms import EmptyForm
from webcare.web.nav import add_nav
from webcare.web.request_origin import origin

bp = Blueprint("deadletters", __name__, url_prefix="/admin/dead-letters")
add_nav("deadletters.index", _l("Dead letters"), "admin")


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("deadletters/index.html", letters=deadletters.dead_letters(runtime().redis),
                           form=EmptyForm())


@bp.post("/<job_id>/<any(retry, discard):action>")
@roles_required("admin")
def act(job_id: str, action: str):
    if action == "retry":
        deadletters.retry(runtime().redis, job_id)
        flash(_("The job is queued again."), "success")
    else:
        deadletters.discard(db(), runtime().redis, job_id)
        flash(_("The job is discarded."), "success")
    audit.record(db(), current(), f"deadletter.{action}", origin(), target=("job", job_id))
    db().commit()
    return redirect(url_for(".index"))
