"""Measures, reports and the evidence check through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select, text

from tests.webapp.helpers import user
from tests.webapp.monitoring.conftest import (
    BOTH,
    FIELDS,
    MUN,
    OTHER_SCHOOL,
    SCHOOL,
    curator_of,
    fire,
    new_measure,
    other_curator,
    report,
)
from webapp.extensions import db
from webapp.monitoring import services
from webapp.monitoring.models import EvidenceCheck, EvidenceCheckLog, EvidenceFile, Measure
from webapp.notifications.models import Notification
from workflows.machine import GuardRefused, NotPermitted, StateConflict


@BOTH
def test_returned_then_accepted_journey(app, demo, backend):
    measure = new_measure()
    curator = curator_of("38-VER")
    assert measure.check.state == "draft"
    with pytest.raises(GuardRefused):  # no value, no file
        fire(measure, "submit", SCHOOL)
    db.session.rollback()
    report(measure, name="первый.pdf")
    fire(measure, "submit", SCHOOL)
    fire(measure, "return_for_revision", curator, comment="Нет подписи директора")
    with pytest.raises(GuardRefused) as refused:  # the same file again is not a correction
        fire(measure, "submit", SCHOOL)
    assert refused.value.reasons == ("has_new_evidence",)
    db.session.rollback()
    report(measure, value=41, name="второй.pdf")
    fire(measure, "submit", SCHOOL)
    fire(measure, "accept", curator)

    check = db.session.get(EvidenceCheck, measure.check.id)
    assert check.state == "accepted" and check.actual_value == 41
    assert [f.original_name for f in check.files] == ["первый.pdf", "второй.pdf"]
    assert [(h.event, h.from_state, h.to_state, h.comment) for h in check.history] == [
        ("submit", "draft", "submitted", ""),
        ("return_for_revision", "submitted", "returned", "Нет подписи директора"),
        ("submit", "returned", "submitted", ""),
        ("accept", "submitted", "accepted", ""),
    ]
    # the school hears of the return and the acceptance; the checkers of each submission
    school_id, curator_id = user(SCHOOL).id, curator.id
    notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    to_school = [n.subject for n in notes if n.user_id == school_id]
    assert len(to_school) == 2 and "Возвращено на доработку" in to_school[0]
    assert "Принято" in to_school[1]
    assert sum(1 for n in notes if n.user_id == curator_id) == 2
    assert sum(1 for n in notes if n.user_id == user(MUN).id) == 2
    assert all(n.link == f"/monitoring/measures/{measure.id}" for n in notes)


@BOTH
def test_the_municipal_coordinator_checks_and_others_may_not(app, demo, backend, far_mun):
    measure = new_measure()
    report(measure)
    fire(measure, "submit", SCHOOL)
    for outsider in (far_mun, other_curator("38-VER"), user(SCHOOL), user(OTHER_SCHOOL)):
        with pytest.raises(NotPermitted):
            fire(measure, "accept", outsider)
        db.session.rollback()
    with pytest.raises(GuardRefused):  # a remark is required to return
        fire(measure, "return_for_revision", MUN, comment="  ")
    db.session.rollback()
    fire(measure, "mark_not_done", MUN, comment="Кружки не открыты")
    assert db.session.get(EvidenceCheck, measure.check.id).state == "not_done"


@BOTH
def test_a_stale_page_is_refused(app, demo, backend):
    measure = new_measure()
    report(measure)
    old = measure.check.lock_version
    fire(measure, "submit", SCHOOL)
    with pytest.raises(StateConflict):
        services.apply_transition(
            measure.check.id, "accept", actor=curator_of("38-VER"), expected_version=old
        )


@BOTH
def test_audit_and_files_are_append_only_in_the_database(app, demo, backend):
    measure = new_measure()
    report(measure)
    fire(measure, "submit", SCHOOL)
    for table in ("evidence_check_logs", "evidence_files"):
        with pytest.raises(Exception):  # noqa: B017 (driver-specific error class)
            db.session.execute(text(f"UPDATE {table} SET id = id"))
            db.session.flush()
        db.session.rollback()
        with pytest.raises(Exception):  # noqa: B017
            db.session.execute(text(f"DELETE FROM {table}"))
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(EvidenceCheckLog.event)) == "submit"
    assert db.session.scalar(select(EvidenceFile.number)) == 1


def test_only_the_school_enters_measures_and_reports(app, demo):
    with pytest.raises(services.MonitoringRefused):
        services.create_measure(measure_school_id(), FIELDS, actor=user(MUN))
    measure = new_measure()
    with pytest.raises(services.MonitoringRefused):
        services.save_report(measure.check.id, actor=user(OTHER_SCHOOL), actual_value=1)
    with pytest.raises(services.MonitoringRefused):
        services.save_report(measure.check.id, actor=curator_of("38-VER"), actual_value=1)


def measure_school_id() -> int:
    from tests.webapp.monitoring.conftest import school_by_code

    return school_by_code("38-VER").id


def test_fields_are_checked_server_side(app, demo):
    problems = services.field_problems({**FIELDS, "title": "х" * 1001, "goal": " "})
    assert problems == ["Заполните поле «Цель».", "Поле «Мероприятие» длиннее 1000 символов."]
    assert services.field_problems({**FIELDS, "deadline": "31.05.2027"}) == [
        "Укажите срок в виде даты ДД.ММ.ГГГГ."
    ]
    assert services.field_problems({**FIELDS, "target_value": "40"}) == [
        "Укажите целевое значение числом."
    ]
    assert services.field_problems(FIELDS) == []


def test_report_is_frozen_once_submitted_and_bad_files_are_refused(app, demo):
    from webapp.documents.uploads import UploadRejected

    measure = new_measure()
    with pytest.raises(UploadRejected):
        services.save_report(
            measure.check.id,
            actor=user(SCHOOL),
            actual_value=3,
            stream=io.BytesIO(b"MZ\x90\x00 not a document"),
            filename="evil.pdf",
        )
    db.session.rollback()
    assert db.session.scalar(select(EvidenceFile.id)) is None
    report(measure)
    fire(measure, "submit", SCHOOL)
    with pytest.raises(services.MonitoringRefused):
        services.save_report(measure.check.id, actor=user(SCHOOL), actual_value=99)
    db.session.rollback()
    assert db.session.get(Measure, measure.id).check.actual_value == 35


def test_a_measure_belongs_only_to_a_programme_of_its_own_school(app, demo):
    from tests.webapp.helpers import documents_of

    foreign = documents_of("38-TROI")[0].id
    with pytest.raises(services.MonitoringRefused, match="программу своей школы"):
        new_measure(document_id=foreign)
    db.session.rollback()
    own = documents_of("38-VER")[0]
    assert new_measure(document_id=own.id).document.title == own.title
