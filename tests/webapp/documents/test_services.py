"""Services: the full revision journey, frozen versions, append-only audit, checklists."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tests.support import PDF
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    answer_remarks,
    bring_to_review,
    complete_checklist,
    documents_of,
    fire,
    pdf_named,
    upload,
    user,
)
from webapp.campaigns.services import revise_checklist
from webapp.documents import services
from webapp.documents.models import Document, TransitionLog
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.reviews import services as reviews
from workflows.machine import GuardRefused

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_revision_journey_logs_every_step_with_versions(app, demo):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    review = complete_checklist(doc, CURATOR)
    reviews.finish_review(doc.id, review, "revise", "Уточните показатели", actor=user(CURATOR))
    db.session.commit()
    with pytest.raises(GuardRefused, match="исправленную версию"):
        fire(doc, "resubmit", SCHOOL)
    db.session.rollback()
    upload(doc, SCHOOL, "v2.pdf")
    with pytest.raises(GuardRefused, match="Ответьте на каждое замечание"):
        fire(doc, "resubmit", SCHOOL)
    db.session.rollback()
    answer_remarks(doc, SCHOOL)
    fire(doc, "resubmit", SCHOOL)
    fire(doc, "start_review", CURATOR)
    review = complete_checklist(doc, CURATOR)
    reviews.finish_review(doc.id, review, "approve", "", actor=user(CURATOR))
    db.session.commit()
    fire(doc, "approve", CURATOR)
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.state == "approved" and doc.approved_version_number == 2
    steps = [(h.event, h.version_number, h.actor_name, h.comment) for h in doc.history]
    assert steps == [
        ("submit", 1, "Директор: Уманцевская СОШ", ""),
        ("start_review", 1, "Куратор 1 (демо)", ""),
        ("request_revision", 1, "Куратор 1 (демо)", "Уточните показатели"),
        ("resubmit", 2, "Директор: Уманцевская СОШ", ""),
        ("start_review", 2, "Куратор 1 (демо)", ""),
        ("accept", 2, "Куратор 1 (демо)", ""),
        ("approve", 2, "Куратор 1 (демо)", ""),
    ]
    school_user = user(SCHOOL)
    notes = db.session.scalars(select(Notification).where(Notification.user_id == school_user.id))
    assert any("Уточните показатели" in n.body for n in notes)


def test_approved_version_is_frozen(app, demo):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    services.apply_transition(doc.id, "accept", actor=user(CURATOR))
    fire(doc, "approve", CURATOR)
    with pytest.raises(services.UploadNotAllowed, match="нельзя"):
        services.add_version(doc.id, io.BytesIO(PDF), "новая.pdf", actor=user(SCHOOL))
    db.session.rollback()
    assert db.session.get(Document, doc.id).latest_version_number == 1


def test_uploads_of_other_people_refused_and_file_removed_on_refusal(app, demo, tmp_path):
    doc = documents_of("08-UMC")[0]
    with pytest.raises(services.UploadNotAllowed):
        services.add_version(doc.id, io.BytesIO(PDF), "x.pdf", actor=user(CURATOR))
    assert not any(p.is_file() for p in (tmp_path / "uploads").rglob("*"))


@BOTH
def test_audit_rows_are_append_only_in_the_database(app, demo):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    log_id = db.session.scalar(select(TransitionLog.id))
    with pytest.raises((DatabaseError, PermissionError)):
        db.session.execute(
            text("UPDATE transition_logs SET comment = 'x' WHERE id = :i"), {"i": log_id}
        )
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("DELETE FROM document_versions"))
    db.session.rollback()
    log = db.session.get(TransitionLog, log_id)
    log.comment = "changed"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_changed_checklist_does_not_rewrite_finished_reviews(app, demo):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    review = complete_checklist(doc, CURATOR)
    reviews.finish_review(doc.id, review, "approve", "", actor=user(CURATOR))
    db.session.commit()
    old_template = review.template
    old_texts = [c.text for c in old_template.criteria]
    new = revise_checklist(old_template, ["Новый критерий"], actor_id=None)
    db.session.commit()
    db.session.expire_all()
    assert [c.text for c in review.template.criteria] == old_texts
    assert reviews.current_template(doc.document_type_id).id == new.id
    assert all(a.criterion.template_id == old_template.id for a in review.answers)


def test_state_column_accepts_only_declared_states(app, demo):
    doc = documents_of("08-UMC")[0]
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE documents SET state = 'lost' WHERE id = :i"), {"i": doc.id})
    db.session.rollback()
    with pytest.raises(AttributeError):
        doc.state = "approved"


def test_the_same_file_sent_twice_is_stored_once(app, demo, tmp_path):
    doc = documents_of("08-UMC")[0]
    first = services.add_version(doc.id, io.BytesIO(PDF), "план.pdf", actor=user(SCHOOL))
    db.session.commit()
    again = services.add_version(doc.id, io.BytesIO(PDF), "план (1).pdf", actor=user(SCHOOL))
    db.session.commit()
    assert again.id == first.id
    assert db.session.get(Document, doc.id).latest_version_number == 1
    stored = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert len(stored) == 1


def test_the_checked_file_again_is_not_a_correction(app, demo):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    fire(doc, "request_revision", CURATOR, "Нет показателей")
    checked = pdf_named("план.pdf")  # what bring_to_review uploaded
    message = (
        "Этот файл совпадает с версией 1, которую уже проверил куратор: "
        "загрузите исправленный файл."
    )
    with pytest.raises(services.UploadNotAllowed, match=f"^{message}$"):
        services.add_version(doc.id, io.BytesIO(checked), "план.pdf", actor=user(SCHOOL))
    db.session.rollback()
    changed = pdf_named("план-2.pdf")
    services.add_version(doc.id, io.BytesIO(changed), "план-2.pdf", actor=user(SCHOOL))
    db.session.commit()
    assert db.session.get(Document, doc.id).latest_version_number == 2
