"""A Flask app for tests/unit/test_request_gate.py. `/` sleeps a little and answers with the most requests
it saw running at once in this process; `/pid` sleeps and answers with the process id; `/quick` sleeps 20 ms; `/events/stream`
(a path the gate lets pass) streams for a second."""

import os
import threading
import time

from flask import Flask

app = Flask("gate_probe")
app.config["WEBCARE_WEB_REQUEST_SLOTS"] = 1
_lock = threading.Lock()
_running = 0
_most = 0


@app.get("/")
def probe():
    global _running, _most
    with _lock:
        _running += 1
        _most = max(_most, _running)
    time.sleep(0.2)
    with _lock:
        _running -= 1
        return str(_most)


@app.get("/pid")
def pid():
    time.sleep(0.3)
    return str(os.getpid())


@app.get("/quick")
def quick():
    time.sleep(0.02)
    return "ok"


@app.get("/events/stream")
def stream():
    def frames():
        for _ in range(10):
            time.sleep(0.1)
            yield ": keepalive\n\n"
    return app.response_class(frames(), mimetype="text/event-stream")
