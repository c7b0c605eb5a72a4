"""The application factory: `create_app(settings=None)` is the only place a Flask app exists."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from webcare.config import Settings, load_settings
from webcare.db import MAX_ID
from webcare.json_provider import OrjsonProvider
from webcare.runtime import Runtime, build_runtime

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    settings = settings or (runtime.settings if runtime else load_settings())
    _configure_logging(settings)
    app = Flask("webcare", template_folder=str(_templates_dir()), static_folder=str(PACKAGE_DIR / "static"),
                instance_path=str(settings.instance_dir))
    _configure_flask(app, settings)
    if settings.trusted_proxies:  # the client's address, scheme and host as the proxies in front saw them
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions["webcare"] = runtime or build_runtime(settings)
    _init_extensions(app)
    _register_blueprints(app)
    return app


def _templates_dir() -> Path:
    """Templates live at the top of the repository (see ARCHITECTURE.md); fall back to the cwd."""
    return TEMPLATES_DIR if TEMPLATES_DIR.is_dir() else Path.cwd() / "templates"


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond `MAX_ID` is no id (404), not a database error (500)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def _configure_flask(app: Flask, settings: Settings) -> None:
    app.url_map.converters["int"] = IdConverter
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_NAME="webcare_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.cookie_secure,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        BABEL_DEFAULT_LOCALE=settings.language,
        BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE_DIR / "translations"),
        WEBCARE_TIMEZONE=settings.timezone,
        WEBCARE_WEB_REQUEST_SLOTS=settings.web_request_slots,  # read by webcare.gunicorn_worker
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        TESTING=settings.env == "test",
    )
    app.json = OrjsonProvider(app)


def _init_extensions(app: Flask) -> None:
    from webcare.auth import init_auth
    from webcare.extensions import close_db
    from webcare.i18n import init_i18n
    from webcare.security import init_security
    from webcare.web.templating import init_templating

    init_security(app)
    init_auth(app)
    init_i18n(app)
    init_templating(app)
    app.teardown_appcontext(close_db)


def _register_blueprints(app: Flask) -> None:
    from webcare.api import register_api
    from webcare.web import register_web

    register_web(app)
    register_api(app)


def _configure_logging(settings: Settings) -> None:
    from webcare.logs import configure_logging

    configure_logging(settings)
    logging.getLogger("webcare").setLevel(settings.log_level.upper())
