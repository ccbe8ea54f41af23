"""Beat task: the follow-up reminders of the curators' diary (rules in webapp.diary)."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy.exc import IntegrityError

from tasks.locks import scan_lock
from webapp.common.time import utcnow
from webapp.diary.reminders import queue_followup_reminders
from webapp.extensions import db

log = logging.getLogger(__name__)


@shared_task(name="diary.remind_followups")
def remind_followups() -> int:
    """One reminder per entry whose follow-up date has come; returns rows created."""
    with scan_lock("diary.remind_followups") as acquired:
        if not acquired:
            return 0
        try:
            return queue_followup_reminders(utcnow().date())
        except IntegrityError:  # a concurrent run (SQLite has no scan lock) wrote them first
            db.session.rollback()
            log.info("diary reminders raced with another run; the next run completes them")
            return 0
