"""The year's reports in Chromium (issue 11 §4–§5).

The regional coordinator's dashboard shows the region's figures; from it the coordinator opens
«Отчёты», builds the region's analytical report as a job that a
real Celery worker runs over Redis, watches its page finish, downloads the DOCX, and the test
opens it with python-docx and finds the region's real numbers; the PDF conclusion of the checked
concept downloads from the document page and holds the checklist. PostgreSQL, dispatch on.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import docx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
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
from tests.webapp.reports import data
from webapp import create_app
from webapp.demo.data import CHECKLISTS
from webapp.extensions import db

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def live(pg_url, broker_url, worker, tmp_path_factory) -> Iterator[tuple[str, int]]:  # noqa: F811
    from webapp.demo.services import load_demo

    pg.truncate_all(pg_url)
    config = app_config(
        pg_url,
        worker.log_path.parent / "uploads",  # the worker writes the job's file there
        WTF_CSRF_ENABLED=True,
        JOBS_DISPATCH=True,
        **celery_config(broker_url),
    )
    app = create_app(config)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        concept_id = data.play_year().id
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-reports", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", concept_id
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def column_sum(page, table: str, cell: str) -> int:
    """The sum of one column of a dashboard table (a state absent from every row has no cells)."""
    return sum(int(t) for t in page.locator(f"{table} tbody {cell}").all_inner_texts())


def test_coordinator_builds_the_regional_report_and_reads_the_conclusion(browser, live, tmp_path):
    base_url, concept_id = live
    coordinator = Actor(browser, base_url, data.COORD)
    page = coordinator.page
    try:
        # The dashboard shows the region's figures (counted by hand from data.py), then links on.
        page.goto("/dashboard")
        expect(page.locator("#territory-documents")).to_be_visible()
        assert column_sum(page, "#territory-documents", "[data-total]") == 15
        assert column_sum(page, "#territory-documents", "[data-state=approved]") == 1
        assert column_sum(page, "#territory-measures", "[data-total]") == 2
        assert column_sum(page, "#territory-measures", "[data-state=accepted]") == 1
        page.click("#reports-link")
        expect(page.get_by_role("heading", name="Отчёты", exact=True)).to_be_visible()
        expect(page.locator("#region option:checked")).to_have_text("Республика Калмыкия")
        page.click("#start-regional")
        expect(page.locator("#job-bar")).to_be_visible()  # the job page, refreshing itself
        expect(page.locator("#job-progress")).to_have_attribute(
            "data-state", "succeeded", timeout=120_000
        )
        with page.expect_download() as info:
            page.click("#job-download")
        path = tmp_path / "report.docx"
        info.value.save_as(path)
        assert info.value.suggested_filename.startswith("Аналитическая справка Республика Калмыкия")
        document = docx.Document(path)
        text = "\n".join(p.text for p in document.paragraphs)
        rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
        # Counted by hand from tests/webapp/reports/data.py (see test_regional.py).
        assert "участвуют 3 школ(ы) из 3 муниципалитет(ов)" in text
        assert "Всего документов школ-участниц: 15, из них утверждено 1" in text
        assert "выездов в школы — 2, онлайн-встреч — 0, телефонных разговоров — 1" in text
        assert "Мероприятий антирисковых программ: 2; отчётов принято 1" in text
        assert any(data.REASON in row for row in rows)
        coordinator.ok()

        page.goto(f"/documents/{concept_id}")
        link = page.locator("#conclusion-pdf")
        expect(link).to_have_text("Заключение по чек-листу (PDF)")
        response = page.request.get(link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.body()))
        pdf = " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())
        assert "Заключение по чек-листу проверки документа" in pdf
        assert CHECKLISTS["concept"][0] in pdf and data.REMARK in pdf
        coordinator.ok()
    finally:
        coordinator.close()
