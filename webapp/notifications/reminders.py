"""Reminders about documents whose curator check is overdue: recipients and texts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import local_text
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.outbox import _locale_of
from webapp.notifications.preferences import Kind
from webapp.orgs.models import CuratorSchool, School
from webapp.orgs.zones import place_of, school_zone
from workflows.document import AWAITING_CURATOR, STATE_LABELS, DocumentState


def queue_overdue_reminders(now: datetime) -> int:
    """Add the missing reminder rows for every overdue document and commit."""
    created = 0
    for document in overdue_documents(now):
        created += _queue_for(document)
    db.session.commit()
    return created


def overdue_documents(now: datetime) -> list[Document]:
    stmt = (
        select(Document)
        .where(Document.due_at < now, Document.state.in_([s.value for s in AWAITING_CURATOR]))
        .options(joinedload(Document.school).joinedload(School.municipality))
        .order_by(Document.id)
    )
    return list(db.session.scalars(stmt))


def overdue_recipients(school: School) -> set[int]:
    """Active curators of the school and coordinators of its municipality and region."""
    curators = select(CuratorSchool.curator_id).where(CuratorSchool.school_id == school.id)
    coordinators = select(Membership.user_id).where(
        or_(
            and_(
                Membership.role == RoleCode.MUNICIPAL_COORDINATOR,
                Membership.municipality_id == school.municipality_id,
            ),
            and_(
                Membership.role == RoleCode.REGIONAL_COORDINATOR,
                Membership.region_id == school.municipality.region_id,
            ),
        )
    )
    stmt = select(User.id).where(
        User.active.is_(True), or_(User.id.in_(curators), User.id.in_(coordinators))
    )
    return set(db.session.scalars(stmt))


def dedupe_key(document: Document, user_id: int) -> str:
    """One reminder per document, due date and recipient; a new due date earns a new one."""
    return f"overdue:{document.id}:{document.due_at.date().isoformat()}:{user_id}"


def reminder_text(document: Document) -> tuple[str, str]:
    """The reminder in the current locale (the caller sets the recipient's)."""
    state = gettext(STATE_LABELS[DocumentState(document.state)])
    subject = gettext("Просрочена проверка: %(title)s", title=document.title)[:300]
    zone = school_zone(document.school_id)  # the deadline is the school's day
    body = gettext(
        "Срок проверки документа «%(title)s» (%(school)s) истёк %(when)s. "
        "Состояние: «%(state)s».\nПожалуйста, завершите проверку или согласуйте новый срок.",
        title=document.title,
        school=document.school.short_name,
        when=local_text(document.due_at, zone, place_of(zone)),
        state=state,
    )
    return subject, body


def _queue_for(document: Document) -> int:
    keys = {dedupe_key(document, uid): uid for uid in overdue_recipients(document.school)}
    taken = _existing_keys(keys)
    missing = sorted(keys.keys() - taken)
    for k in missing:
        with force_locale(_locale_of(keys[k])):  # in the recipient's language
            subject, body = reminder_text(document)
        db.session.add(
            Notification(
                user_id=keys[k],
                document=document,
                dedupe_key=k,
                subject=subject,
                body=body,
                kind=Kind.REMINDER.value,
            )
        )
    return len(missing)


def _existing_keys(keys: Iterable[str]) -> set[str]:
    stmt = select(Notification.dedupe_key).where(Notification.dedupe_key.in_(list(keys)))
    return set(db.session.scalars(stmt))
