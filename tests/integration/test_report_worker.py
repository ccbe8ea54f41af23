"""A real Celery worker over Redis builds an XLSX register and the regional DOCX report."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import select

from tests.integration.conftest import QUEUE, wait_for
from tests.webapp.helpers import user
from tests.webapp.jobs.conftest import fetch
from tests.webapp.reports import data
from webapp.extensions import db
from webapp.jobs import dispatch
from webapp.orgs.models import Region
from webapp.reports import jobs as reports

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


def finished(job_id: int, worker) -> dict:
    wait_for(lambda: fetch(job_id).finished, 120.0, f"report job {job_id}")
    job = fetch(job_id)
    assert job.state == "succeeded", (job.error, worker.log()[-3000:])
    return job.result


def test_worker_writes_the_register_and_the_regional_report(app, demo, worker, broker_url):
    app.config.update(JOBS_DISPATCH=True, CELERY_BROKER_URL=broker_url)
    app.config["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    app.extensions.pop(dispatch.EXTENSION, None)
    data.play_year()
    files = worker.log_path.parent / "uploads" / "jobs"

    register = reports.start_register(user(data.CURATOR), "documents")
    region_id = db.session.scalar(select(Region.id).where(Region.code == "08"))
    regional = reports.start_regional(user(data.COORD), region_id)
    db.session.commit()  # publishes both tasks to the worker

    result = finished(register.id, worker)
    book = openpyxl.load_workbook(Path(files, str(register.id), result["file"]), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert len(rows) - 1 == result["rows"] == 14 + len(data_criteria())
    result = finished(regional.id, worker)
    body = Path(files, str(regional.id), result["file"]).read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert "участвуют 3 школ(ы) из 3 муниципалитет(ов)" in text
    assert "jobs.report_regional" in worker.log() and "jobs.report_register" in worker.log()


def data_criteria() -> list[str]:
    from webapp.demo.data import CHECKLISTS

    return CHECKLISTS["concept"]
