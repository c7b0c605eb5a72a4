"""A small real HTTP server for platform fakes: werkzeug in a thread, routes, injected faults, a request log.

A fake subclasses `FakeServer`, registers routes with `route(method, pattern)` (a regex on the path,
groups become arguments) and answers `(status, body, headers)`. Tests inject faults that answer
instead of the route (`fault(...)`), count the requests (`requests`), and use the fake's own helpers
to act as citizens.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

Answer = tuple[int, Any, dict[str, str]]
Handler = Callable[..., Answer]


@dataclass
class Fault:
    path: str  # regex searched in the path
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    count: int = 1


@dataclass
class Seen:
    method: str
    path: str
    args: dict[str, str]
    headers: dict[str, str]
    body: Any


class FakeServer:
    """Subclasses add routes in `__init__` and may override `headers_for()` (e.g. rate-limit headers)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.routes: list[tuple[str, re.Pattern, Handler]] = []
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self._server = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeServer:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- routes and faults ------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def fault(self, path: str, status: int, body: Any = None, *, headers: dict[str, str] | None = None,
              method: str | None = None, count: int = 1) -> Fault:
        fault = Fault(path, status, body, dict(headers or {}), method, count)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def seen(self, path: str, method: str | None = None) -> list[Seen]:
        return [r for r in self.requests if re.search(path, r.path) and (method is None or r.method == method)]

    def headers_for(self, request: Request, status: int) -> dict[str, str]:
        return {}

    # -- WSGI -------------------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            status, body, headers = self._answer(request)
        except Exception as exc:  # noqa: BLE001  (a bug in the fake must show, not hang the client)
            logging.getLogger(__name__).exception("fake server error")
            status, body, headers = 500, {"error": "InternalServerError", "message": repr(exc)}, {}
        response = Response(json.dumps(body) if body is not None else "", status=status,
                            content_type="application/json")
        for name, value in {**self.headers_for(request, status), **headers}.items():
            response.headers[name] = str(value)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append(Seen(request.method, request.path, dict(request.args),
                                      dict(request.headers), _body(request)))
            fault = self._take_fault(request)
            if fault is not None:
                return fault.status, fault.body, dict(fault.headers)
            for method, pattern, handler in self.routes:
                match = pattern.match(request.path)
                if match and method == request.method:
                    return handler(request, *match.groups())
        return 404, {"error": "NotFound", "message": f"no route {request.method} {request.path}"}, {}

    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if re.search(fault.path, request.path) and (fault.method in (None, request.method)):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None


def _body(request: Request) -> Any:
    if request.mimetype == "application/json":
        return request.get_json(silent=True)
    if request.mimetype == "application/x-www-form-urlencoded":
        return dict(request.form)
    return None
