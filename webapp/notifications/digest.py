"""The daily digest: one e-mail a day per user with the notifications they chose to collect.

The digest is itself a notification row (kind ``digest``, e-mail ``pending``), written in the
same transaction that marks the collected rows ``digested``; the outbox and the mailer deliver it
like any other, so a broker or SMTP fault delays it and never loses it. Its dedupe key names the
user and the local day, so a second run the same day adds nothing. Its subject and body are written
in the recipient's language (``force_locale(user.locale)``), zone place included.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.common.time import local_text, zone
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.preferences import Kind
from webapp.orgs.zones import place_of, user_zone

WAITING = "digest"
DIGEST_HOUR = 8  # local hour from which the day's digest goes out
MAX_ITEMS = 200  # a longer day is summarised by a count


def queue_digests(now: datetime) -> int:
    """Write today's digest row for every user whose local digest hour has come; commits."""
    created = 0
    for user_id in waiting_users():
        try:
            created += queue_digest(user_id, now)
            db.session.commit()
        except IntegrityError:  # another run wrote this user's digest first
            db.session.rollback()
    return created


def waiting_users() -> list[int]:
    stmt = select(Notification.user_id).where(Notification.email_state == WAITING).distinct()
    return sorted(db.session.scalars(stmt))


def digest_key(user_id: int, day) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def queue_digest(user_id: int, now: datetime) -> int:
    """Add this user's digest for their local today (0 when it is too early or already sent)."""
    user = db.session.get(User, user_id)
    zone_name = user_zone(user)
    local = now.astimezone(zone(zone_name))
    hour = current_app.config.get("DIGEST_HOUR", DIGEST_HOUR)
    key = digest_key(user_id, local.date())
    if local.hour < hour or _exists(key):
        return 0
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id, Notification.email_state == WAITING)
        .order_by(Notification.id)
        .with_for_update()
    )
    items = list(db.session.scalars(stmt))
    if not items:
        return 0
    with force_locale((user.locale if user else None) or "ru"):
        subject = gettext("Сводка уведомлений за %(day)s", day=local.strftime("%d.%m.%Y"))
        body = digest_body(items, zone_name)
    db.session.add(
        Notification(
            user_id=user_id,
            kind=Kind.DIGEST.value,
            dedupe_key=key,
            link="/notifications",
            subject=subject,
            body=body,
            read_at=now,
            email_state="pending",
        )
    )
    for item in items:
        item.email_state = "digested"
    db.session.flush()
    return 1


def digest_body(items: list[Notification], zone_name: str) -> str:
    """The digest's text in the current language (the caller forces the recipient's)."""
    lines = [gettext("Новых уведомлений: %(count)s.", count=len(items)), ""]
    place = place_of(zone_name)
    for item in items[:MAX_ITEMS]:
        lines.append(f"• {local_text(item.created_at, zone_name, place)} — {item.subject}")
        if url := object_url(item):
            lines.append(f"  {url}")
    if len(items) > MAX_ITEMS:
        lines.append(gettext("… и ещё %(count)s.", count=len(items) - MAX_ITEMS))
    return "\n".join(lines)


def object_url(note: Notification) -> str:
    """The absolute link to what the notification is about (empty without PUBLIC_BASE_URL)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        return ""
    if note.link:
        return base + note.link
    if note.document_id:
        return f"{base}/documents/{note.document_id}"
    return ""


def _exists(key: str) -> bool:
    stmt = select(Notification.id).where(Notification.dedupe_key == key)
    return db.session.scalar(stmt) is not None
