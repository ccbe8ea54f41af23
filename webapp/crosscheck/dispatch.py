"""Third checks are assigned by a task queued after the submitting transaction commits.

The subscriber notes the work of every submitted first or second check; after commit the task
``crosscheck.assign_third_check(work_id=…)`` is published. A lost message is harmless: the beat
scan (``crosscheck.scan``) finds works that need a third check and have none.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from webapp.extensions import db
from webapp.notifications.dispatch import Producer
from webapp.workflow.signals import transition_recorded
from workflows.machine import TransitionEvent
from workflows.score_sheet import SheetRole, SheetTrigger, sheet_workflow

log = logging.getLogger(__name__)

ASSIGN_THIRD = "crosscheck.assign_third_check"
EXTENSION = "crosscheck_dispatch"
_PENDING = "crosscheck_third_works"
_listening = threading.Lock()


class ThirdCheckPublisher:
    def __init__(self, app: Flask) -> None:
        self._app = app
        self.producer = Producer(app)

    @property
    def enabled(self) -> bool:
        """On, except in TESTING apps unless CROSSCHECK_DISPATCH says so."""
        return bool(self._app.config.get("CROSSCHECK_DISPATCH", not self._app.testing))

    def publish(self, work_ids) -> int:
        if not self.enabled:
            return 0
        sent = 0
        try:
            for work_id in sorted(work_ids):
                self.producer().send_task(ASSIGN_THIRD, kwargs={"work_id": work_id})
                sent += 1
        except Exception:  # the beat scan assigns what a lost message left behind
            log.warning("broker unavailable, third checks left to the scan", exc_info=True)
        return sent


def on_transition(sheet, *, event: TransitionEvent, log) -> None:
    if event.workflow != sheet_workflow.name or event.trigger != SheetTrigger.SUBMIT:
        return
    if sheet.role in (SheetRole.FIRST, SheetRole.SECOND):
        db.session.info.setdefault(_PENDING, set()).add(sheet.work_id)


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    app = current_app._get_current_object()
    publisher = app.extensions.get(EXTENSION)
    if publisher is None:
        publisher = app.extensions[EXTENSION] = ThirdCheckPublisher(app)
    publisher.publish(pending)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)


def connect() -> None:
    """Subscribe to the workflow layer and hook the session (idempotent)."""
    transition_recorded.connect(on_transition, weak=False)
    with _listening:
        if not event.contains(db.session, "after_commit", _after_commit):
            event.listen(db.session, "after_commit", _after_commit)
            event.listen(db.session, "after_rollback", _after_rollback)
