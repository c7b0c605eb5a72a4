"""A web worker runs `web_request_slots` requests at a time, in arrival order, and takes no new connection
while they fill its slots; event streams pass by (webcare.request_gate, webcare.gunicorn_worker)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.unit.gunicorn_server import gunicorn_with_our_config
from webcare.request_gate import FairGate, RequestGate


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_a_freed_slot_goes_to_the_thread_that_waited_longest():
    gate = FairGate(1)
    gate.acquire()
    order: list[int] = []

    def take(n: int) -> None:
        with gate:
            order.append(n)

    threads = []
    for n in range(6):
        thread = threading.Thread(target=take, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=n: len(gate._waiting) == n + 1)  # each queues behind the one before
    gate.release()
    for thread in threads:
        thread.join(timeout=5)
    assert order == [0, 1, 2, 3, 4, 5]


def test_no_more_than_the_slots_run_at_once_and_all_get_their_turn():
    gate = FairGate(2)
    lock = threading.Lock()
    running = most = done = 0

    def work(_n: int) -> None:
        nonlocal running, most, done
        with gate:
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.005)
            with lock:
                running -= 1
                done += 1

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(work, range(60)))
    assert most == 2 and done == 60


def test_a_wait_that_times_out_gives_up_its_place():
    gate = FairGate(1)
    gate.acquire()
    assert gate.acquire(timeout=0.05) is False
    assert not gate._waiting
    gate.release()
    assert gate._free == 1 and gate.acquire(timeout=0) is True


def test_a_request_stuck_in_its_slot_lets_the_others_pass_after_the_patience(caplog):
    release_first = threading.Event()
    calls: list[str] = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/stuck":
            release_first.wait(5)
        return [b"ok"]

    gated = RequestGate(app, slots=1, patience=0.2)
    stuck = threading.Thread(target=gated, args=({"PATH_INFO": "/stuck"}, None))
    stuck.start()
    _wait_until(lambda: calls == ["/stuck"])
    assert not gated.stuck()
    started = time.monotonic()
    assert gated({"PATH_INFO": "/inbox"}, None) == [b"ok"]  # ran beside it, after the patience
    assert 0.15 < time.monotonic() - started < 2
    assert gated.stuck() and "older than" in caplog.text
    started = time.monotonic()
    assert gated({"PATH_INFO": "/inbox"}, None) == [b"ok"]
    assert time.monotonic() - started < 0.1  # stuck: the next one does not wait at all
    release_first.set()
    stuck.join(timeout=5)
    assert not gated.stuck() and gated.gate._free == 1 and not gated._holders


def test_a_gate_needs_a_slot():
    with pytest.raises(ValueError):
        FairGate(0)


def _app(calls: list[str]):
    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"ok"]
    return app


def test_the_event_stream_passes_by_a_full_gate_and_a_page_waits_for_its_turn():
    calls: list[str] = []
    gated = RequestGate(_app(calls), slots=1)
    gated.gate.acquire()  # a request is running
    stream = gated({"PATH_INFO": "/events/stream"}, lambda *a: None)
    assert list(stream) == [b"ok"] and gated.streams == 1
    stream.close()  # the server is done with it
    assert gated.streams == 0
    page = threading.Thread(target=gated, args=({"PATH_INFO": "/inbox"}, lambda *a: None))
    page.start()
    _wait_until(lambda: len(gated.gate._waiting) == 1)
    assert calls == ["/events/stream"]
    gated.gate.release()
    page.join(timeout=5)
    assert calls == ["/events/stream", "/inbox"]


def test_a_failing_request_gives_its_slot_back():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    gated = RequestGate(broken, slots=1)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            gated({"PATH_INFO": "/"}, lambda *a: None)
    assert gated.gate._free == 1


def test_zero_slots_is_no_gate():
    calls: list[str] = []
    assert RequestGate(_app(calls), slots=0).gate is None


def test_the_setting_reaches_the_app_and_bad_values_are_refused(settings):
    from webcare.app import create_app
    from webcare.config import ConfigError, load_settings

    assert create_app(settings.replace(web_request_slots=3)).config["WEBCARE_WEB_REQUEST_SLOTS"] == 3
    for bad in (-1, 65):
        with pytest.raises(ConfigError, match="web_request_slots"):
            load_settings(environ={}, config_path=None, overrides={
                "env": "test", "secret_key": settings.secret_key, "encryption_keys": list(settings.encryption_keys),
                "database_url": settings.database_url, "web_request_slots": bad})


def test_gunicorn_with_our_config_runs_one_request_at_a_time_per_worker():
    with gunicorn_with_our_config("tests.unit.gate_probe_app:app") as url, ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: requests.get(url, timeout=10).text, range(4)))
    assert max(map(int, answers)) == 1  # four at once on 16 threads, yet one ran at a time


def test_a_busy_worker_leaves_new_connections_to_an_idle_one():
    """Two requests at once on two workers with one slot each: each worker takes one (a gthread worker that
    accepts whatever comes would often take both and answer them one after the other)."""
    with gunicorn_with_our_config("tests.unit.gate_probe_app:app", workers=2) as url, \
            ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(8):
            pids = set(pool.map(lambda _: requests.get(url + "pid", timeout=10).text, range(2)))
            assert len(pids) == 2


def test_an_open_event_stream_does_not_keep_the_worker_from_new_requests():
    with gunicorn_with_our_config("tests.unit.gate_probe_app:app") as url, \
            requests.get(url + "events/stream", stream=True, timeout=10) as stream:
        assert stream.status_code == 200
        started = time.monotonic()
        assert requests.get(url, timeout=10).ok
        assert time.monotonic() - started < 0.9  # answered while the stream (1 s) is still open
        assert b"keepalive" in b"".join(stream.iter_content(None))


def test_clients_that_keep_asking_do_not_starve_a_new_connection():
    """Connections are not kept alive: a kept-alive connection is served by its own worker without passing
    the listening socket's shared queue, and eight busy clients on them kept a new client waiting for many
    seconds (30 s for an API client in bench/inbox_under_ingest.py)."""
    with gunicorn_with_our_config("tests.unit.gate_probe_app:app", workers=2) as url:
        stop = threading.Event()

        def busy() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    session.get(url + "quick", timeout=30)

        threads = [threading.Thread(target=busy) for _ in range(8)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)
            waits = []
            for _ in range(5):
                started = time.monotonic()
                answer = requests.get(url + "quick", timeout=30)
                waits.append(time.monotonic() - started)
                assert answer.headers.get("Connection", "").lower() == "close"
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert max(waits) < 2.0, waits  # nine clients of 20 ms on two workers: well under a second
