"""The Celery application, bound to Flask as in Flask's Celery guide.

Run ``celery -A tasks.celery_app worker`` and exactly one ``celery -A tasks.celery_app beat``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from celery import Celery, Task
from flask import Flask

from webapp import create_app
from webapp.notifications.dispatch import broker_settings, register_dispatch

BEAT_SCHEDULE = {
    "notifications-sweep-outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "expertise-scan-deadlines": {
        "task": "expertise.scan_deadlines",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 10 * 60},
    },
    "deadlines-escalate-overdue": {
        "task": "deadlines.escalate_overdue",
        "schedule": timedelta(minutes=30),
        "options": {"expires": 25 * 60},
    },
    "crosscheck-scan": {
        "task": "crosscheck.scan",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 10 * 60},
    },
    # Hourly: each user's digest goes out once their local DIGEST_HOUR has come (one a day).
    "notifications-send-digests": {
        "task": "notifications.send_digests",
        "schedule": timedelta(hours=1),
        "options": {"expires": 50 * 60},
    },
    "jobs-sweep": {
        "task": "jobs.sweep",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "diary-remind-followups": {
        "task": "diary.remind_followups",
        "schedule": timedelta(minutes=30),
        "options": {"expires": 25 * 60},
    },
    "uploads-sweep-partial": {
        "task": "uploads.sweep_partial",
        "schedule": timedelta(minutes=30),
        "options": {"expires": 25 * 60},
    },
}


def celery_settings(config: Mapping) -> dict:
    """Worker and beat settings on top of the producer settings the web process uses too."""
    return {
        **broker_settings(config),
        "imports": (
            "tasks.notifications",
            "tasks.deadlines",
            "tasks.jobs",
            "tasks.expertise",
            "tasks.uploads",
            "tasks.crosscheck_experts",
            "tasks.diary",
        ),
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": BEAT_SCHEDULE,
    }


def celery_init_app(app: Flask) -> Celery:
    """A Celery app whose tasks run inside ``app.app_context()``."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(celery_settings(app.config))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _env_overrides() -> dict:
    """Settings webapp.config does not read yet (a private queue lets test runs share a Redis)."""
    queue = os.environ.get("CELERY_TASK_DEFAULT_QUEUE")
    return {"CELERY_TASK_DEFAULT_QUEUE": queue} if queue else {}


flask_app = create_app(_env_overrides())
celery_app = celery_init_app(flask_app)
# Reminders the worker writes are enqueued at once (a no-op once create_app registers it).
register_dispatch(flask_app)
