"""A municipal coordinator runs a ВПР cross-check in Chromium (issue 9, coordinator side).

Creates the campaign, uploads the task table, a works list with one bad row (refused with its
row and column named, nothing stored), the good lists, runs the assignment job on a real Celery
worker over Redis and watches its progress page, opens the result and downloads the per-expert
list. The live server runs on PostgreSQL with job dispatch on.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests import pg_admin as pg
from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_document_journey import Actor
from tests.integration.conftest import (  # noqa: F401 (fixtures)
    broker_url,
    celery_config,
    producer,
    smtp_server,
    worker,
)
from tests.webapp.crosscheck.support import (
    MUN,
    experts_file,
    tasks_file,
    works_file,
    works_rows,
)
from webapp import create_app
from webapp.crosscheck.models import CrossCheckWork
from webapp.extensions import db

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def live(pg_url, broker_url, worker, tmp_path_factory) -> Iterator[tuple[str, object]]:  # noqa: F811
    from webapp.demo.services import load_demo

    pg.truncate_all(pg_url)
    folder = tmp_path_factory.mktemp("e2e-crosscheck")
    config = app_config(
        pg_url,
        folder / "uploads",
        WTF_CSRF_ENABLED=True,
        JOBS_DISPATCH=True,
        **celery_config(broker_url),
    )
    app = create_app(config)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-crosscheck", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_municipal_coordinator_runs_a_cross_check(browser, live, tmp_path: Path):
    base_url, app = live
    coordinator = Actor(browser, base_url, MUN)
    page = coordinator.page
    try:
        page.click("#nav-crosscheck")
        page.click("#new-campaign")
        page.fill("#title", "ВПР осень: Заларинский район")
        page.fill("#subjects", "math")
        page.fill("#grades", "5")
        page.fill("#second_percent", "0")
        page.click("#campaign-submit")
        expect(page.locator("#list-tasks")).to_be_visible()
        coordinator.ok()

        page.set_input_files("#file-tasks", str(tasks_file(tmp_path)))
        page.click("#upload-tasks")
        expect(page.locator("#list-tasks td[data-count]")).to_have_text("3")

        bad = works_rows(2)
        bad[1] = (bad[1][0], "math", 5, "10001", 0, 5, 1)  # task_2 above its maximum of 2
        bad_file = tmp_path / "bad"
        bad_file.mkdir()
        page.set_input_files("#file-works", str(works_file(bad_file, bad)))
        page.click("#upload-works")
        problems = page.locator("#list-problems")
        expect(problems).to_contain_text("строка 3, столбец task_2")
        expect(page.locator("#list-works td[data-count]")).to_have_text("0")
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(CrossCheckWork)) == 0

        page.set_input_files("#file-works", str(works_file(tmp_path)))
        page.click("#upload-works")
        expect(page.locator("#list-works td[data-count]")).to_have_text("36")
        page.set_input_files("#file-experts", str(experts_file(tmp_path)))
        page.click("#upload-experts")
        expect(page.locator("#list-experts td[data-count]")).to_have_text("6")

        page.click("#run-assignment")
        expect(page.locator("#job-bar")).to_be_visible()  # the progress page, refreshing itself
        expect(page.locator("#job-progress")).to_have_attribute(
            "data-state", "succeeded", timeout=120_000
        )
        expect(page.locator("#job-bar")).to_have_attribute("value", "100")
        page.click("#to-campaign")
        expect(page.locator("#all-placed")).to_be_visible()
        with page.expect_download() as download:
            page.click("#export-experts")
        path = download.value.path()
        book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        book.close()
        assert rows[0][0] == "Эксперт" and len(rows) == 37
        coordinator.ok()
    finally:
        coordinator.close()
