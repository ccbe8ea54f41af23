"""Delivery of notification e-mails from the outbox."""

from __future__ import annotations

import random
from datetime import timedelta

from celery import shared_task

from tasks.locks import scan_lock
from webapp.common.time import utcnow
from webapp.notifications.digest import queue_digests
from webapp.notifications.mailer import MAX_ATTEMPTS, Outcome, deliver, sweep_candidates

RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 1800  # well under the broker's visibility timeout (3600 s)


def retry_countdown(retries: int) -> float:
    """Exponential backoff with equal jitter: 30–60 s, 60–120 s, … capped at 15–30 min."""
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


@shared_task(name="notifications.send_email", bind=True, max_retries=MAX_ATTEMPTS)
def send_email(self, *, notification_id: int) -> str:
    """Send one notification's e-mail; a second run finds it sent and does nothing."""
    outcome = deliver(notification_id)
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=retry_countdown(self.request.retries))
    return outcome.value


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox(*, older_than_seconds: int = 120, limit: int = 200) -> int:
    """Deliver what a lost or unpublished message left behind; returns how many were sent."""
    sent = 0
    with scan_lock("notifications.sweep_outbox") as acquired:
        if not acquired:
            return 0
        ids = sweep_candidates(
            utcnow(), older_than=timedelta(seconds=older_than_seconds), limit=limit
        )
        for notification_id in ids:
            outcome = deliver(notification_id)
            if outcome is Outcome.RETRY:
                break  # the SMTP server is in trouble; the next sweep tries again
            sent += outcome is Outcome.SENT
    return sent


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """Write the day's digest rows (one per user and local day); the outbox sends them."""
    with scan_lock("notifications.send_digests") as acquired:
        if not acquired:
            return 0
        return queue_digests(utcnow())
