"""Entering measures, the school's report (actual value + evidence files) and the check."""

from __future__ import annotations

from datetime import date
from typing import BinaryIO

from flask_babel import gettext
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.documents.models import Document
from webapp.documents.services import discard_file, max_upload_bytes, upload_dir
from webapp.documents.uploads import StoredFile, store_upload
from webapp.extensions import db
from webapp.monitoring.models import TEXT_LIMITS, EvidenceCheck, EvidenceFile, Measure
from webapp.monitoring.permissions import may_report
from webapp.monitoring.workflow import EVIDENCE_CHECKS
from webapp.workflow import service as workflow_service
from workflows.evidence_check import EDITABLE_STATES, STATE_LABELS, EvidenceState

FIELD_LABELS = {
    "goal": "Цель",
    "task": "Задача",
    "title": "Мероприятие",
    "responsible": "Ответственный",
    "indicator": "Показатель",
    "unit": "Единица измерения",
}
VALUE_LIMIT = 1e12


class MonitoringRefused(Exception):
    """A refusal whose message is already in the current language (the request's; Russian in
    the CLI and the worker): formatted through ``gettext`` where it is raised."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def field_problems(fields: dict) -> list[str]:
    """Problems of a measure's fields (required text, lengths, date, number), in the current
    language."""
    problems = []
    for name, limit in TEXT_LIMITS.items():
        value = (fields.get(name) or "").strip()
        label = gettext(FIELD_LABELS[name])
        if not value:
            problems.append(gettext("Заполните поле «%(label)s».", label=label))
        elif len(value) > limit:
            problems.append(
                gettext("Поле «%(label)s» длиннее %(limit)s символов.", label=label, limit=limit)
            )
    if not isinstance(fields.get("deadline"), date):
        problems.append(gettext("Укажите срок в виде даты ДД.ММ.ГГГГ."))
    target = fields.get("target_value")
    if not isinstance(target, int | float) or isinstance(target, bool):
        problems.append(gettext("Укажите целевое значение числом."))
    elif abs(target) > VALUE_LIMIT:
        problems.append(gettext("Целевое значение слишком велико."))
    return problems


def create_measure(school_id: int, fields: dict, *, actor: User) -> Measure:
    """A new measure of the school with its (empty) report; the caller commits."""
    if not may_report(actor, school_id):
        raise MonitoringRefused(gettext("Мероприятия вносит сама школа."))
    problems = field_problems(fields)
    document_id = fields.get("document_id")
    if document_id is not None:
        document = db.session.get(Document, document_id)
        if document is None or document.school_id != school_id:
            problems.append(gettext("Выберите программу своей школы."))
    if problems:
        raise MonitoringRefused(" ".join(problems))
    measure = Measure(
        school_id=school_id,
        document_id=fields.get("document_id"),
        deadline=fields["deadline"],
        target_value=float(fields["target_value"]),
        created_by_id=actor.id,
        **{name: fields[name].strip() for name in TEXT_LIMITS},
    )
    measure.check = EvidenceCheck()
    db.session.add(measure)
    db.session.flush()
    return measure


def save_report(
    check_id: int,
    *,
    actor: User,
    actual_value: float | None,
    stream: BinaryIO | None = None,
    filename: str | None = None,
    expected_version: int | None = None,
) -> EvidenceCheck:
    """Store the actual value and, if given, a new evidence file (same checks as documents)."""
    check = workflow_service.lock(EVIDENCE_CHECKS, check_id)
    if check is None:
        raise LookupError(check_id)
    if expected_version is not None and check.lock_version != expected_version:
        raise MonitoringRefused(EVIDENCE_CHECKS.conflict_message(check))
    if not may_report(actor, check.measure.school_id):
        raise MonitoringRefused(gettext("Отчёт о мероприятии заполняет сама школа."))
    if check.state not in EDITABLE_STATES:
        state = gettext(STATE_LABELS[EvidenceState(check.state)])
        raise MonitoringRefused(
            gettext("В состоянии «%(state)s» отчёт изменить нельзя.", state=state)
        )
    if actual_value is not None and abs(actual_value) > VALUE_LIMIT:
        raise MonitoringRefused(gettext("Фактическое значение слишком велико."))
    if actual_value is not None:
        check.actual_value = actual_value
    if stream is not None:
        stored = store_upload(stream, filename, upload_dir(), max_upload_bytes())
        try:
            _record_file(check, stored, actor)
        except Exception:
            discard_file(stored.stored_name)
            raise
    db.session.flush()
    return check


def _record_file(check: EvidenceCheck, stored: StoredFile, actor: User) -> EvidenceFile:
    number = db.session.scalar(
        select(func.coalesce(func.max(EvidenceFile.number), 0)).where(
            EvidenceFile.check_id == check.id
        )
    )
    row = EvidenceFile(
        check_id=check.id,
        number=number + 1,
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        size=stored.size,
        mime=stored.mime,
        kind=stored.kind,
        original_name=stored.original_name,
        uploaded_by_id=actor.id,
        uploaded_by_name=actor.full_name,
    )
    db.session.add(row)
    db.session.flush()
    return row


def apply_transition(
    check_id: int,
    trigger: str,
    *,
    actor: User,
    comment: str = "",
    expected_version: int | None = None,
) -> EvidenceCheck:
    return workflow_service.apply_transition(
        EVIDENCE_CHECKS,
        check_id,
        trigger,
        actor=actor,
        comment=comment,
        expected_version=expected_version,
    )
