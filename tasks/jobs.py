"""Background jobs: the runner every job task uses, the job tasks, and the sweep.

Idempotent: a redelivered task for a finished job returns at once; the claim queued → running is
one conditional UPDATE, so two copies of a message never both run the work. A job already
``running`` when its message comes again is left alone while its worker keeps writing progress;
once it has been silent for STALE_AFTER (its worker died) it is marked failed with a message
asking to start it again; we do not rerun it, since its work may have had effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from celery import shared_task
from flask import current_app
from sqlalchemy import select

from tasks.locks import scan_lock
from webapp.common.time import utcnow
from webapp.crosscheck.assignment import run_assignment
from webapp.crosscheck.report_jobs import run_report
from webapp.extensions import db
from webapp.jobs import services
from webapp.jobs.dispatch import publisher
from webapp.jobs.errors import IllegalJobMove, JobCancelled, JobInputError
from webapp.jobs.kinds import TASK_FOR_KIND
from webapp.jobs.models import Job, JobState
from webapp.jobs.pairing import run_pairing
from webapp.jobs.progress import Progress, ProgressReporter
from webapp.reports import jobs as report_jobs

log = logging.getLogger(__name__)

Work = Callable[[dict, Progress], dict]
INTERNAL_ERROR = (
    "Внутренняя ошибка при выполнении задания №{id}. Подробности — в журнале обработчика."
)
REQUEUE_AFTER = timedelta(minutes=2)


def run_job(job_id: int, work: Work) -> str:
    """Run ``work(params, progress)`` for a queued job and store its outcome; returns the state."""
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("job %s does not exist", job_id)
        return "missing"
    if job.state == JobState.RUNNING:
        return _redelivered(job_id)
    if job.finished:
        return job.state
    try:
        params = dict(services.start(job_id).params)
        db.session.commit()
    except IllegalJobMove:  # another copy of the message claimed it first
        db.session.rollback()
        return db.session.get(Job, job_id, populate_existing=True).state
    return _finish(job_id, _outcome(job_id, work, params))


def _outcome(job_id: int, work: Work, params: dict) -> Callable[[], Job]:
    """Run the work; return the service call that records how it ended."""
    try:
        result = work(params, ProgressReporter(job_id))
    except JobCancelled:
        return lambda: services.stop(job_id)
    except JobInputError as exc:
        text = str(exc)  # ``exc`` is unbound once the except block ends
        return lambda: services.fail(job_id, text)
    except IllegalJobMove:  # the job stopped running under us (failed as stale)
        return lambda: services.get_job(job_id)
    except Exception:
        log.exception("job %s failed", job_id)
        return lambda: services.fail(job_id, INTERNAL_ERROR.format(id=job_id))
    return lambda: services.succeed(job_id, result)


def _finish(job_id: int, record: Callable[[], Job]) -> str:
    db.session.rollback()  # nothing the work left half-written may be committed with the outcome
    try:
        state = record().state
        db.session.commit()
    except IllegalJobMove:
        db.session.rollback()
        state = db.session.get(Job, job_id, populate_existing=True).state
        log.warning("job %s moved on to %s before its outcome was stored", job_id, state)
    return state


def _redelivered(job_id: int) -> str:
    """A second message for a running job: fail it if its worker went silent, else leave it."""
    try:
        state = services.fail_if_stale(job_id, utcnow()).state
        db.session.commit()
        log.warning("job %s was running without a worker; marked failed", job_id)
    except IllegalJobMove:
        db.session.rollback()
        state = db.session.get(Job, job_id, populate_existing=True).state
    return state


@shared_task(name="jobs.pair_schools")
def pair_schools(*, job_id: int) -> str:
    """Mutual-expertise pairing of a campaign's schools (kind ``expertise.pair``)."""
    return run_job(job_id, run_pairing)


@shared_task(name="jobs.crosscheck_assign")
def crosscheck_assign(*, job_id: int) -> str:
    """Assignment of a ВПР cross-check campaign's works (kind ``crosscheck.assign``)."""
    return run_job(job_id, run_assignment)


@shared_task(name="jobs.report_regional")
def report_regional(*, job_id: int) -> str:
    """The region's analytical report, DOCX (kind ``reports.regional_docx``)."""
    return run_job(job_id, partial(report_jobs.run_regional, job_id))


@shared_task(name="jobs.report_register")
def report_register(*, job_id: int) -> str:
    """An XLSX register (kinds ``reports.documents_xlsx``, ``…measures_xlsx``, ``…roadmap…``)."""
    return run_job(job_id, partial(report_jobs.run_register, job_id))


@shared_task(name="jobs.crosscheck_report")
def crosscheck_report(*, job_id: int) -> str:
    """The objectivity report of a large cross-check level (kind ``crosscheck.objectivity``)."""
    return run_job(job_id, run_report)


@shared_task(name="jobs.sweep")
def sweep(*, requeue_after_seconds: int = int(REQUEUE_AFTER.total_seconds())) -> int:
    """Publish queued jobs whose message was lost; fail running jobs whose worker died."""
    with scan_lock("jobs.sweep") as acquired:
        if not acquired:
            return 0
        now = utcnow()
        for job_id in _ids(JobState.RUNNING, Job.heartbeat_at < now - services.STALE_AFTER):
            _redelivered(job_id)
        old = now - timedelta(seconds=requeue_after_seconds)
        queued = list(db.session.execute(_queued(old)))
        db.session.commit()
        app_publisher = publisher(current_app._get_current_object())
        return sum(app_publisher.publish(TASK_FOR_KIND[kind], i) for i, kind in queued)


def _ids(state: JobState, *conditions) -> list[int]:
    stmt = select(Job.id).where(Job.state == state, *conditions).order_by(Job.id)
    return list(db.session.scalars(stmt))


def _queued(older_than):
    stmt = select(Job.id, Job.kind).where(Job.state == JobState.QUEUED)
    return stmt.where(Job.created_at < older_than, Job.kind.in_(TASK_FOR_KIND)).order_by(Job.id)
