"""The federal operator's season: one job per region's campaign, published as one group."""

from __future__ import annotations

from tasks import jobs as job_tasks
from tests.support import login
from tests.webapp.crosscheck.support import ADMIN, MUN, REG38, loaded_campaign
from tests.webapp.helpers import user
from webapp.crosscheck.assignment import run_assignment
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.extensions import db
from webapp.jobs import dispatch
from webapp.jobs.models import Job
from webapp.orgs.models import Region


def region_wide(tmp_path, name: str) -> CrossCheckCampaign:
    folder = tmp_path / name
    folder.mkdir()
    return loaded_campaign(user(REG38), folder, regional=True)


def test_the_season_starts_every_ready_region_as_one_group(
    app, demo, client, tmp_path, monkeypatch
):
    app.config["JOBS_DISPATCH"] = True
    groups, singles = [], []
    monkeypatch.setattr(
        dispatch.JobPublisher, "publish_group", lambda self, task, ids: groups.append((task, ids))
    )
    monkeypatch.setattr(
        dispatch.JobPublisher, "publish", lambda self, task, job_id: singles.append(job_id)
    )
    first, second = region_wide(tmp_path, "a"), region_wide(tmp_path, "b")
    municipal = loaded_campaign(user(MUN), tmp_path)  # not region-wide: not offered
    login(client, ADMIN)
    page = client.get("/crosschecks/season").get_data(as_text=True)
    assert f'id="season-{first.id}"' in page and f'id="season-{second.id}"' in page
    assert f'id="season-{municipal.id}"' not in page
    response = client.post(
        "/crosschecks/season", data={"campaign_id": [str(first.id), str(second.id)]}
    )
    assert response.status_code == 302 and "/crosschecks/season/" in response.headers["Location"]
    jobs = db.session.query(Job).order_by(Job.id).all()
    assert [j.params["campaign_id"] for j in jobs] == [first.id, second.id]
    assert len({j.params["season"] for j in jobs}) == 1
    assert groups == [("jobs.crosscheck_assign", [j.id for j in jobs])] and singles == []
    for job in jobs:
        assert job_tasks.run_job(job.id, run_assignment) == "succeeded"
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert progress.count('data-state="succeeded"') == 2
    assert 'http-equiv="refresh"' not in progress
    assert db.session.get(Region, first.region_id).name in progress


def test_only_the_federal_operator_runs_a_season(app, demo, client):
    login(client, REG38)
    assert client.get("/crosschecks/season").status_code == 403
    assert client.post("/crosschecks/season", data={"campaign_id": ["1"]}).status_code == 403
    assert client.get("/crosschecks/season/abc").status_code == 403
