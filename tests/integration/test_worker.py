"""A real Celery worker over Redis delivers notification e-mail to a real SMTP server."""

from __future__ import annotations

import socket
import time

import pytest

from tests.integration.conftest import QUEUE, wait_for
from tests.tasks.conftest import add_notification, fetch, make_overdue, submitted_document
from webapp.extensions import db
from webapp.notifications import dispatch
from webapp.notifications.models import Notification

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

CURATOR = "curator1@ekspertiza.local"
DELIVERY_TIMEOUT = 10.0


def use_broker(app, url: str | None) -> None:
    """Wire after-commit dispatch for this test app to ``url`` (None: no dispatch)."""
    app.config["NOTIFICATIONS_DISPATCH"] = url is not None
    app.config["CELERY_BROKER_URL"] = url or "memory://"
    app.config["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    app.extensions.pop(dispatch.EXTENSION, None)
    dispatch.register_dispatch(app)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/7"


def curator_notification_id() -> int:
    db.session.expire_all()
    stmt = db.select(Notification.id).where(Notification.transition_log_id.is_not(None))
    return db.session.scalar(stmt)


def test_committed_transition_emails_the_curator(app, demo, worker, broker_url, mailbox):
    use_broker(app, broker_url)
    started = time.monotonic()

    document = submitted_document()

    (message,) = wait_for(lambda: mailbox.to(CURATOR), DELIVERY_TIMEOUT, "the curator's e-mail")
    elapsed = time.monotonic() - started
    assert message["Subject"].startswith("[Экспертиза] ")
    assert document.title[:40] in message["Subject"]
    assert "Уманцевская СОШ" in message.get_content()
    assert "Куратор 1" in str(message["To"])
    note_id = curator_notification_id()
    wait_for(lambda: fetch(note_id).email_state == "sent", 5.0, "the row marked sent")
    assert fetch(note_id).email_attempts == 1
    print(f"commit → e-mail received in {elapsed:.2f} s")


def test_broker_down_at_commit_loses_nothing_and_the_sweep_delivers(
    app, demo, worker, producer, mailbox
):
    use_broker(app, closed_port_url())

    started = time.monotonic()
    submitted_document()
    assert time.monotonic() - started < 3.0, "a dead broker must not stall the request"
    note_id = curator_notification_id()
    assert fetch(note_id).email_state == "pending"
    time.sleep(0.5)
    assert mailbox.for_notification(note_id) == [], "nothing was published"

    producer.send_task("notifications.sweep_outbox", kwargs={"older_than_seconds": 0})

    wait_for(lambda: mailbox.for_notification(note_id), DELIVERY_TIMEOUT, "the swept e-mail")
    assert wait_for(lambda: fetch(note_id).email_state == "sent", 5.0, "the row marked sent")


def test_the_same_task_delivered_twice_sends_one_mail(app, demo, worker, producer, mailbox):
    use_broker(app, None)
    twice = add_notification(CURATOR)
    marker = add_notification("coord.08@ekspertiza.local")

    for _ in range(2):
        producer.send_task("notifications.send_email", kwargs={"notification_id": twice})
    producer.send_task("notifications.send_email", kwargs={"notification_id": marker})

    # One solo worker takes messages in order: once the marker is here, both copies were run.
    wait_for(lambda: mailbox.for_notification(marker), DELIVERY_TIMEOUT, "the marker e-mail")
    assert len(mailbox.for_notification(twice)) == 1
    assert fetch(twice).email_attempts == 1


def test_worker_escalates_overdue_documents_and_mails_the_reminders(
    app, demo, worker, producer, mailbox
):
    use_broker(app, None)
    make_overdue(submitted_document())

    producer.send_task("deadlines.escalate_overdue")

    def reminded() -> set[str]:
        return {
            rcpt
            for rcpt in (CURATOR, "coord.08@ekspertiza.local")
            for m in mailbox.to(rcpt)
            if m["Subject"].startswith("[Экспертиза] Просрочена проверка")
        }

    wait_for(lambda: len(reminded()) == 2, DELIVERY_TIMEOUT, "both overdue reminders")
    producer.send_task("deadlines.escalate_overdue")
    producer.send_task("notifications.sweep_outbox", kwargs={"older_than_seconds": 0})
    # The sweep also sends the undispatched submit notice; when it is here, both tasks have run.
    submit_notice = curator_notification_id()
    wait_for(lambda: mailbox.for_notification(submit_notice), DELIVERY_TIMEOUT, "the sweep")
    reminders = [m for _, m in mailbox.messages() if "Просрочена" in m["Subject"]]
    assert len(reminders) == 2, worker.log()[-2000:]
