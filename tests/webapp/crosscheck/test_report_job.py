"""The objectivity report of a large level through its job (``webapp/crosscheck/report_jobs.py``).

``CROSSCHECK_REPORT_INLINE_WORKS = 0`` makes every level "large", so the small test world takes
the job path; the job runs in-process through the platform's runner (``tasks.jobs.run_job``).
Expected figures are computed by hand from the world: six works with school points
[2, 2, 1, 1, 0] (total 6, mark 4 with boundaries 3 / 6 / 9).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tasks.jobs import run_job
from tests.webapp.crosscheck import world as w
from webapp.auth.models import User
from webapp.crosscheck.report_jobs import run_report
from webapp.crosscheck.sheets import submit_points
from webapp.extensions import db
from webapp.jobs import services as job_services
from webapp.jobs.kinds import CROSSCHECK_REPORT
from webapp.jobs.models import Job

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
DEMO = "demo-pass"
COORD = "coord.38@ekspertiza.local"
OTHER_REGION = "coord.08@ekspertiza.local"
VER = "school.38-ver@ekspertiza.local"
TROI = "school.38-troi@ekspertiza.local"


@pytest.fixture
def xc(app, demo):
    app.config["CROSSCHECK_REPORT_INLINE_WORKS"] = 0
    app.config["CROSSCHECK_REPORT_VERSION_SECONDS"] = 0
    world = w.build()
    sheet = w.give(world, "38-VER-1", "38-TROI")
    expert = db.session.scalar(select(User).where(User.email == "expert.38-troi@test"))
    submit_points(sheet.id, [1, 1, 1, 1, 0], actor=expert)  # 4 against the school's 6: 4 → 3
    db.session.commit()
    return world


def report_jobs() -> list[Job]:
    db.session.expire_all()
    stmt = select(Job).where(Job.kind == CROSSCHECK_REPORT).order_by(Job.id)
    return list(db.session.scalars(stmt))


def run_latest() -> Job:
    job = report_jobs()[-1]
    assert run_job(job.id, run_report) == "succeeded"
    return db.session.get(Job, job.id, populate_existing=True)


@BOTH
def test_the_region_report_is_computed_by_a_job_and_stored(client, xc):
    cid = xc.campaign.id
    url = f"/crosschecks/{cid}/objectivity"
    w.login(client, COORD, DEMO)
    first = client.get(url)
    assert first.status_code == 200
    assert 'id="report-job"' in first.text and 'id="summary"' not in first.text
    assert 'data-poll-url="/crosschecks/' in first.text  # progress without reloading
    [job] = report_jobs()
    assert job.state == "queued" and job.started_by_id is not None
    assert {k: job.params[k] for k in ("campaign_id", "school_id", "municipality_id")} == {
        "campaign_id": cid,
        "school_id": None,
        "municipality_id": None,
    }
    assert client.get(url).status_code == 200
    assert len(report_jobs()) == 1  # one job per level at a time, whoever looks
    fragment = client.get(f"{url}/progress")
    assert 'id="job-progress"' in fragment.text and 'data-state="queued"' in fragment.text
    headers = w.token(client, COORD, DEMO)
    api = client.get(f"/api/v1/crosschecks/{cid}/report", headers=headers)
    assert api.status_code == 202 and api.json["job_id"] == job.id
    xlsx = client.get(f"/crosschecks/{cid}/objectivity.xlsx")
    assert xlsx.status_code == 302  # not ready: back to the page

    run_latest()
    page = client.get(url)
    assert 'id="report-job"' not in page.text and 'id="report-computed"' in page.text
    assert 'data-figure="works">6<' in page.text and 'data-figure="rechecked">1<' in page.text
    assert 'data-figure="down">100.0 % (1)' in page.text
    assert 'data-state="succeeded"' in client.get(f"{url}/progress").text  # the poller reloads
    summary = client.get(f"/api/v1/crosschecks/{cid}/report", headers=headers).json["summary"]
    assert (summary["works"], summary["rechecked"], summary["marks_down"]) == (6, 1, 1)
    assert summary["mean_difference"] == 2.0  # 6 − 4
    assert client.get(f"/crosschecks/{cid}/objectivity.xlsx").status_code == 200
    assert len(report_jobs()) == 1  # served from the stored result


@BOTH
def test_a_new_score_makes_the_stored_report_outdated(client, xc):
    cid = xc.campaign.id
    url = f"/crosschecks/{cid}/objectivity"
    w.login(client, COORD, DEMO)
    client.get(url)
    old = run_latest()
    sheet = w.give(xc, "38-TROI-1", "38-VER")
    expert = db.session.scalar(select(User).where(User.email == "expert.38-ver@test"))
    submit_points(sheet.id, [2, 2, 1, 1, 0], actor=expert)  # equal to the school's 6
    db.session.commit()
    page = client.get(url)
    # the previous report stays on the page, marked outdated, while the new job runs
    assert 'id="report-waiting"' in page.text and 'data-figure="rechecked">1<' in page.text
    jobs = report_jobs()
    assert len(jobs) == 2 and jobs[-1].params["version"] != old.params["version"]
    run_latest()
    page = client.get(url)
    assert 'id="report-job"' not in page.text and 'data-figure="rechecked">2<' in page.text
    assert 'data-figure="changed">50.0 % (1)' in page.text  # one of two marks changed


def test_a_failed_job_is_shown_and_started_again_on_request(client, xc):
    cid = xc.campaign.id
    url = f"/crosschecks/{cid}/objectivity"
    w.login(client, COORD, DEMO)
    client.get(url)
    [job] = report_jobs()
    job_services.fail(job.id, "Проверочная ошибка.")
    db.session.commit()
    page = client.get(url)
    assert 'id="report-recompute"' in page.text and "Проверочная ошибка." in page.text
    assert len(report_jobs()) == 1  # a failure is not retried on every view
    assert client.post(f"{url}/recompute").status_code == 302
    jobs = report_jobs()
    assert len(jobs) == 2 and jobs[-1].state == "queued"
    assert client.post(f"{url}/recompute").status_code == 302
    assert len(report_jobs()) == 2  # one is already queued


def test_the_school_level_by_job_and_who_may_see_it(client, xc):
    cid = xc.campaign.id
    ver = xc.schools["38-VER"].id
    url = f"/crosschecks/{cid}/objectivity"
    w.login(client, VER, DEMO)
    assert client.get(url).status_code == 200  # its own school's level: a job
    [job] = report_jobs()
    assert job.params["school_id"] == ver
    run_latest()
    own = client.get(url)
    assert 'data-figure="rechecked">1<' in own.text and "Троицкая СОШ" not in own.text
    # another school, another region, a curator: nothing, and no job is started for them
    for email in (TROI, OTHER_REGION, "curator1@ekspertiza.local"):
        w.login(client, email, DEMO)
        for path in ("", "/progress", ".xlsx"):
            assert client.get(f"{url}{path}?school_id={ver}").status_code == 404, (email, path)
        assert client.post(f"{url}/recompute?school_id={ver}").status_code == 404
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == CROSSCHECK_REPORT)) == 1
