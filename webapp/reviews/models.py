"""Checklist reviews of a document version by its curator."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaigns.models import ChecklistTemplate, Criterion
from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_REMARKS = "approve_with_remarks"
    REVISE = "revise"


VERDICT_LABELS = {
    Verdict.APPROVE: "Согласовано",
    Verdict.APPROVE_WITH_REMARKS: "Согласовано с замечаниями",
    Verdict.REVISE: "На доработку",
}


class AnswerStatus(enum.StrEnum):
    MET = "met"
    REMARK = "remark"
    NOT_MET = "not_met"


ANSWER_LABELS = {
    AnswerStatus.MET: "Соответствует",
    AnswerStatus.REMARK: "Есть замечания",
    AnswerStatus.NOT_MET: "Не соответствует",
}


class Review(db.Model):
    """A curator's checklist for one version; finished reviews are never rewritten."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(
            "verdict is null or verdict in ('approve', 'approve_with_remarks', 'revise')",
            name="verdict",
        ),
        # One open checklist per reviewer and version (two first GETs at once made two).
        Index(
            "uq_reviews_open",
            "document_id",
            "reviewer_id",
            "version_number",
            unique=True,
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_number: Mapped[int]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16), default="curator")
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    verdict: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    template: Mapped[ChecklistTemplate] = relationship()
    answers: Mapped[list[ReviewAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def answer_for(self, criterion_id: int) -> ReviewAnswer | None:
        return next((a for a in self.answers if a.criterion_id == criterion_id), None)

    def is_complete(self) -> bool:
        answered = {a.criterion_id for a in self.answers if a.status}
        return all(c.id in answered for c in self.template.criteria)


class ReviewAnswer(db.Model):
    __tablename__ = "review_answers"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id"),
        CheckConstraint("status in ('met', 'remark', 'not_met')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[Criterion] = relationship()


REMARK_TEXT_MAX = 5000
REMARK_ANSWER_MAX = 2000


class Remark(db.Model):
    """One remark of a return, answered by the school point by point.

    Raised when a revision is requested: one per criterion rated «есть замечания» or «не
    соответствует» in the closed checklist, and one (``criterion_id`` empty) for the general
    comment. The school's answer is data, not a state: a remark is open until answered, and the
    answer is tied to the version that addressed it when the document is sent again.
    """

    __tablename__ = "remarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"))
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id"))
    version_number: Mapped[int]
    status: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    addressed_in_version: Mapped[int | None]

    criterion: Mapped[Criterion | None] = relationship()

    @property
    def answered(self) -> bool:
        return bool(self.answer.strip())
