"""Screenshots of the dashboards for the README: a fresh SQLite database, a synthetic history imported with
`webcare import` (`webcare.demo_history.generate`), the app served locally, Debian's Chromium driven by Playwright.

    .venv/bin/pip install playwright          # the Python package only: never `playwright install`
    .venv/bin/python docs/screenshots/make_screenshots.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
from pathlib import Path

from click.testing import CliRunner
from cryptography.fernet import Fernet
from werkzeug.serving import make_server

from webcare import migrate
from webcare.app import create_app
from webcare.cli import Context
from webcare.cli import main as webcare_main
from webcare.config import load_settings
from webcare.demo_history import generate
from webcare.models import Channel
from webcare.runtime import build_runtime
from webcare.services import seed
from webcare.services.users import create_user

PASSWORD = "screenshots 0123456789"
AGENTS = ["anna@gemeente.nl", "piet@gemeente.nl", "fatima@gemeente.nl"]
FEEDBACK = {"AFV": "bob@gemeente.nl", "OW": "olga@gemeente.nl", "OVL": "lars@gemeente.nl"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def prepare(workdir: Path):
    url = f"sqlite:///{workdir / 'screens.db'}"
    migrate.upgrade(url)
    settings = load_settings(environ={}, config_path=None, overrides={
        "env": "test", "database_url": url, "redis_url": "", "secret_key": "screenshots-secret-0123456789",
        "encryption_keys": [Fernet.generate_key().decode()], "instance_path": str(workdir), "demo_feed": False,
        "two_factor_required_roles": []})
    runtime = build_runtime(settings)
    with runtime.transaction() as session:
        seed.seed_defaults(session)
        session.add(Channel(platform="mastodon", name="gemeente-mastodon", handle="gemeente"))
        for email in AGENTS:
            create_user(session, email, "agent", name=email.split("@")[0].title(), department_codes=("KCC",))
        for code, email in FEEDBACK.items():
            create_user(session, email, "department", name=email.split("@")[0].title(), department_codes=(code,))
        create_user(session, "manager@gemeente.nl", "manager", name="Marieke (manager)", password=PASSWORD)
    history = workdir / "history.ndjson"
    from datetime import datetime
    from zoneinfo import ZoneInfo
    end = datetime.now(ZoneInfo("Europe/Amsterdam")).replace(microsecond=0)
    lines = generate(420, 75, end, "gemeente-mastodon", AGENTS, FEEDBACK)
    history.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    ctx = Context()
    ctx._settings, ctx._runtime = settings, runtime
    result = CliRunner().invoke(webcare_main, ["import", str(history)], obj=ctx, catch_exceptions=False)
    print(result.output)
    return runtime


def shoot(runtime, chromium: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    app = create_app(runtime=runtime)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "manager@gemeente.nl")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            for name, path in [("dashboard", "/dashboards/"), ("dashboard-now", "/dashboards/now")]:
                page.goto(base + path)
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print("wrote", out / f"{name}.png")
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        runtime = prepare(Path(workdir))
        shoot(runtime, args.chromium, Path(__file__).parent)
        runtime.dispose()


if __name__ == "__main__":
    main()
