"""A worker outlives Redis going away between jobs: rq's suspension check at the top of its loop and its
periodic maintenance reach Redis outside rq's own handling of a lost connection, so an outage at that moment
ended the worker (found by the Redis-restart fault test in CI). They now wait for Redis instead."""

from __future__ import annotations

import logging
import socket
import threading

from redis import Redis

from workers.heartbeat import BeatingWorker


def _away(worker: BeatingWorker) -> None:
    """Point the worker at a port where no Redis listens, as if its Redis went away."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    away = Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)
    worker.connection = away
    for queue in worker.queues:
        queue.connection = away


def _outcome(call) -> tuple[threading.Thread, list]:
    raised: list = []

    def run() -> None:
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - what the worker's loop would have died of
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, raised


def test_the_suspension_check_and_maintenance_wait_for_redis_instead_of_raising(redis, caplog):
    worker = BeatingWorker(["ingest"], connection=redis)
    _away(worker)
    with caplog.at_level(logging.WARNING, logger="workers.heartbeat"):
        for call in (lambda: worker.check_for_suspension(False), worker.run_maintenance_tasks):
            worker._stop_requested = False
            thread, raised = _outcome(call)
            thread.join(1.0)
            assert thread.is_alive() and raised == []  # waiting for Redis, not ended
            worker._stop_requested = True  # a shutdown ends the wait
            thread.join(15)
            assert not thread.is_alive() and raised == []
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "worker suspension check skipped", "worker maintenance skipped"]


def test_the_wait_ends_when_redis_answers_again(redis):
    worker = BeatingWorker(["ingest"], connection=redis)
    thread, raised = _outcome(worker._wait_for_redis)
    thread.join(5)
    assert not thread.is_alive() and raised == []
