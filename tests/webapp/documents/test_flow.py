"""The document journey through services and views on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.support import PDF, login
from webapp.documents.models import Document, TransitionLog
from webapp.extensions import db
from webapp.notifications.models import Notification

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def first_document(code: str = "08-UMC") -> Document:
    from webapp.orgs.models import School

    school = db.session.scalar(select(School).where(School.code == code))
    return db.session.scalars(
        select(Document).where(Document.school_id == school.id).order_by(Document.id)
    ).first()


@BOTH
def test_school_uploads_and_submits_then_curator_is_notified(app, demo, client):
    doc = first_document()
    login(client, "school.08-umc@ekspertiza.local")
    r = client.post(
        f"/documents/{doc.id}/versions", data={"file": (io.BytesIO(PDF), "Концепция.pdf")}
    )
    assert r.status_code == 302
    r = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "submit"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, doc.id).state == "submitted"
    logs = db.session.scalars(select(TransitionLog).where(TransitionLog.document_id == doc.id))
    assert [(log.event, log.from_state, log.to_state, log.version_number) for log in logs] == [
        ("submit", "draft", "submitted", 1)
    ]
    notes = list(db.session.scalars(select(Notification)))
    assert len(notes) == 1 and notes[0].document_id == doc.id
