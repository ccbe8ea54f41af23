"""A real Celery worker over Redis runs a cross-check assignment on a district's data (Zalari,
16 schools): the job moves its progress and the assignments are stored as score sheets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.integration.conftest import QUEUE, wait_for
from tests.integration.test_job_worker import recorder  # noqa: F401 (fixture)
from tests.webapp.crosscheck import generated
from tests.webapp.crosscheck.support import MUN, settings
from tests.webapp.helpers import user
from tests.webapp.jobs.conftest import fetch
from webapp.crosscheck import assignment, services
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckWork, ScoreSheet
from webapp.extensions import db
from webapp.jobs import dispatch
from webapp.orgs.models import Municipality, School

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


def test_worker_assigns_a_district(app, demo, worker, broker_url, recorder, tmp_path):  # noqa: F811
    app.config.update(JOBS_DISPATCH=True, CELERY_BROKER_URL=broker_url)
    app.config["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    app.extensions.pop(dispatch.EXTENSION, None)
    zalari = db.session.scalar(select(Municipality).where(Municipality.name == "Заларинский район"))
    codes = list(db.session.scalars(select(School.code).where(School.municipality_id == zalari.id)))
    assert len(codes) == 16
    grades = (4, 5, 6)
    actor = user(MUN)
    campaign = services.create_campaign(
        actor,
        zalari.region_id,
        zalari.id,
        settings(
            subjects=tuple(sorted({s for s, _ in generated.skills(grades)})),
            grades=grades,
            second_share=0.1,
            no_reciprocal=True,
        ),
    )
    db.session.commit()
    works, n_works = generated.works_csv(tmp_path, codes, (5, 25), grades)
    experts, _ = generated.experts_csv(tmp_path, codes, (2, 4), grades)
    for kind, path in (
        ("tasks", generated.tasks_csv(tmp_path, grades)),
        ("works", works),
        ("experts", experts),
    ):
        services.import_list(campaign.id, kind, path, actor)
        db.session.commit()
    job = assignment.start_assignment(campaign.id, actor)
    job_id = job.id
    db.session.commit()  # publishes jobs.crosscheck_assign to the worker

    wait_for(lambda: fetch(job_id).finished, 180.0, "the assignment job to finish")
    job = fetch(job_id)
    assert job.state == "succeeded", (job.error, worker.log()[-3000:])
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(f"select state, progress from job_progress_log where job_id = {job_id}")
        )
        written = [tuple(r) for r in rows]
    running = [p for s, p in written if s == "running"]
    assert len({p for p in running if 0 < p < 100}) >= 2, written
    assert written[-1] == ("succeeded", 100)

    db.session.expire_all()
    stored = db.session.get(CrossCheckCampaign, campaign.id)
    assert stored.state == "assigned" and stored.run == 1
    first = db.session.scalar(
        select(func.count()).select_from(ScoreSheet).where(ScoreSheet.role == "first")
    )
    unplaced = sum(u["works"] for u in stored.summary["unassigned"] if u["role"] == "first")
    assert (
        first + unplaced
        == n_works
        == db.session.scalar(select(func.count()).select_from(CrossCheckWork))
    )
    assert first > 0 and job.result["sheets"] == db.session.scalar(
        select(func.count()).select_from(ScoreSheet)
    )
    own_school = db.session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .join(CrossCheckWork, CrossCheckWork.id == ScoreSheet.work_id)
        .where(ScoreSheet.expert.has(school_id=CrossCheckWork.school_id))
    )
    assert own_school == 0


def test_worker_runs_a_season_group(app, demo, worker, broker_url, tmp_path):
    """Two regions' campaigns started by the federal operator run as one Celery group."""
    from tests.webapp.crosscheck.support import ADMIN, REG38, loaded_campaign
    from webapp.crosscheck import season

    app.config.update(JOBS_DISPATCH=True, CELERY_BROKER_URL=broker_url)
    app.config["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    app.extensions.pop(dispatch.EXTENSION, None)
    ids = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        ids.append(loaded_campaign(user(REG38), folder, regional=True).id)
    _key, jobs = season.start_season(user(ADMIN), ids)
    job_ids = [j.id for j in jobs]
    db.session.commit()  # publishes one group of two tasks
    wait_for(lambda: all(fetch(i).finished for i in job_ids), 120.0, "the season's jobs")
    assert [fetch(i).state for i in job_ids] == ["succeeded", "succeeded"], worker.log()[-3000:]
