"""Prometheus metrics at /metrics (who may scrape, what is in it) and /readyz per dependency."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue, Worker
from rq.cron_scheduler_registry import get_registry_key

from tests import factories as f
from webcare.app import create_app
from webcare.db import utcnow
from webcare.runtime import Runtime

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.10"}


def _app(runtime, **changes):
    changed = Runtime(settings=runtime.settings.replace(**changes), engine=runtime.engine,
                      redis_override=runtime.redis)
    return create_app(runtime=changed)


def _samples(response) -> dict:
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_scrape_needs_the_token_or_an_allowed_address(runtime):
    client = _app(runtime, metrics_token="scrape-secret-123").test_client()
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 403
    assert client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer scrape-secret-123"})
    assert ok.status_code == 200 and ok.mimetype == "text/plain"
    assert client.get("/metrics").status_code == 200  # from 127.0.0.1 (allowed by default)
    network = _app(runtime, metrics_allowed_ips=["192.0.2.0/24"]).test_client()
    assert network.get("/metrics", environ_base=ELSEWHERE).status_code == 200


def test_behind_trusted_proxies_the_client_address_is_the_forwarded_one(runtime):
    """With trusted_proxies the address the proxy forwards counts (for /metrics, the throttle, the audit log);
    without it a client cannot claim another address by sending the header itself."""
    forwarded = {"X-Forwarded-For": "192.0.2.10"}
    direct = _app(runtime, metrics_allowed_ips=["192.0.2.0/24"]).test_client()
    assert direct.get("/metrics", headers=forwarded).status_code == 403  # from 127.0.0.1, header ignored
    proxied = _app(runtime, metrics_allowed_ips=["192.0.2.0/24"], trusted_proxies=1).test_client()
    assert proxied.get("/metrics", headers=forwarded).status_code == 200
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 403


def test_metrics_show_queues_channels_sla_and_latency(client, session, redis):
    f.seeded(session)
    broken = f.channel(session, name="mastodon-kapot", last_error="503", last_error_at=utcnow(),
                       last_polled_at=utcnow())
    f.channel(session, name="mastodon-goed", last_polled_at=utcnow(), last_success_at=utcnow() - timedelta(seconds=30))
    f.ticket(session, channel_=broken, department_code="OW", sla_level="breached")
    f.ticket(session, department_code="OW", sla_level="at_risk")
    session.commit()
    Queue("ingest", connection=redis).enqueue("workers.ingest.does_not_matter", 1)
    user = f.user(session, "agent")
    session.commit()
    f.login(client, user.email)
    for _ in range(3):
        assert client.get("/").status_code == 200
    found = _samples(client.get("/metrics"))
    assert found[("webcare_queue_jobs", (("queue", "ingest"),))] == 1
    assert found[("webcare_queue_failed_jobs", (("queue", "replies"),))] == 0
    assert found[("webcare_channel_poll_error", (("channel", "mastodon-kapot"), ("platform", "mastodon"),
                                                   ("state", "error")))] == 1
    assert found[("webcare_channel_poll_error", (("channel", "mastodon-goed"), ("platform", "mastodon"),
                                                   ("state", "ok")))] == 0
    assert found[("webcare_open_tickets", (("department", "OW"), ("sla_level", "breached")))] == 1
    assert found[("webcare_open_tickets", (("department", "OW"), ("sla_level", "at_risk")))] == 1
    count = found[("webcare_http_request_duration_seconds_count", (("endpoint", "main.home"),))]
    assert count == 3
    assert found[("webcare_http_request_duration_seconds_bucket", (("endpoint", "main.home"), ("le", "+Inf")))] == 3
    assert found[("webcare_workers", ())] == 0


def test_readyz_reports_each_dependency(client):
    body = client.get("/readyz").get_json()
    assert set(body["checks"]) == {"database", "redis", "workers", "scheduler"}
    assert body["checks"]["workers"] == {"ok": False, "count": 0, "queues": [], "required": False}
    assert body["checks"]["scheduler"]["ok"] is False and body["status"] == "ready"  # not required by default


def test_readyz_503_when_required_workers_and_scheduler_are_missing(runtime, redis):
    client = _app(runtime, readiness_required=["database", "redis", "workers", "scheduler"]).test_client()
    assert client.get("/readyz").status_code == 503
    worker = Worker(["ingest", "replies"], connection=redis)
    worker.register_birth()
    redis.zadd(get_registry_key(), {"scheduler-1": time.time() - 5})
    try:
        response = client.get("/readyz")
        body = response.get_json()
        assert response.status_code == 200, body
        assert body["checks"]["workers"]["count"] == 1 and body["checks"]["workers"]["queues"] == ["ingest", "replies"]
        assert body["checks"]["scheduler"]["heartbeat_age_seconds"] < 60
        redis.zadd(get_registry_key(), {"scheduler-1": time.time() - 600})  # its heartbeat stopped
        stale = client.get("/readyz")
        assert stale.status_code == 503 and stale.get_json()["checks"]["scheduler"]["ok"] is False
    finally:
        worker.register_death()


@pytest.mark.parametrize("bad", [{"readiness_required": ["database", "queue"]}, {"metrics_allowed_ips": ["nope"]},
                                 {"trusted_proxies": -1}, {"trusted_proxies": 9}])
def test_bad_settings_are_refused(settings, bad):
    from webcare.config import ConfigError, load_settings

    with pytest.raises(ConfigError):
        load_settings(environ={}, config_path=None, overrides={
            "env": "test", "secret_key": settings.secret_key, "encryption_keys": list(settings.encryption_keys),
            "database_url": settings.database_url, **bad})
