"""The curator's queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.campaigns.models import DocumentType, RiskFactor
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, School
from webapp.reviews.models import Review, ReviewAnswer
from workflows.document import DocumentState

WAITING = tuple(
    s.value
    for s in (
        DocumentState.SUBMITTED,
        DocumentState.CURATOR_REVIEW,
        DocumentState.CURATOR_ACCEPTED,
        DocumentState.PEER_REVIEWED,
    )
)


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    school: str
    type_name: str
    risk: str | None
    state: str
    submitted_at: datetime | None
    due_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < utcnow()


def curator_queue(curator_id: int, campaign_id: int, limit: int = 500) -> list[QueueRow]:
    """What waits for the curator in this campaign, oldest submission first."""
    stmt = (
        select(
            Document.id,
            Document.title,
            School.short_name,
            DocumentType.name,
            RiskFactor.name,
            Document.state,
            Document.submitted_at,
            Document.due_at,
        )
        .join(School, School.id == Document.school_id)
        .join(CuratorSchool, CuratorSchool.school_id == School.id)
        .join(DocumentType, DocumentType.id == Document.document_type_id)
        .outerjoin(RiskFactor, RiskFactor.id == Document.risk_factor_id)
        .where(
            CuratorSchool.curator_id == curator_id,
            Document.campaign_id == campaign_id,
            Document.state.in_(WAITING),
        )
        .order_by(Document.submitted_at.asc().nulls_last(), Document.id)
        .limit(limit)
    )
    return [QueueRow(*row) for row in db.session.execute(stmt)]


def last_finished_review(document_id: int) -> list[Review]:
    """The newest finished checklist of a document (as a list of at most one), answers loaded."""
    stmt = (
        select(Review)
        .where(Review.document_id == document_id, Review.finished_at.is_not(None))
        .options(selectinload(Review.answers).joinedload(ReviewAnswer.criterion))
        .order_by(Review.finished_at.desc())
        .limit(1)
    )
    return list(db.session.scalars(stmt))
