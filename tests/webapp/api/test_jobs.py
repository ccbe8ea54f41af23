"""GET /api/v1/jobs/<id>: runs once ``webapp.jobs`` (built on another branch) is merged."""

from __future__ import annotations

import pytest

from tests.webapp.api.support import auth
from tests.webapp.helpers import CURATOR, SCHOOL

jobs_services = pytest.importorskip("webapp.jobs.services")


@pytest.fixture
def visible_job(monkeypatch):
    """Job 7 is visible to the curator only (the service decides visibility)."""
    calls = []

    def job_for(user, job_id):
        calls.append(job_id)
        return "job" if job_id == 7 and user.email == CURATOR else None

    body = {"id": 7, "state": "running", "progress": 40, "message": "Пары", "result": None}
    monkeypatch.setattr(jobs_services, "job_for", job_for)
    monkeypatch.setattr(jobs_services, "job_json", lambda job: body)
    return calls


def test_job_shows_state_progress_and_message(app, demo, client, visible_job):
    response = client.get("/api/v1/jobs/7", headers=auth(client, CURATOR))
    assert response.status_code == 200
    assert response.json["state"] == "running" and response.json["progress"] == 40
    assert response.json["message"] == "Пары" and response.json["result"] is None


def test_job_of_someone_else_or_unknown_is_not_found(app, demo, client, visible_job):
    assert client.get("/api/v1/jobs/7", headers=auth(client, SCHOOL)).status_code == 404
    assert client.get("/api/v1/jobs/8", headers=auth(client, CURATOR)).status_code == 404
    huge = client.get("/api/v1/jobs/99999999999", headers=auth(client, CURATOR))
    assert huge.status_code == 404 and huge.json["error"]["message"] == "Не найдено."
    assert visible_job == [7, 8]  # the out-of-range id never reached the service


def test_job_needs_a_token_and_is_in_the_spec(app, demo, client, visible_job):
    assert client.get("/api/v1/jobs/7").status_code == 401
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/jobs/{job_id}" in spec["paths"]
