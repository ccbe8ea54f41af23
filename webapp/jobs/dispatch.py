"""Publish a new job's task once the transaction that created the job commits.

The row is the truth: a lost or unpublished message leaves the job ``queued`` and the
``jobs.sweep`` task publishes it again; running a job twice is harmless (the claim is atomic).
"""

from __future__ import annotations

import logging
import threading

from celery import group
from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from webapp.extensions import db
from webapp.notifications.dispatch import Producer

log = logging.getLogger(__name__)

EXTENSION = "job_dispatch"
_PENDING = "job_tasks"
_listening = threading.Lock()


class JobPublisher:
    """Sends job tasks for one Flask app (the worker's own Celery app when there is one)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self.producer = Producer(app)

    @property
    def enabled(self) -> bool:
        """On, except in TESTING apps unless JOBS_DISPATCH says so."""
        return bool(self._app.config.get("JOBS_DISPATCH", not self._app.testing))

    def publish(self, task_name: str, job_id: int) -> bool:
        """Send one task; on a broker error log it and leave the job to the sweep."""
        if not self.enabled:
            return False
        try:
            self.producer().send_task(task_name, kwargs={"job_id": job_id})
        except Exception:  # the job stays queued; jobs.sweep publishes it again
            log.warning("broker unavailable, job %s left to the sweep", job_id, exc_info=True)
            return False
        return True

    def publish_group(self, task_name: str, job_ids: list[int]) -> bool:
        """Send the tasks of several jobs as one Celery ``group`` (they run in parallel on the
        workers); on a broker error the jobs stay queued for the sweep."""
        if not self.enabled:
            return False
        try:
            app = self.producer()
            group(app.signature(task_name, kwargs={"job_id": i}) for i in job_ids).apply_async()
        except Exception:
            log.warning("broker unavailable, jobs %s left to the sweep", job_ids, exc_info=True)
            return False
        return True


def publisher(app: Flask) -> JobPublisher:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = JobPublisher(app)
    return found


def enqueue_after_commit(task_name: str, job_id: int) -> None:
    """Publish ``task_name(job_id=...)`` after the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((task_name, job_id))


def enqueue_group_after_commit(task_name: str, job_ids: list[int]) -> None:
    """Publish the jobs' tasks as one group after the commit (instead of one message each)."""
    wanted = set(job_ids)
    pending = db.session.info.setdefault(_PENDING, [])
    pending[:] = [p for p in pending if not (p[0] == task_name and p[1] in wanted)]
    pending.append((task_name, tuple(job_ids)))


def register_job_dispatch(app: Flask) -> JobPublisher:
    """Hook the session so committed jobs are published; idempotent."""
    with _listening:
        if not event.contains(db.session, "after_commit", _after_commit):
            event.listen(db.session, "after_commit", _after_commit)
            event.listen(db.session, "after_rollback", _after_rollback)
    return publisher(app)


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    jobs = publisher(current_app._get_current_object())
    for task_name, job_id in pending:
        if isinstance(job_id, tuple):
            jobs.publish_group(task_name, list(job_id))
        else:
            jobs.publish(task_name, job_id)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)
