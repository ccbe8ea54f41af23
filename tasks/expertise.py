"""Beat task of the mutual expertise: one reminder before each deadline, expiry after it."""

from __future__ import annotations

import logging

from celery import shared_task

from tasks.locks import scan_lock
from webapp.common.time import utcnow
from webapp.expertise.deadlines import expire_overdue, remind_before_deadlines

log = logging.getLogger(__name__)


@shared_task(name="expertise.scan_deadlines")
def scan_deadlines() -> dict:
    """Remind, then expire (each expiry replaced in its own transaction); safe to run twice."""
    with scan_lock("expertise.scan_deadlines") as acquired:
        if not acquired:
            return {"reminded": 0, "expired": 0}
        now = utcnow()
        reminded = remind_before_deadlines(now)
        expired = expire_overdue(now)
        log.info("peer deadlines: %s reminders, %s expired", reminded, expired)
        return {"reminded": reminded, "expired": expired}
