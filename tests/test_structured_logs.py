"""Structured logs: a JSON line per record, with the request id and user id of a request and the job id of
an rq job (webcare/logs.py); the text format carries the same ids."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager

from rq import Queue

from tests import factories as f
from webcare.logs import TEXT_FORMAT, ContextFilter, JsonFormatter, TextFormatter
from workers.heartbeat import BeatingWorker


@contextmanager
def captured(formatter, *loggers: str):
    """Log lines of `loggers` at INFO, formatted as in production (the handler configure_logging installs)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(formatter)
    previous = {}
    for name in loggers:
        logger = logging.getLogger(name)
        previous[name] = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for name in loggers:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(previous[name])


def _json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_requests_log_line_carries_its_request_id_and_user_id(client, session):
    f.seeded(session)
    user = f.user(session, "agent")
    session.commit()
    f.login(client, user.email)
    with captured(JsonFormatter(), "webcare.requests") as stream:
        response = client.get("/inbox", headers={"X-Request-Id": "req-abc-123"})
        client.get("/inbox")
    assert response.headers["X-Request-Id"] == "req-abc-123"
    first, second = _json_lines(stream)
    assert first["message"].startswith("GET /inbox 200")
    assert first["request_id"] == "req-abc-123" and first["user_id"] == user.id
    assert first["level"] == "INFO" and first["logger"] == "webcare.requests" and "at" in first
    assert second["request_id"] not in ("", "req-abc-123")  # a new id for a request that brought none
    assert "job_id" not in first


def test_a_jobs_log_lines_carry_its_job_id(redis, runtime):
    queue = Queue("low", connection=redis)
    job = queue.enqueue("workers.retention.anonymise_expired")
    with captured(JsonFormatter(), "workers") as stream:
        BeatingWorker([queue], connection=redis).work(burst=True)
    lines = [line for line in _json_lines(stream) if line["message"].startswith("retention:")]
    assert len(lines) == 1
    assert lines[0]["job_id"] == job.id and lines[0]["func"] == "workers.retention.anonymise_expired"
    assert "request_id" not in lines[0]


def test_text_format_has_the_ids_too(client):
    with captured(TextFormatter(TEXT_FORMAT), "webcare.requests") as stream:
        client.get("/healthz", headers={"X-Request-Id": "req-text-1"})
    assert " req=req-text-1" in stream.getvalue() and "GET /healthz 200" in stream.getvalue()
