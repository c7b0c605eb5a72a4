"""Browser tests: Playwright driving Debian's chromium (headless) against the app served by a real HTTP server.

Never downloads Playwright's own browsers. Without chromium or the `playwright` package the tests skip
with a message that says how to enable them.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from webcare.app import create_app

CHROMIUM = os.environ.get("WEBCARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
HOW_TO_ENABLE = ("browser tests need Debian's chromium and the playwright package: `apt-get install -y chromium` "
                 "and `pip install playwright` (Playwright's own browsers are not used)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(HOW_TO_ENABLE)
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(HOW_TO_ENABLE)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(runtime) -> Iterator[str]:
    """The app on a free port, threaded (the event stream holds a thread), for this test only."""
    app = create_app(runtime=runtime)
    app.config["WEBCARE_STREAM_SECONDS"] = 8
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts (one per person), with CSP and script errors collected."""
    contexts = []

    def make(base_url: str):
        context = browser.new_context(base_url=base_url, locale="nl-NL", viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda msg: page.errors.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
