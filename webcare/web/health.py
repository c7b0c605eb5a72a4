"""Health endpoints: /healthz (the process is alive) and /readyz (each dependency, 503 if a required one
is down; which ones are required is the `readiness_required` setting)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from webcare.extensions import runtime
from webcare.runtime import RedisNotConfigured
from webcare.security import csrf
from webcare.services import readiness

bp = Blueprint("health", __name__)
csrf.exempt(bp)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    redis = _redis()
    checks = {
        "database": readiness.check_database(runtime().engine),
        "redis": readiness.check_redis(redis),
        "workers": readiness.check_workers(redis),
        "scheduler": readiness.check_scheduler(redis),
    }
    required = runtime().settings.readiness_required
    for name, check in checks.items():
        check["required"] = name in required
    ready = all(check["ok"] for name, check in checks.items() if name in required)
    return jsonify(status="ready" if ready else "not_ready", checks=checks), 200 if ready else 503


def _redis():
    try:
        return runtime().redis
    except RedisNotConfigured:
        return None
