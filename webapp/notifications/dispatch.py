"""Enqueue e-mail delivery of new notifications once the transaction that wrote them commits.

The broker is only a shortcut: the rows are the outbox and ``notifications.sweep_outbox`` delivers
whatever a lost or unpublished message left behind. So publishing is short, bounded and never
raises into the request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping

from celery import Celery
from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from webapp.extensions import db
from webapp.notifications.models import Notification

log = logging.getLogger(__name__)

SEND_EMAIL = "notifications.send_email"
EXTENSION = "notification_dispatch"
_NEW_IDS = "notification_ids"
# Longer than any countdown we use (retry backoff tops out at 30 min): Redis redelivers an
# unacknowledged message after this, so a shorter value would duplicate delayed retries.
VISIBILITY_TIMEOUT = 3600
# After a failed publish we stop trying for a while: a dead broker costs one request, not all.
BROKER_PAUSE_SECONDS = 30.0
_FAST_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
_listening = threading.Lock()


def broker_settings(config: Mapping) -> dict:
    """Producer-side Celery settings shared by the web process and the worker."""
    url = config["CELERY_BROKER_URL"]
    return {
        "broker_url": url,
        "broker_connection_timeout": 2.0,
        "broker_transport_options": transport_options(url),
        "task_default_queue": config.get("CELERY_TASK_DEFAULT_QUEUE") or "celery",
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_publish_retry": True,
        "task_publish_retry_policy": dict(_FAST_RETRY),
    }


def transport_options(url: str) -> dict:
    """Short connection retries everywhere; socket timeouts where the transport has sockets."""
    options: dict = dict(_FAST_RETRY)
    if url.startswith(("redis://", "rediss://")):
        # kombu's SQLAlchemy transport hands unknown options to create_engine(), which refuses.
        options |= {
            "connect_retries_timeout": 2.0,
            "socket_connect_timeout": 1.0,
            "socket_timeout": 2.0,
            "visibility_timeout": VISIBILITY_TIMEOUT,
        }
    return options


class Producer:
    """Sends tasks for one Flask app: the worker's own Celery app when there is one, else a
    small producer-only app made once (shared by the notification and job publishers)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._celery: Celery | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Celery:
        celery = self._app.extensions.get("celery")
        if celery is not None:
            return celery
        with self._lock:
            if self._celery is None:
                self._celery = Celery(self._app.import_name, set_as_current=False)
                self._celery.conf.update(broker_settings(self._app.config))
            return self._celery


class Dispatcher:
    """Publishes ``notifications.send_email`` messages for one Flask app."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self.producer = Producer(app)
        self._paused_until = 0.0

    @property
    def enabled(self) -> bool:
        """On, except in TESTING apps unless NOTIFICATIONS_DISPATCH says so."""
        return bool(self._app.config.get("NOTIFICATIONS_DISPATCH", not self._app.testing))

    def publish(self, notification_ids: Iterable[int]) -> int:
        """Enqueue one message per id; on a broker error log once, the sweep does the rest."""
        ids = sorted(set(notification_ids))
        if not ids or not self.enabled or time.monotonic() < self._paused_until:
            return 0
        sent = 0
        try:
            for notification_id in ids:
                self.producer().send_task(SEND_EMAIL, kwargs={"notification_id": notification_id})
                sent += 1
        except Exception:  # the outbox keeps the rows; any broker failure only delays the mail
            self._paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
            log.warning(
                "broker unavailable, %d notification e-mail(s) left to the outbox sweep",
                len(ids) - sent,
                exc_info=True,
            )
        return sent


def dispatch_after_commit(notification_ids: Iterable[int]) -> int:
    """Enqueue e-mails for committed notification ids; never raises, returns how many went out."""
    if not has_app_context():
        return 0
    dispatcher = current_app.extensions.get(EXTENSION)
    if dispatcher is None:
        return 0
    try:
        return dispatcher.publish(notification_ids)
    except Exception:  # belt and braces: nothing here may break the caller's request
        log.exception("notification dispatch failed")
        return 0


def register_dispatch(app: Flask) -> Dispatcher:
    """Enqueue e-mail for every Notification row this app's sessions commit."""
    dispatcher = app.extensions.get(EXTENSION)
    if dispatcher is None:
        dispatcher = app.extensions[EXTENSION] = Dispatcher(app)
    with _listening:
        if not event.contains(db.session, "after_commit", _after_commit):
            event.listen(db.session, "after_flush", _after_flush)
            event.listen(db.session, "after_commit", _after_commit)
            event.listen(db.session, "after_rollback", _after_rollback)
    return dispatcher


def _after_flush(session, flush_context) -> None:
    # Only rows to e-mail at once; digest and in-app-only rows wait or stay on the site.
    new_ids = {
        obj.id
        for obj in session.new
        if isinstance(obj, Notification) and obj.email_state in (None, "pending")
    }
    if new_ids:
        session.info.setdefault(_NEW_IDS, set()).update(new_ids)


def _after_commit(session) -> None:
    new_ids = session.info.pop(_NEW_IDS, None)
    if new_ids:
        dispatch_after_commit(new_ids)


def _after_rollback(session) -> None:
    session.info.pop(_NEW_IDS, None)
