"""Details of the document services a refactoring could drop without any other test noticing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.support import PDF
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    bring_to_review,
    complete_checklist,
    day_end,
    documents_of,
    upload,
    user,
)
from webapp.campaigns.models import CampaignDocumentType
from webapp.common.time import utcnow
from webapp.documents import services
from webapp.documents.models import Document, TransitionLog
from webapp.documents.uploads import UploadRejected
from webapp.extensions import db
from workflows.machine import GuardRefused, StateConflict

MOSCOW = "Europe/Moscow"


def setting_of(doc: Document) -> CampaignDocumentType:
    return db.session.scalar(
        select(CampaignDocumentType).where(
            CampaignDocumentType.campaign_id == doc.campaign_id,
            CampaignDocumentType.document_type_id == doc.document_type_id,
        )
    )


def test_submission_sets_the_review_deadline_from_the_type_setting(app, demo):
    doc = documents_of("08-UMC")[0]
    setting_of(doc).review_days = 7
    db.session.commit()
    upload(doc, SCHOOL)
    before = utcnow()
    services.apply_transition(doc.id, "submit", actor=user(SCHOOL))
    db.session.commit()
    due = db.session.get(Document, doc.id).due_at
    # 08-UMC is in Kalmykia (Moscow time): the deadline is the end of the 7th day there.
    assert due in {day_end(before, 7, MOSCOW), day_end(utcnow(), 7, MOSCOW)}
    services.apply_transition(doc.id, "start_review", actor=user(CURATOR))
    db.session.commit()
    assert db.session.get(Document, doc.id).due_at == due


def test_review_deadline_defaults_to_ten_days_without_a_setting(app, demo):
    doc = documents_of("08-UMC")[0]
    db.session.delete(setting_of(doc))
    db.session.commit()
    upload(doc, SCHOOL)
    before = utcnow()
    services.apply_transition(doc.id, "submit", actor=user(SCHOOL))
    db.session.commit()
    due = db.session.get(Document, doc.id).due_at
    assert due in {day_end(before, 10, MOSCOW), day_end(utcnow(), 10, MOSCOW)}


def test_transition_without_comment_logs_an_empty_comment(app, demo):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    services.apply_transition(doc.id, "submit", actor=user(SCHOOL))
    db.session.commit()
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.document_id == doc.id))
    assert log.comment == ""


def test_checklist_is_not_assumed_complete_by_default(app, demo):
    doc = bring_to_review(documents_of("08-UMC")[0])
    with pytest.raises(GuardRefused, match="чек-лист"):
        services.apply_transition(doc.id, "accept", actor=user(CURATOR))
    db.session.rollback()


def test_unknown_document_is_a_lookup_error(app, demo):
    with pytest.raises(LookupError) as missing:
        services.apply_transition(987654, "submit", actor=user(SCHOOL))
    assert missing.value.args == (987654,)
    with pytest.raises(LookupError) as missing:
        services.add_version(987654, io.BytesIO(PDF), "x.pdf", actor=user(SCHOOL))
    assert missing.value.args == (987654,)


def test_stale_trigger_conflict_names_the_trigger(app, demo):
    doc = documents_of("08-UMC")[0]
    with pytest.raises(StateConflict) as conflict:
        services.apply_transition(doc.id, "approve", actor=user(CURATOR))
    assert conflict.value.trigger == "approve"
    assert "Черновик" in conflict.value.message


def test_version_records_who_uploaded_it_and_when(app, demo):
    doc = documents_of("08-UMC")[0]
    before = utcnow()
    version = services.add_version(doc.id, io.BytesIO(PDF), "план.pdf", actor=user(SCHOOL))
    db.session.commit()
    assert version.number == 1
    assert version.uploaded_by_id == user(SCHOOL).id
    assert version.uploaded_by_name == "Директор: Уманцевская СОШ"
    assert before <= version.uploaded_at <= utcnow()
    assert version.original_name == "план.pdf" and version.kind == "pdf"


def test_upload_limit_is_max_upload_mb_mebibytes(app, demo):
    doc = documents_of("08-UMC")[0]
    limit = app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    exact = PDF + b"%" * (limit - len(PDF))
    version = services.add_version(doc.id, io.BytesIO(exact), "a.pdf", actor=user(SCHOOL))
    db.session.commit()
    assert version.size == limit
    with pytest.raises(UploadRejected):
        services.add_version(doc.id, io.BytesIO(exact + b"%"), "b.pdf", actor=user(SCHOOL))
    db.session.rollback()


def test_frozen_version_refusal_names_the_state(app, demo):
    doc = bring_to_review(documents_of("08-UMC")[0])
    with pytest.raises(services.UploadNotAllowed) as refused:
        services.add_version(doc.id, io.BytesIO(PDF), "v2.pdf", actor=user(SCHOOL))
    assert refused.value.message == (
        "В состоянии «Проверяется куратором» новую версию загрузить нельзя: "
        "документ на проверке или утверждён."
    )
    db.session.rollback()


def test_a_person_is_never_offered_the_system_triggers(app, demo):
    doc = bring_to_review(documents_of("08-UMC")[0])
    setting_of(doc).needs_peer_review = True
    db.session.commit()
    complete_checklist(doc, CURATOR)
    services.apply_transition(doc.id, "accept", actor=user(CURATOR))
    db.session.commit()
    assert services.available_triggers(user(CURATOR), doc) == []
