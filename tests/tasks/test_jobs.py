"""The job runner, the throttled progress callback and the expertise.pair job."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tasks import jobs as job_tasks
from tests.webapp.jobs.conftest import BOTH, assert_hard_rules, fetch, new_job
from webapp.campaigns.models import Campaign
from webapp.extensions import db
from webapp.jobs import services
from webapp.jobs.errors import JobCancelled, JobInputError
from webapp.jobs.pairing import participants
from webapp.jobs.progress import ProgressReporter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_throttled_and_never_goes_back(app):
    job_id = new_job("running")
    clock = Clock()
    report = ProgressReporter(job_id, interval=0.5, clock=clock)
    report("load", 0.101)  # 10 %: written
    report("load", 0.109)  # still 10 %: skipped
    report("pair", 0.105)  # new stage, same percent, within 0.5 s: skipped
    assert (report.writes, fetch(job_id).progress, fetch(job_id).message) == (
        1,
        10,
        "Загрузка данных",
    )
    clock.now += 0.6
    report("pair", 0.105)  # the stage change after 0.5 s: written
    report("pair", 0.05)  # lower: shown as 10 %, nothing written
    assert (report.writes, fetch(job_id).message) == (2, "Подбор пар школ")
    report("pair", 0.42)  # the percent changed: written at once
    report("done", 1.0)  # 100 % only comes with the result
    assert report.writes == 4 and fetch(job_id).progress == 99


def test_the_callback_raises_job_cancelled_after_a_cancel_request(app):
    job_id = new_job("running")
    clock = Clock()
    report = ProgressReporter(job_id, clock=clock)
    report("load", 0.1)
    services.request_cancel(job_id)
    db.session.commit()
    report("load", 0.1)  # no write, and the flag was read less than 0.5 s ago
    clock.now += 1
    with pytest.raises(JobCancelled):
        report("load", 0.1)


def work_reporting(calls: list):
    def work(params: dict, progress) -> dict:
        calls.append(params)
        progress("pair", 0.5)
        return {"done": params["k"]}

    return work


@BOTH
def test_run_job_stores_the_result_and_a_second_run_does_nothing(app):
    job_id, calls = new_job(), []
    assert job_tasks.run_job(job_id, work_reporting(calls)) == "succeeded"
    first = fetch(job_id)
    assert (first.result, first.progress, first.started_at is not None) == ({"done": 2}, 100, True)
    assert job_tasks.run_job(job_id, work_reporting(calls)) == "succeeded"
    assert len(calls) == 1 and fetch(job_id).finished_at == first.finished_at


def test_run_job_stops_a_job_cancelled_while_running(app):
    job_id = new_job()

    def work(params, progress):
        progress("load", 0.1)
        services.request_cancel(job_id)
        db.session.commit()
        progress("pair", 0.5)
        raise AssertionError("the work must not go on after the cancel request")

    assert job_tasks.run_job(job_id, work) == "cancelled"
    assert fetch(job_id).result is None


def test_run_job_skips_a_job_cancelled_while_queued(app):
    job_id, calls = new_job(), []
    services.request_cancel(job_id)
    db.session.commit()
    assert job_tasks.run_job(job_id, work_reporting(calls)) == "cancelled" and calls == []


def test_a_failure_shows_no_traceback_and_input_errors_show_their_text(app):
    def broken(params, progress):
        raise KeyError("secret internals")

    def bad_input(params, progress):
        raise JobInputError("Кампания не найдена.")

    broken_id, bad_id = new_job(), new_job()
    assert job_tasks.run_job(broken_id, broken) == "failed"
    assert job_tasks.run_job(bad_id, bad_input) == "failed"
    assert "secret" not in fetch(broken_id).error and "Traceback" not in fetch(broken_id).error
    assert f"№{broken_id}" in fetch(broken_id).error
    assert fetch(bad_id).error == "Кампания не найдена."


def test_a_redelivered_running_job_is_left_to_its_worker(app):
    from webapp.common.time import utcnow

    job_id, calls = new_job("running", heartbeat_at=utcnow()), []
    assert job_tasks.run_job(job_id, work_reporting(calls)) == "running" and calls == []


def test_the_task_runs_the_pairing_on_the_demo_campaign(app, demo):
    campaign_id = db.session.scalar(select(Campaign.id))
    job_id = new_job(params={"campaign_id": campaign_id, "k": 2, "no_reciprocal": True})
    assert job_tasks.pair_schools.run(job_id=job_id) == "succeeded"
    assert job_tasks.pair_schools.run(job_id=job_id) == "succeeded"  # redelivered: no-op
    result = fetch(job_id).result
    ids = {int(s.school_id) for s in participants(campaign_id)}
    assert len(ids) == 11 and result["status"] == "optimal" and result["unpaired"] == []
    assert_hard_rules(result["pairs"], ids, 2, no_reciprocal=True)
    assert result["bound"]["mean"] <= result["bound"]["upper_bound_mean"] + 1e-9


def test_an_impossible_pairing_lists_every_school_unpaired_with_the_reason(app, demo):
    campaign_id = db.session.scalar(select(Campaign.id))
    job_id = new_job(params={"campaign_id": campaign_id, "k": 3, "no_reciprocal": False})
    assert job_tasks.pair_schools.run(job_id=job_id) == "succeeded"
    result = fetch(job_id).result
    assert result["status"] == "infeasible" and result["pairs"] == []
    assert len(result["unpaired"]) == 11 and all(u["reason"] for u in result["unpaired"])


def test_an_unknown_campaign_fails_the_job_with_a_russian_message(app, demo):
    job_id = new_job(params={"campaign_id": 9999, "k": 2, "no_reciprocal": False})
    assert job_tasks.pair_schools.run(job_id=job_id) == "failed"
    assert fetch(job_id).error == "Кампания не найдена."
