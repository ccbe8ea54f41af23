"""End-to-end fixtures: the real app on a live HTTP server, driven by a headless Chromium."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import CI, app_config
from webapp import create_app
from webapp.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-sync",
    "--disable-quic",
]
DEMO_PASSWORD = "demo-pass"


@pytest.fixture(scope="module")
def live_server(sqlite_template: Path, tmp_path_factory) -> Iterator[str]:
    """The app with CSRF on and the demo world, served over HTTP; yields the base URL."""
    from webapp.demo.services import load_demo

    folder = tmp_path_factory.mktemp("e2e")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    app = create_app(app_config(f"sqlite:///{database}", folder / "uploads", WTF_CSRF_ENABLED=True))
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium (no browser downloads); fails instead of skipping on CI."""
    if not CHROMIUM.exists():
        if CI:
            pytest.fail(f"{CHROMIUM} is missing (CI=true)")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
