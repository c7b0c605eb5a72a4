"""GET /metrics for Prometheus (bearer token or allowed IPs, see `metrics_token`/`metrics_allowed_ips`),
and the request timer: it feeds the latency histogram of every web process and writes one log line per
request (with its request id and user id, see webcare/logs.py)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST

from webcare.auth import bearer_token
from webcare.extensions import db, runtime
from webcare.runtime import RedisNotConfigured
from webcare.security import csrf
from webcare.services import ops_metrics

bp = Blueprint("prometheus", __name__)
request_log = logging.getLogger("webcare.requests")
csrf.exempt(bp)


@bp.get("/metrics")
def metrics():
    if not _allowed():
        abort(403)
    body = ops_metrics.exposition(db(), _redis())
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


def _allowed() -> bool:
    settings = runtime().settings
    token = bearer_token()
    if settings.metrics_token and token is not None:
        return hmac.compare_digest(token.encode(), settings.metrics_token.encode())
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in settings.metrics_allowed_ips)


def _redis():
    try:
        return runtime().redis
    except RedisNotConfigured:
        return None


def init_request_timer(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_log_request)
    app.teardown_request(_record)


def _log_request(response: Response) -> Response:
    response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
    started = g.get("request_started")
    if started is not None and request.endpoint != "static":
        request_log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code,
                         (time.perf_counter() - started) * 1000)
    return response


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _record(_exc=None) -> None:
    started = g.pop("request_started", None)
    if started is None or request.endpoint in ("static", "prometheus.metrics", "live.stream"):
        return
    redis = _redis()
    if redis is not None:
        ops_metrics.record_latency(redis, request.endpoint or "unmatched", time.perf_counter() - started)
