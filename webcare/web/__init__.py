"""The server-rendered UI: one blueprint per area, registered here."""

from __future__ import annotations

import importlib
import uuid

from flask import Flask, g, request

# One line per area; each module has a blueprint `bp`.
BLUEPRINT_MODULES = (
    "health",
    "prometheus",
    "auth_views",
    "main",
    "admin",
    "notifications",
    "sla_admin",
    "categories_admin",
    "two_factor",
    "privacy",
    "safety",
    "routing_admin",
    "inbox",
    "canned",
    "tickets",
    "department",
    "live",
    "dashboards",
)


def register_web(app: Flask) -> None:
    from webcare.web import errors, prometheus, request_origin

    app.before_request(_assign_request_id)
    prometheus.init_request_timer(app)
    app.before_request(request_origin.remember_origin)
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f"webcare.web.{name}").bp)
    errors.register_error_handlers(app)
    _register_ingest(app)


def _register_ingest(app: Flask) -> None:
    from webcare.web import channels, deadletters, deliveries, webhooks

    for blueprint in (channels.bp, deadletters.bp, deliveries.bp, webhooks.bp):
        app.register_blueprint(blueprint)


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming[:64] if incoming.isascii() and incoming.isprintable() and incoming else uuid.uuid4().hex[:16]
