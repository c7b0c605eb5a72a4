"""Structured logging: text or JSON lines, with the request id, the user id or the rq job id on every record."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from webcare.config import Settings

_configured = False


class ContextFilter(logging.Filter):
    """Adds `request_id`, `user_id`, `job_id` and `func` to every record when known."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id()
        record.user_id = _user_id()
        job_id, func = _job()
        record.job_id = job_id
        record.func = func
        return True


def _request_id() -> str:
    try:
        from flask import g, has_request_context

        return g.get("request_id", "") if has_request_context() else ""
    except ImportError:  # pragma: no cover
        return ""


def _user_id() -> int | str:
    """The logged-in user's id if this request already loaded the user (logging never queries)."""
    try:
        from flask import g, has_request_context

        user = g.get("_login_user") if has_request_context() else None
    except ImportError:  # pragma: no cover
        return ""
    return user.id if user is not None and getattr(user, "is_authenticated", False) else ""


def _job() -> tuple[str, str]:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001  (outside a job rq may raise; logging must never fail)
        return "", ""
    return (job.id, job.func_name) if job else ("", "")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id", "job_id", "func"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_id_part)s%(user_id_part)s%(job_id_part)s: %(message)s"


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.request_id_part = f" req={record.request_id}" if getattr(record, "request_id", "") else ""
        record.user_id_part = f" user={record.user_id}" if getattr(record, "user_id", "") else ""
        record.job_id_part = f" job={record.job_id}" if getattr(record, "job_id", "") else ""
        return super().format(record)


def configure_logging(settings: Settings) -> None:
    """Install one handler on the root logger (once per process)."""
    global _configured
    if _configured or settings.env == "test":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    _configured = True
