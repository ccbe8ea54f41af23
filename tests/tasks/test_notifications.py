"""notifications.send_email and notifications.sweep_outbox as plain functions."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from sqlalchemy import update

from tasks import notifications as tasks
from tasks.locks import scan_lock
from tests.tasks.conftest import BOTH, add_notification, fetch, user
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.notifications import mailer
from webapp.notifications.models import Notification


def age(notification_id: int, **values) -> None:
    db.session.execute(
        update(Notification).where(Notification.id == notification_id).values(values)
    )
    db.session.commit()


def smtp_down(message) -> None:
    raise ConnectionRefusedError(111, "Connection refused")


@BOTH
def test_send_email_twice_sends_one_mail(app, demo, outbox):
    note_id = add_notification()

    assert tasks.send_email.run(notification_id=note_id) == "sent"
    assert tasks.send_email.run(notification_id=note_id) == "skipped"

    assert len(outbox) == 1
    note = fetch(note_id)
    assert (note.email_state, note.email_attempts) == ("sent", 1)
    assert note.emailed_at is not None and note.emailed_at.tzinfo is not None


def test_send_email_builds_russian_message_for_the_user(app, demo, outbox):
    note_id = add_notification()

    tasks.send_email.run(notification_id=note_id)

    (message,) = outbox
    assert message.recipients == [("Куратор 1 (демо)", "curator1@ekspertiza.local")]
    assert message.subject == "[Экспертиза] Проверка"
    assert message.body.startswith("Здравствуйте!\n\nДокумент «План» отправлен.")
    assert "автоматическое письмо" in message.body
    assert message.msgId.startswith(f"<notification-{note_id}-")
    assert "<curator1@ekspertiza.local>" in message.as_string()


def test_send_email_missing_row_is_skipped(app, demo, outbox):
    assert tasks.send_email.run(notification_id=987654) == "skipped"
    assert outbox == []


def test_send_email_transient_error_retries_then_fails(app, demo, outbox, monkeypatch):
    monkeypatch.setattr(mailer, "send_message", smtp_down)
    note_id = add_notification()

    for attempt in range(1, mailer.MAX_ATTEMPTS):
        with pytest.raises(Retry):
            tasks.send_email.run(notification_id=note_id)
        assert (fetch(note_id).email_state, fetch(note_id).email_attempts) == ("pending", attempt)

    assert tasks.send_email.run(notification_id=note_id) == "failed"
    assert (fetch(note_id).email_state, fetch(note_id).email_attempts) == (
        "failed",
        mailer.MAX_ATTEMPTS,
    )
    assert tasks.send_email.run(notification_id=note_id) == "skipped"


def test_send_email_refused_recipient_fails_without_retry(app, demo, monkeypatch):
    def refused(message) -> None:
        raise smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")})

    monkeypatch.setattr(mailer, "send_message", refused)
    note_id = add_notification()

    assert tasks.send_email.run(notification_id=note_id) == "failed"
    assert fetch(note_id).email_state == "failed"


def test_send_email_to_inactive_user_fails(app, demo, outbox):
    user("curator1@ekspertiza.local").active = False
    db.session.commit()
    note_id = add_notification()

    assert tasks.send_email.run(notification_id=note_id) == "failed"
    assert outbox == []


@BOTH
def test_send_email_leaves_a_fresh_claim_alone_and_takes_a_stale_one(app, demo, outbox):
    note_id = add_notification()
    age(note_id, email_state="sending", email_attempts=1, email_claimed_at=utcnow())

    assert tasks.send_email.run(notification_id=note_id) == "skipped"
    assert outbox == []

    age(note_id, email_claimed_at=utcnow() - mailer.CLAIM_LEASE - timedelta(seconds=1))
    assert tasks.send_email.run(notification_id=note_id) == "sent"
    assert len(outbox) == 1 and fetch(note_id).email_attempts == 2


def test_transient_and_permanent_errors_are_told_apart():
    assert mailer.is_transient(ConnectionRefusedError())
    assert mailer.is_transient(TimeoutError())
    assert mailer.is_transient(smtplib.SMTPServerDisconnected())
    assert mailer.is_transient(smtplib.SMTPRecipientsRefused({"a": (450, b"busy")}))
    assert not mailer.is_transient(smtplib.SMTPRecipientsRefused({"a": (550, b"unknown")}))
    assert not mailer.is_transient(smtplib.SMTPDataError(552, b"too big"))
    assert not mailer.is_transient(ValueError("bug"))


def test_retry_countdown_backs_off_with_jitter_and_a_cap():
    for retries, low, high in [(0, 30, 60), (1, 60, 120), (3, 240, 480), (10, 900, 1800)]:
        samples = {tasks.retry_countdown(retries) for _ in range(50)}
        assert all(low <= s <= high for s in samples)
        assert len(samples) > 1


@BOTH
def test_sweep_sends_old_pending_and_stuck_rows_only(app, demo, outbox):
    now = utcnow()
    old = add_notification()
    age(old, created_at=now - timedelta(minutes=10))
    fresh = add_notification()
    retried = add_notification()
    age(retried, created_at=now - timedelta(minutes=10), email_claimed_at=now, email_attempts=1)
    stuck = add_notification()
    age(stuck, email_state="sending", email_claimed_at=now - timedelta(hours=1), email_attempts=1)
    done = add_notification()
    age(done, email_state="sent", created_at=now - timedelta(minutes=10))
    failed = add_notification()
    age(failed, email_state="failed", created_at=now - timedelta(minutes=10))

    assert tasks.sweep_outbox.run(older_than_seconds=120) == 2
    assert tasks.sweep_outbox.run(older_than_seconds=120) == 0

    states = {i: fetch(i).email_state for i in (old, fresh, retried, stuck, done, failed)}
    assert states == {
        old: "sent",
        fresh: "pending",
        retried: "pending",
        stuck: "sent",
        done: "sent",
        failed: "failed",
    }
    assert len(outbox) == 2


def test_sweep_stops_at_the_first_transient_error(app, demo, monkeypatch):
    calls = []

    def down(message) -> None:
        calls.append(message)
        smtp_down(message)

    monkeypatch.setattr(mailer, "send_message", down)
    ids = [add_notification() for _ in range(3)]

    assert tasks.sweep_outbox.run(older_than_seconds=0) == 0
    assert len(calls) == 1
    assert [fetch(i).email_attempts for i in ids] == [1, 0, 0]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_sweep_skips_while_another_sweep_holds_the_lock(app, demo, outbox):
    add_notification()
    with scan_lock("notifications.sweep_outbox") as held:
        assert held
        with scan_lock("notifications.sweep_outbox") as second:
            assert not second
        assert tasks.sweep_outbox.run(older_than_seconds=0) == 0
    assert tasks.sweep_outbox.run(older_than_seconds=0) == 1
    assert len(outbox) == 1
