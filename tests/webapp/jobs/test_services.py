"""Job state rules, progress writes, cancellation, access and the JSON shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.webapp.jobs.conftest import ADMIN, BOTH, CURATOR, OTHER, fetch, new_job, user
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.jobs import files, services
from webapp.jobs.errors import IllegalJobMove, JobNotCancellable

pytestmark = BOTH

STATES = ["queued", "running", "succeeded", "failed", "cancelled"]
# Written out by hand (not read from services.MOVES): from which states each change is legal.
LEGAL = {
    "start": {"queued": "running"},
    "succeed": {"running": "succeeded"},
    "fail": {"queued": "failed", "running": "failed"},
    "request_cancel": {"queued": "cancelled", "running": "running"},
    "stop": {"running": "cancelled"},  # set up with cancel_requested below
}


def call(change: str, job_id: int):
    if change == "succeed":
        return services.succeed(job_id, {"answer": 42})
    if change == "fail":
        return services.fail(job_id, "Сломалось")
    return getattr(services, change)(job_id)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("change", sorted(LEGAL))
def test_each_change_is_allowed_only_from_its_source_states(app, change, state):
    job_id = new_job(state, cancel_requested=change == "stop")
    if state in LEGAL[change]:
        assert call(change, job_id).state == LEGAL[change][state]
        db.session.commit()
        assert fetch(job_id).state == LEGAL[change][state]
    else:
        with pytest.raises(IllegalJobMove):
            call(change, job_id)
        db.session.rollback()
        assert fetch(job_id).state == state


def test_a_running_job_stops_only_after_a_cancel_request(app):
    job_id = new_job("running")
    with pytest.raises(IllegalJobMove):
        services.stop(job_id)


def test_create_job_queues_a_job_with_its_starter(app, demo):
    job = services.create_job(
        "expertise.pair", {"k": 2}, started_by_id=user(ADMIN).id, cancellable=False
    )
    db.session.commit()
    job = fetch(job.id)
    assert (job.state, job.progress, job.params, job.result) == ("queued", 0, {"k": 2}, None)
    assert job.started_by_id == user(ADMIN).id and not job.cancellable
    assert job.created_at.tzinfo is not None and job.started_at is None


def test_unknown_kind_is_refused(app):
    with pytest.raises(ValueError):
        services.create_job("no.such.kind", {}, started_by_id=None)


def test_succeed_stores_the_result_and_finishes_at_100(app):
    job_id = new_job("running", progress=40)
    services.succeed(job_id, {"pairs": [{"reviewer": 1, "reviewed": 2}]})
    db.session.commit()
    job = fetch(job_id)
    assert job.result == {"pairs": [{"reviewer": 1, "reviewed": 2}]}
    assert (job.progress, job.message) == (100, "Готово") and job.finished_at is not None


def test_progress_is_written_only_while_running(app):
    for state in ("queued", "succeeded", "failed", "cancelled"):
        with pytest.raises(IllegalJobMove):
            services.report_progress(new_job(state), 10, "x")
    with pytest.raises(ValueError):
        services.report_progress(new_job("running"), 101, "x")


def test_progress_has_its_own_transaction(app):
    """Visible to another connection at once, and kept when the work's transaction rolls back."""
    job_id = new_job("running")
    db.session.execute(text("select 1"))  # the work's session is inside a transaction
    services.report_progress(job_id, 37, "Подбор пар школ")
    with db.engine.connect() as other:
        seen = other.execute(text(f"select progress, message from jobs where id = {job_id}"))
        assert tuple(seen.one()) == (37, "Подбор пар школ")
    db.session.rollback()
    assert fetch(job_id).progress == 37
    assert fetch(job_id).heartbeat_at is not None


def test_cancelling_a_queued_job_cancels_it_at_once(app):
    job_id = new_job("queued")
    services.request_cancel(job_id)
    db.session.commit()
    job = fetch(job_id)
    assert job.state == "cancelled" and job.finished_at is not None


def test_cancelling_a_running_job_asks_it_to_stop(app):
    job_id = new_job("running")
    assert services.report_progress(job_id, 5, "a") is False
    services.request_cancel(job_id)
    db.session.commit()
    assert fetch(job_id).state == "running" and fetch(job_id).cancel_requested
    assert services.is_cancel_requested(job_id)
    assert services.report_progress(job_id, 6, "b") is True


def test_a_job_that_is_not_cancellable_refuses(app):
    job_id = new_job("running", cancellable=False)
    with pytest.raises(JobNotCancellable):
        services.request_cancel(job_id)


def test_fail_if_stale_only_fails_a_silent_running_job(app):
    now = utcnow()
    fresh = new_job("running", heartbeat_at=now - timedelta(minutes=1))
    silent = new_job("running", heartbeat_at=now - timedelta(hours=2))
    with pytest.raises(IllegalJobMove):
        services.fail_if_stale(fresh, now)
    db.session.rollback()
    services.fail_if_stale(silent, now)
    db.session.commit()
    assert fetch(fresh).state == "running"
    assert fetch(silent).state == "failed" and "заново" in fetch(silent).error


def test_job_for_shows_the_job_to_its_starter_and_the_admin_only(app, demo):
    job_id = new_job(by=user(CURATOR))
    assert services.job_for(user(CURATOR), job_id).id == job_id
    assert services.job_for(user(ADMIN), job_id).id == job_id
    assert services.job_for(user(OTHER), job_id) is None
    assert services.job_for(user(CURATOR), job_id + 1000) is None


def test_job_json_has_the_documented_fields(app):
    job_id = new_job("running", progress=12, message="Подбор пар школ")
    data = services.job_json(fetch(job_id))
    assert set(data) == {
        "id", "kind", "state", "progress", "message", "result", "error",
        "created_at", "started_at", "finished_at", "cancellable",
    }  # fmt: skip
    assert (data["state"], data["progress"], data["message"]) == ("running", 12, "Подбор пар школ")
    assert data["created_at"].endswith("+00:00") and data["finished_at"] is None


def test_result_files_live_under_the_upload_folder_with_generated_names(app, tmp_path):
    job_id = new_job("running")
    name = files.save_result_file(job_id, b"a;b\n", ".csv")
    path = files.result_file(job_id, name)
    assert path == tmp_path / "uploads" / "jobs" / str(job_id) / name
    assert path.read_bytes() == b"a;b\n"
    assert files.result_file(job_id, "../../etc/passwd") is None
    with pytest.raises(ValueError):
        files.save_result_file(job_id, b"x", "/../x")
