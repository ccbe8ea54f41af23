"""The curator's queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

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


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its rows, its number (from 1), the number of pages, all rows."""

    rows: list[QueueRow]
    page: int
    pages: int
    total: int


def queue_page(curator_id: int, campaign_id: int, page: int, size: int) -> QueuePage:
    """Page ``page`` (from 1; past the end: the last page) of ``size`` rows of the queue.

    One statement: the rows of the page and, with each, the count of all rows (a window).
    """
    page = max(page, 1)
    total_column = func.count().over().label("total")
    stmt = _queue(curator_id, campaign_id, size).add_columns(total_column)
    rows = db.session.execute(stmt.offset((page - 1) * size)).all()
    if not rows and page > 1:  # past the end: count, then show the last page
        total = db.session.scalar(
            select(func.count()).select_from(_queue(curator_id, campaign_id, None).subquery())
        )
        last = max(1, -(-total // size))
        if last < page:
            return queue_page(curator_id, campaign_id, last, size)
    total = rows[0].total if rows else 0
    return QueuePage(
        rows=[QueueRow(*row[:-1]) for row in rows],
        page=page,
        pages=max(1, -(-total // size)),
        total=total,
    )


def _queue(curator_id: int, campaign_id: int, limit: int | None):
    """What waits for the curator in this campaign, oldest submission first."""
    return (
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


def last_finished_review(document_id: int) -> list[Review]:
    """The newest finished checklist of a document (as a list of at most one), answers loaded."""
    stmt = (
        select(Review)
        .where(Review.document_id == document_id, Review.finished_at.is_not(None))
        # One statement: the review, its answers and their criteria joined.
        .options(joinedload(Review.answers).joinedload(ReviewAnswer.criterion))
        .order_by(Review.finished_at.desc())
        .limit(1)
    )
    return list(db.session.scalars(stmt).unique())
