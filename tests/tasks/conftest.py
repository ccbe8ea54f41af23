"""Helpers for the task tests: outbox rows, an overdue document, recorded e-mail."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support import PDF
from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.documents.services import add_version, apply_transition
from webapp.extensions import db, mail
from webapp.notifications.models import Notification
from webapp.orgs.models import School

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def add_notification(email: str = "curator1@ekspertiza.local", **fields) -> int:
    """Commit one outbox row and return its id."""
    note = Notification(
        user_id=user(email).id, subject="Проверка", body="Документ «План» отправлен.", **fields
    )
    db.session.add(note)
    db.session.commit()
    return note.id


def fetch(notification_id: int) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, notification_id)


def submitted_document(code: str = "08-UMC", email: str = "school.08-umc@ekspertiza.local"):
    """Upload a version of the school's first document, submit it and commit."""
    school = db.session.scalar(select(School).where(School.code == code))
    doc_id = db.session.scalar(
        select(Document.id).where(Document.school_id == school.id).order_by(Document.id)
    )
    actor = user(email)
    add_version(doc_id, io.BytesIO(PDF), "План.pdf", actor=actor)
    document = apply_transition(doc_id, "submit", actor=actor)
    db.session.commit()
    return document


def make_overdue(document: Document, days: int = 1) -> None:
    document.due_at = utcnow() - timedelta(days=days)
    db.session.commit()


@pytest.fixture
def outbox(app):
    """E-mails handed to Flask-Mail (MAIL_SUPPRESS_SEND is on in test apps)."""
    with mail.record_messages() as messages:
        yield messages
