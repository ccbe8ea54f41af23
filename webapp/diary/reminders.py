"""Follow-up reminders: on an entry's follow-up date its curator gets one notification, in the
curator's language."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, gettext
from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.diary.models import DiaryEntry
from webapp.extensions import db
from webapp.notifications.models import Notification


def dedupe_key(entry: DiaryEntry) -> str:
    """One reminder per entry, whatever happens later."""
    return f"diary:{entry.id}"


def due_entries(today: date) -> list[DiaryEntry]:
    """Entries whose follow-up date has come and whose reminder is not written yet."""
    key = literal("diary:", String) + cast(DiaryEntry.id, String(12))
    taken = exists().where(Notification.dedupe_key == key)
    stmt = (
        select(DiaryEntry)
        .join(User, User.id == DiaryEntry.curator_id)
        .where(
            DiaryEntry.follow_up_on.is_not(None),
            DiaryEntry.follow_up_on <= today,
            User.active.is_(True),
            ~taken,
        )
        .options(joinedload(DiaryEntry.school))
        .order_by(DiaryEntry.id)
    )
    return list(db.session.scalars(stmt))


def reminder_text(entry: DiaryEntry) -> tuple[str, str]:
    """Subject and body in the current language (the caller forces the curator's)."""
    school = entry.school.short_name
    subject = gettext("Контроль договорённостей: %(school)s", school=school)[:300]
    body = gettext(
        "Сегодня (%(today)s) срок контроля по записи дневника от %(held)s (%(school)s).",
        today=entry.follow_up_on.strftime("%d.%m.%Y"),
        held=entry.held_on.strftime("%d.%m.%Y"),
        school=school,
    )
    body += "\n" + gettext("Договорённости: %(agreements)s", agreements=entry.agreements or "—")
    return subject, body


def queue_followup_reminders(today: date) -> int:
    """Add the missing reminders and commit; returns how many were added."""
    created = 0
    for entry in due_entries(today):
        with force_locale(entry.curator.locale or "ru"):
            subject, body = reminder_text(entry)
        db.session.add(
            Notification(
                user_id=entry.curator_id,
                dedupe_key=dedupe_key(entry),
                link=f"/diary/{entry.id}",
                subject=subject,
                body=body,
            )
        )
        created += 1
    db.session.commit()
    return created
