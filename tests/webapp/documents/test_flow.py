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


def test_stale_page_gets_409_with_who_changed_it(app, demo, client):
    from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, complete_checklist, user
    from webapp.documents import services

    doc = bring_to_review(first_document())
    seen_version = doc.lock_version
    complete_checklist(doc, CURATOR)
    services.apply_transition(doc.id, "accept", actor=user(CURATOR))
    db.session.commit()
    login(client, SCHOOL)
    response = client.post(
        f"/documents/{doc.id}/transitions",
        data={"trigger": "withdraw", "lock_version": seen_version},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Документ уже изменён: Куратор 1 (демо)" in html and "Принят куратором" in html


def test_current_page_with_impossible_action_gets_422(app, demo, client):
    doc = first_document()
    login(client, "school.08-umc@ekspertiza.local")
    response = client.post(
        f"/documents/{doc.id}/transitions",
        data={"trigger": "resubmit", "lock_version": doc.lock_version},
    )
    assert response.status_code == 422
    assert "невозможно в состоянии" in response.get_data(as_text=True)


def test_curator_is_offered_the_checklist_while_reviewing(app, demo, client):
    """The checklist link shows although the checklist is still empty: the verdict comes later."""
    from tests.webapp.helpers import CURATOR, bring_to_review

    doc = bring_to_review(first_document())
    login(client, CURATOR)
    html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert 'id="open-review"' in html
