"""Beat task: remind about documents whose curator check is overdue (rules in notifications)."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy.exc import IntegrityError

from tasks.locks import scan_lock
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.notifications.reminders import queue_overdue_reminders

log = logging.getLogger(__name__)


@shared_task(name="deadlines.escalate_overdue")
def escalate_overdue() -> int:
    """Remind curator and coordinators once per overdue document; returns rows created."""
    with scan_lock("deadlines.escalate_overdue") as acquired:
        if not acquired:
            return 0
        try:
            return queue_overdue_reminders(utcnow())
        except IntegrityError:  # a concurrent run (SQLite has no scan lock) wrote them first
            db.session.rollback()
            log.info("overdue reminders raced with another run; the next run completes them")
            return 0
