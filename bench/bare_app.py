"""The baseline for bench/inbox.py: a bare Flask + SQLAlchemy endpoint returning 50 ticket rows as JSON.

Same model, same engine settings, same gunicorn worker settings as Webcare, but no login, no scoping,
no filters, no templates: what the stack costs by itself. Run as `gunicorn 'bench.bare_app:create()'`
with WEBCARE_DATABASE_URL set.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from webcare.config import load_settings
from webcare.db import make_engine
from webcare.models import Ticket


def create() -> Flask:
    app = Flask("bare")
    app.config["WEBCARE_WEB_REQUEST_SLOTS"] = load_settings().web_request_slots  # the same gate as Webcare's
    engine = make_engine(os.environ["WEBCARE_DATABASE_URL"])
    factory = sessionmaker(bind=engine)

    @app.get("/bare")
    def bare():
        with factory() as session:
            rows = session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(50)).all()
            return jsonify(items=[{"id": t.id, "status": t.status, "subject": t.subject, "priority": t.priority,
                                   "next_due_at": t.next_due_at.isoformat() if t.next_due_at else None}
                                  for t in rows])

    return app
