"""Fixtures of the reports' tests: the played Kalmykia year and a job runner in-process."""

from __future__ import annotations

import io

import pytest

from tasks import jobs as job_tasks
from tests.webapp.reports import data
from webapp.extensions import db
from webapp.jobs.models import Job


@pytest.fixture
def year(demo):
    """The Kalmykia year of ``data.play_year``; returns the approved concept."""
    return data.play_year()


def run(job_id: int) -> Job:
    """Run a report job's task body here (the worker's code path, without the broker)."""
    job = db.session.get(Job, job_id)
    task = (
        job_tasks.report_regional
        if job.kind == "reports.regional_docx"
        else (job_tasks.report_register)
    )
    task.run(job_id=job_id)
    db.session.expire_all()
    return db.session.get(Job, job_id)


def start(client, url: str, data_: dict | None = None) -> int:
    response = client.post(url, data=data_ or {})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def download(client, job_id: int) -> io.BytesIO:
    response = client.get(f"/reports/jobs/{job_id}/file")
    assert response.status_code == 200, response.status_code
    body = response.data
    response.close()  # send_file keeps the file open until the response is closed
    return io.BytesIO(body)
