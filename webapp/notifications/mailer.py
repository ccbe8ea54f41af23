"""E-mail for one outbox row: claim it, send it over SMTP, record the outcome.

``email_state`` moves ``pending`` → ``sending`` (claimed, ``email_claimed_at`` = claim time) →
``sent`` (``emailed_at`` = send time) or back to ``pending`` after a transient error, or to
``failed`` (``email_last_error`` says why). The claim is one conditional UPDATE, atomic on SQLite
and PostgreSQL alike, so two workers never send the same row at the same time; a claim older than
``CLAIM_LEASE`` belongs to a worker that died and may be taken again. A crash between the SMTP
hand-off and the final commit re-sends once (at-least-once); the stable Message-ID lets mail
clients fold such a duplicate.
"""

from __future__ import annotations

import enum
import logging
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext
from flask_mail import Connection, Message
from sqlalchemy import and_, or_, select, update

from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.notifications.models import Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SMTP_TIMEOUT = 15.0
CLAIM_LEASE = timedelta(minutes=10)
# A pending row that was tried already is the task's own retry (at most 30 min away); the sweep
# takes it only when that retry message seems lost.
LOST_RETRY_AFTER = timedelta(minutes=35)
SUBJECT_PREFIX = lazy_gettext("[Экспертиза] ")
FOOTER = lazy_gettext("Это автоматическое письмо системы «Экспертиза», отвечать на него не нужно.")


class EmailState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed, missing, or claimed by another worker
    RETRY = "retry"
    FAILED = "failed"


def deliver(notification_id: int) -> Outcome:
    """Send the e-mail of one notification unless it is sent, failed or being sent elsewhere."""
    if not claim(notification_id, utcnow()):
        return Outcome.SKIPPED
    note = db.session.get(Notification, notification_id)
    user = db.session.get(User, note.user_id)
    if user is None or not user.active or not user.email:
        log.warning("notification %s: recipient has no active address", notification_id)
        note.email_last_error = "получатель неактивен или без адреса"
        return _finish(note, EmailState.FAILED, Outcome.FAILED)
    try:
        send_message(build_message(note, user))
    except Exception as exc:  # classified below: transient → retry, anything else → failed
        return _after_error(note, exc)
    note.emailed_at = utcnow()
    return _finish(note, EmailState.SENT, Outcome.SENT)


def claim(notification_id: int, now: datetime) -> bool:
    """Atomically take the row for sending; False if someone else has it or it is done."""
    stmt = (
        update(Notification)
        .where(Notification.id == notification_id, _claimable(now))
        .values(
            email_state=EmailState.SENDING.value,
            email_attempts=Notification.email_attempts + 1,
            email_claimed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.execute(stmt).rowcount == 1
    db.session.commit()
    return claimed


def sweep_candidates(now: datetime, *, older_than: timedelta, limit: int) -> list[int]:
    """Ids the sweep should deliver: never tried and old, retried with a lost retry, or stuck."""
    never_or_lost = or_(
        Notification.email_claimed_at.is_(None),
        Notification.email_claimed_at <= now - LOST_RETRY_AFTER,
    )
    pending = and_(
        Notification.email_state == EmailState.PENDING.value,
        Notification.created_at <= now - older_than,
        never_or_lost,
    )
    stmt = (
        select(Notification.id)
        .where(or_(pending, _stale_claim(now)))
        .order_by(Notification.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def build_message(note: Notification, user: User) -> Message:
    """The plain-text e-mail of a notification in the recipient's language (User.locale)."""
    with force_locale(user.locale or "ru"):
        message = Message(
            subject=str(SUBJECT_PREFIX) + note.subject,
            recipients=[(user.full_name, user.email)],
            body=email_body(note),
            charset="utf-8",
        )
    message.msgId = f"<notification-{note.id}-{note.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>"
    return message


def email_body(note: Notification) -> str:
    """The text, a link to the object it is about, then to all notifications (with a base URL)."""
    from webapp.notifications.digest import object_url

    lines = [gettext("Здравствуйте!") + f"\n\n{note.body}\n"]
    url = object_url(note)
    if url and note.kind != "digest":
        lines.append(gettext("Открыть: %(url)s", url=url) + "\n")
    base_url = current_app.config.get("PUBLIC_BASE_URL")
    if base_url:
        url = f"{base_url.rstrip('/')}/notifications"
        lines.append(gettext("Все уведомления: %(url)s", url=url) + "\n")
    lines.append(f"--\n{FOOTER}\n")
    return "\n".join(lines)


def send_message(message: Message) -> None:
    """Send through Flask-Mail (honours MAIL_SUPPRESS_SEND and record_messages) with a timeout."""
    with TimedConnection(current_app.extensions["mail"]) as connection:
        connection.send(message)


def is_transient(exc: BaseException) -> bool:
    """Network trouble and 4xx replies are worth a retry; a refused recipient or a bug is not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code < 500
    return isinstance(exc, OSError)  # SMTPException is an OSError, and so are timeouts


class TimedConnection(Connection):
    """Flask-Mail's connection, but an SMTP server that stops answering cannot hang a worker."""

    def configure_host(self) -> smtplib.SMTP:
        mail = self.mail
        smtp_class = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        timeout = current_app.config.get("MAIL_TIMEOUT", SMTP_TIMEOUT)
        host = smtp_class(mail.server, mail.port, timeout=timeout)
        host.set_debuglevel(int(mail.debug))
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


def _claimable(now: datetime):
    return or_(Notification.email_state == EmailState.PENDING.value, _stale_claim(now))


def _stale_claim(now: datetime):
    return and_(
        Notification.email_state == EmailState.SENDING.value,
        Notification.email_claimed_at <= now - CLAIM_LEASE,
    )


def _after_error(note: Notification, exc: Exception) -> Outcome:
    note.email_last_error = repr(exc)[:500]
    if is_transient(exc) and note.email_attempts < MAX_ATTEMPTS:
        log.warning("notification %s: attempt %s failed: %r", note.id, note.email_attempts, exc)
        return _finish(note, EmailState.PENDING, Outcome.RETRY)
    log.error(
        "notification %s: giving up after %s attempt(s)", note.id, note.email_attempts, exc_info=exc
    )
    return _finish(note, EmailState.FAILED, Outcome.FAILED)


def _finish(note: Notification, state: EmailState, outcome: Outcome) -> Outcome:
    note.email_state = state.value
    db.session.commit()
    return outcome


def _mail_domain() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "ekspertiza@localhost"
    if isinstance(sender, tuple | list):
        sender = sender[-1]
    return sender.rpartition("@")[2].strip(">") or "localhost"
