"""Read models of the monitoring screens, always scoped to the user."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, EvidenceFile, Measure
from webapp.monitoring.permissions import checked_schools, may_view_measures
from webapp.orgs.models import School
from workflows.evidence_check import EvidenceState


def school_or_404(user: User, school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or not may_view_measures(user, school):
        abort(404)
    return school


def measure_or_404(user: User, measure_id: int) -> Measure:
    measure = db.session.get(Measure, measure_id)
    if measure is None or not may_view_measures(user, measure.school):
        abort(404)
    return measure


def file_or_404(measure: Measure, number: int) -> EvidenceFile:
    row = db.session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.check_id == measure.check.id, EvidenceFile.number == number
        )
    ).first()
    if row is None:
        abort(404)
    return row


def school_measures(school_id: int) -> list[Measure]:
    stmt = (
        select(Measure)
        .where(Measure.school_id == school_id)
        .options(joinedload(Measure.check))
        .order_by(Measure.deadline, Measure.id)
    )
    return list(db.session.scalars(stmt).unique())


def school_programmes(school_id: int) -> list[Document]:
    """The school's documents a measure may belong to (its anti-risk programmes)."""
    stmt = select(Document).where(Document.school_id == school_id).order_by(Document.title)
    return list(db.session.scalars(stmt))


def check_queue(user: User) -> list[Measure]:
    """Submitted reports of the schools this user checks, oldest submission first."""
    stmt = (
        select(Measure)
        .join(EvidenceCheck, EvidenceCheck.measure_id == Measure.id)
        .join(School, School.id == Measure.school_id)
        .where(checked_schools(user), EvidenceCheck.state == EvidenceState.SUBMITTED.value)
        .options(joinedload(Measure.check), joinedload(Measure.school))
        .order_by(EvidenceCheck.submitted_at, Measure.id)
    )
    return list(db.session.scalars(stmt).unique())
