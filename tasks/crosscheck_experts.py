"""ВПР cross-check tasks of the experts' side: the third check, and the beat scan."""

from __future__ import annotations

import logging

from celery import shared_task

from tasks.locks import scan_lock
from webapp.common.time import utcnow
from webapp.crosscheck import third_check
from webapp.extensions import db

log = logging.getLogger(__name__)


@shared_task(name="crosscheck.assign_third_check", acks_late=True)
def assign_third_check(*, work_id: int) -> str:
    """Give the work a third check if it needs one; a second run finds it there."""
    result = third_check.assign_third_check(work_id)
    db.session.commit()
    if result is None:
        return "not_needed"
    return result if isinstance(result, str) else f"sheet:{result.id}"


@shared_task(name="crosscheck.scan")
def scan() -> dict:
    """Assign third checks a lost message left behind, remind before deadlines, escalate after."""
    totals = {"third": 0, "reminded": 0, "escalated": 0}
    with scan_lock("crosscheck.scan") as acquired:
        if not acquired:
            return totals
        now = utcnow()
        for campaign in third_check.open_campaigns():
            for work_id in third_check.works_missing_third(campaign.id):
                found = third_check.assign_third_check(work_id)
                db.session.commit()
                totals["third"] += found is not None and not isinstance(found, str)
            counts = third_check.remind_and_escalate(campaign, now)
            db.session.commit()
            totals["reminded"] += counts["reminded"]
            totals["escalated"] += counts["escalated"]
    log.info("crosscheck scan: %s", totals)
    return totals
