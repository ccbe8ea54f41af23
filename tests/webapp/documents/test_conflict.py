"""The "changed by someone else" answer names who changed the document, when, and its state."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of, upload, user
from webapp.documents import services
from webapp.extensions import db
from workflows.machine import StateConflict


def test_conflict_names_actor_time_and_state(app, demo):
    doc = bring_to_review(documents_of("08-UMC")[0])
    stale = doc.lock_version - 1
    with pytest.raises(StateConflict) as conflict:
        services.apply_transition(doc.id, "accept", actor=user(CURATOR), expected_version=stale)
    # outside a request the time is Moscow time, named
    when = doc.state_changed_at.astimezone(ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y %H:%M")
    assert conflict.value.message == (
        f"Документ уже изменён: Куратор 1 (демо), {when} (Москва, UTC+3). "
        "Сейчас он в состоянии «Проверяется куратором». Обновите страницу."
    )
    assert conflict.value.trigger == "accept"


def test_conflict_without_history_names_the_state_only(app, demo):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    with pytest.raises(StateConflict) as conflict:
        services.apply_transition(doc.id, "withdraw", actor=user(SCHOOL))
    assert conflict.value.message == "Документ сейчас в состоянии «Черновик». Обновите страницу."
    db.session.rollback()


def test_upload_refusal_is_a_workflow_error_without_trigger_or_reasons(app, demo):
    import io

    from tests.support import PDF

    doc = documents_of("08-UMC")[0]
    with pytest.raises(services.UploadNotAllowed) as refused:
        services.add_version(doc.id, io.BytesIO(PDF), "x.pdf", actor=user(CURATOR))
    assert refused.value.message == "Загружать версии может только сама школа."
    assert refused.value.trigger == "" and refused.value.reasons == ()
