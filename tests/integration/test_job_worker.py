"""A real Celery worker over Redis runs an expertise.pair job: progress moves, the result lands.

Every write to the job row is recorded by a PostgreSQL trigger the test installs, so the
progress sequence is seen exactly, not only by polling.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select, text

from tests.integration.conftest import QUEUE, wait_for
from tests.webapp.jobs.conftest import ADMIN, assert_hard_rules, fetch, user
from webapp.campaigns.models import Campaign, RiskFactor, SchoolRisk
from webapp.extensions import db
from webapp.jobs import dispatch, services
from webapp.orgs.models import Municipality, Region, School

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

SCHOOLS_PER_REGION = 100
REGIONS = 12
RECORDER = """
create table job_progress_log (job_id int, state text, progress int, message text);
create function record_job_progress() returns trigger language plpgsql as $$
begin
  insert into job_progress_log values (new.id, new.state, new.progress, new.message);
  return new;
end $$;
create trigger job_progress_recorder after update on jobs
  for each row execute function record_job_progress();
"""


@pytest.fixture
def recorder(app):
    with db.engine.begin() as conn:
        conn.execute(text(RECORDER))
    yield
    db.session.rollback()  # the test's open transaction would block the DROP (it locks jobs)
    with db.engine.begin() as conn:
        conn.execute(text("drop trigger job_progress_recorder on jobs"))
        conn.execute(text("drop function record_job_progress()"))
        conn.execute(text("drop table job_progress_log"))


def add_schools(campaign_id: int) -> set[int]:
    """1,200 schools in 12 regions with 3 of the campaign's risks each: a few seconds' work."""
    rng = random.Random(7)
    risks = list(
        db.session.scalars(select(RiskFactor.id).where(RiskFactor.campaign_id == campaign_id))
    )
    added = []
    for r in range(REGIONS):
        muni = Municipality(region=Region(code=f"T{r}", name=f"Тест {r}"), name=f"Район {r}")
        for i in range(SCHOOLS_PER_REGION):
            school = School(code=f"T{r}-{i}", municipality=muni, name=f"Школа {r}-{i}",
                            short_name=f"Ш{r}-{i}", settlement=rng.choice(["urban", "rural"]),
                            pupils=rng.randint(40, 2000))  # fmt: skip
            db.session.add(school)
            added.append(school)
    db.session.flush()
    for school in added:
        for risk in rng.sample(risks, 3):
            db.session.add(SchoolRisk(school_id=school.id, risk_factor_id=risk))
    db.session.commit()
    chosen = (
        select(SchoolRisk.school_id).join(RiskFactor).where(RiskFactor.campaign_id == campaign_id)
    )
    return set(db.session.scalars(chosen.distinct()))


def test_worker_runs_a_pairing_job_with_progress_and_a_result(
    app, demo, worker, broker_url, recorder
):
    app.config.update(JOBS_DISPATCH=True, CELERY_BROKER_URL=broker_url)
    app.config["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    app.extensions.pop(dispatch.EXTENSION, None)
    campaign_id = db.session.scalar(select(Campaign.id))
    participants = add_schools(campaign_id)
    assert len(participants) == 11 + REGIONS * SCHOOLS_PER_REGION

    params = {"campaign_id": campaign_id, "k": 3, "no_reciprocal": True}
    job_id = services.create_job("expertise.pair", params, started_by_id=user(ADMIN).id).id
    db.session.commit()  # publishes jobs.pair_schools to the worker

    polled = []

    def finished() -> bool:
        job = fetch(job_id)
        polled.append((job.state, job.progress))
        return job.finished

    wait_for(finished, 120.0, "the pairing job to finish")
    job = fetch(job_id)
    assert job.state == "succeeded", (job.error, worker.log()[-3000:])
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(f"select state, progress from job_progress_log where job_id = {job_id}")
        )
        written = [tuple(r) for r in rows]
    running = [p for s, p in written if s == "running"]
    assert len({p for p in running if 0 < p < 100}) >= 2, written
    assert running == sorted(running) and written[-1] == ("succeeded", 100)
    assert any(s == "running" and 0 < p < 100 for s, p in polled), polled  # seen by a poller
    result = job.result
    assert result["status"] in ("optimal", "feasible") and result["unpaired"] == []
    assert_hard_rules(result["pairs"], participants, 3, no_reciprocal=True)
    print(f"progress written: {written}")
