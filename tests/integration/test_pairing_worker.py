"""A real Celery worker over Redis runs the job of a pairing; confirming it creates assignments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.integration.conftest import QUEUE, wait_for
from tests.integration.test_job_worker import add_schools, recorder  # noqa: F401 (fixture)
from tests.webapp.expertise.peer_support import enable_peer_stage
from tests.webapp.jobs.conftest import ADMIN, assert_hard_rules, fetch, user
from webapp.campaigns.models import Campaign
from webapp.expertise import pairing as pairings
from webapp.expertise.models import Pairing, PeerAssignment
from webapp.extensions import db
from webapp.jobs import dispatch

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


def test_worker_runs_the_pairing_job_then_confirm_creates_assignments(
    app,
    demo,
    worker,
    broker_url,
    recorder,  # noqa: F811
):
    app.config.update(JOBS_DISPATCH=True, CELERY_BROKER_URL=broker_url)
    app.config["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    app.extensions.pop(dispatch.EXTENSION, None)
    enable_peer_stage()
    campaign_id = db.session.scalar(select(Campaign.id))
    participants = add_schools(campaign_id)

    pairing = pairings.start_pairing(campaign_id, 2, True, actor=user(ADMIN))
    pairing_id, job_id = pairing.id, pairing.job_id
    db.session.commit()  # publishes jobs.pair_schools to the worker

    wait_for(lambda: fetch(job_id).finished, 120.0, "the pairing job to finish")
    job = fetch(job_id)
    assert job.state == "succeeded", (job.error, worker.log()[-3000:])
    assert job.params["pairing_id"] == pairing_id
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(f"select state, progress from job_progress_log where job_id = {job_id}")
        )
        written = [tuple(r) for r in rows]
    running = [p for s, p in written if s == "running"]
    assert len({p for p in running if 0 < p < 100}) >= 2, written
    assert written[-1] == ("succeeded", 100)
    assert_hard_rules(job.result["pairs"], participants, 2, no_reciprocal=True)

    created = pairings.confirm_pairing(pairing_id, actor=user(ADMIN))
    db.session.commit()
    stored = db.session.get(Pairing, pairing_id)
    assert stored.confirmed_at is not None and len(stored.preview["pairs"]) == len(
        job.result["pairs"]
    )
    count = db.session.scalar(select(func.count()).select_from(PeerAssignment))
    assert count == len(created) > 0
    # the demo schools have concept and programme; the generated ones have no documents
    assert {a.reviewed_school_id for a in created} <= participants
