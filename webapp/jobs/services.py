"""Every change of a job's state goes through :func:`_move`; progress has its own transaction.

State changes run in the caller's session and flush; the caller (a view or the runner) commits.
Each change is one conditional UPDATE (``where state in <sources>``), so two workers or a worker
and a user racing for the same job cannot both win, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.jobs.dispatch import enqueue_after_commit
from webapp.jobs.errors import IllegalJobMove, JobNotCancellable
from webapp.jobs.kinds import TASK_FOR_KIND
from webapp.jobs.models import Job, JobState
from webapp.jobs.permissions import can_view_job

S = JobState
MOVES: dict[str, tuple[frozenset[JobState], JobState]] = {
    "start": (frozenset({S.QUEUED}), S.RUNNING),
    "succeed": (frozenset({S.RUNNING}), S.SUCCEEDED),
    "fail": (frozenset({S.QUEUED, S.RUNNING}), S.FAILED),
    "cancel": (frozenset({S.QUEUED}), S.CANCELLED),  # a queued job is cancelled at once
    "stop": (frozenset({S.RUNNING}), S.CANCELLED),  # the runner honours a cancel request
}
MESSAGE_MAX = 300
ERROR_MAX = 2000
STALE_AFTER = timedelta(minutes=15)  # a running job without a progress write this long is dead

MSG_QUEUED = "В очереди"
MSG_STARTED = "Запущено"
MSG_DONE = "Готово"
MSG_FAILED = "Завершено с ошибкой"
MSG_CANCELLED = "Отменено"
MSG_STALE = "Обработчик задания остановился, не завершив его. Запустите задание заново."
MSG_FINISHED = "Задание уже завершено."
MSG_NOT_CANCELLABLE = "Это задание нельзя отменить."


def create_job(
    kind: str, params: dict, *, started_by_id: int | None, cancellable: bool = True
) -> Job:
    """Add a queued job and flush; its task is published after the caller commits."""
    if kind not in TASK_FOR_KIND:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind,
        state=S.QUEUED,
        progress=0,
        message=MSG_QUEUED,
        params=dict(params),
        cancellable=cancellable,
        cancel_requested=False,
        started_by_id=started_by_id,
        created_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(TASK_FOR_KIND[kind], job.id)
    return job


def start(job_id: int) -> Job:
    """queued → running."""
    now = utcnow()
    return _move(job_id, "start", started_at=now, heartbeat_at=now, message=MSG_STARTED)


def succeed(job_id: int, result: dict) -> Job:
    """running → succeeded, storing ``result`` (JSON) in the row."""
    values = {"result": result, "progress": 100, "message": MSG_DONE}
    return _move(job_id, "succeed", finished_at=utcnow(), **values)


def fail(job_id: int, error: str) -> Job:
    """queued or running → failed with a text for the user (never a traceback)."""
    values = {"error": error[:ERROR_MAX], "message": MSG_FAILED}
    return _move(job_id, "fail", finished_at=utcnow(), **values)


def stop(job_id: int) -> Job:
    """running → cancelled, only after a cancel request."""
    return _move(
        job_id, "stop", Job.cancel_requested.is_(True), finished_at=utcnow(), message=MSG_CANCELLED
    )


def fail_if_stale(job_id: int, now: datetime) -> Job:
    """running → failed when its worker has not reported for STALE_AFTER."""
    stale = Job.heartbeat_at < now - STALE_AFTER
    return _move(job_id, "fail", stale, finished_at=now, error=MSG_STALE, message=MSG_FAILED)


def request_cancel(job_id: int) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next progress report."""
    job = _get(job_id)
    if job is None:
        raise IllegalJobMove(f"job {job_id} does not exist")
    if not job.cancellable:
        raise JobNotCancellable(MSG_NOT_CANCELLABLE)
    try:
        return _move(job_id, "cancel", finished_at=utcnow(), message=MSG_CANCELLED)
    except IllegalJobMove:
        pass
    stmt = update(Job).where(Job.id == job_id, Job.state == S.RUNNING)
    if _execute(stmt.values(cancel_requested=True)) != 1:
        raise IllegalJobMove(MSG_FINISHED)
    return _get(job_id)


def report_progress(job_id: int, percent: int, message: str) -> bool:
    """Write progress in its own short transaction; returns whether cancel was requested.

    Its own connection: the task's work transaction is not committed half-way, and pollers see
    the progress at once. Raises IllegalJobMove when the job is no longer running.
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"progress must be 0..100, got {percent}")
    table = Job.__table__
    stmt = (
        update(table)
        .where(table.c.id == job_id, table.c.state == S.RUNNING)
        .values(progress=percent, message=message[:MESSAGE_MAX], heartbeat_at=utcnow())
        .returning(table.c.cancel_requested)
    )
    with db.engine.begin() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        raise IllegalJobMove("progress is written only while the job runs")
    return bool(row[0])


def is_cancel_requested(job_id: int) -> bool:
    """Read the flag on its own connection (the work's session may hold an old snapshot)."""
    table = Job.__table__
    with db.engine.connect() as conn:
        return bool(conn.scalar(select(table.c.cancel_requested).where(table.c.id == job_id)))


def get_job(job_id: int) -> Job | None:
    """The job, freshly read."""
    return _get(job_id)


def job_for(user, job_id: int) -> Job | None:
    """The job if ``user`` may see it (its starter or an admin), else None (→ 404)."""
    job = db.session.get(Job, job_id)
    if job is None or not can_view_job(user, job):
        return None
    return job


def job_json(job: Job) -> dict:
    """What the API and pollers show of a job."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "cancellable": job.cancellable,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _move(job_id: int, trigger: str, *conditions, **values) -> Job:
    """The one place a job changes state: a guarded UPDATE, then the fresh row; flushes."""
    sources, dest = MOVES[trigger]
    stmt = update(Job).where(Job.id == job_id, Job.state.in_([s.value for s in sources]))
    if _execute(stmt.where(*conditions).values(state=dest, **values)) != 1:
        job = db.session.get(Job, job_id, populate_existing=True)
        state = job.state if job else "missing"
        raise IllegalJobMove(f"job {job_id}: {trigger} is not allowed from {state}")
    return _get(job_id)


def _execute(stmt) -> int:
    db.session.flush()
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def _get(job_id: int) -> Job | None:
    return db.session.get(Job, job_id, populate_existing=True)
