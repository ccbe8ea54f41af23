"""Small builders shared by the web tests."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.support import PDF
from webapp.auth.models import User
from webapp.documents import services
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.reviews import services as reviews


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def documents_of(code: str) -> list[Document]:
    school = db.session.scalar(select(School).where(School.code == code))
    stmt = select(Document).where(Document.school_id == school.id).order_by(Document.id)
    return list(db.session.scalars(stmt))


def pdf_named(name: str) -> bytes:
    """A small valid PDF whose bytes differ per ``name`` (each upload is a real new file)."""
    return PDF.replace(b"/Catalog", b"/Catalog /Title <" + name.encode().hex().encode() + b">")


def upload(document: Document, email: str, name: str = "план.pdf") -> None:
    services.add_version(document.id, io.BytesIO(pdf_named(name)), name, actor=user(email))
    db.session.commit()


def fire(document: Document, trigger: str, email: str, comment: str = "") -> Document:
    result = services.apply_transition(document.id, trigger, actor=user(email), comment=comment)
    db.session.commit()
    return result


def complete_checklist(document: Document, email: str):
    review, _created = reviews.open_review(document, user(email))
    reviews.save_answers(review, {c.id: ("met", "") for c in review.template.criteria})
    db.session.commit()
    return review


SCHOOL = "school.08-umc@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"


def bring_to_review(document: Document) -> Document:
    """Upload, submit and start review of one document of 08-UMC."""
    upload(document, SCHOOL)
    fire(document, "submit", SCHOOL)
    return fire(document, "start_review", CURATOR)


def answer_remarks(
    document: Document, email: str, text: str = "Исправлено в новой версии."
) -> None:
    """The school answers every remark of the open round (needed before ``resubmit``)."""
    from webapp.reviews import remarks

    open_round = remarks.open_round(document.id)
    remarks.save_answers(document, {r.id: text for r in open_round}, actor=user(email))
    db.session.commit()


def day_end(at: datetime, days: int, zone: str) -> datetime:
    """23:59:59 local of the day ``days`` after ``at``'s day in ``zone``, as UTC (by hand)."""
    day = at.astimezone(ZoneInfo(zone)).date() + timedelta(days=days)
    local = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)
