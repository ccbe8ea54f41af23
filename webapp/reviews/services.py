"""Curator reviews: the checklist of the current version and the verdict."""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.models import User
from webapp.campaigns.models import ChecklistTemplate
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.documents.services import apply_transition
from webapp.extensions import db
from webapp.reviews.models import AnswerStatus, Review, ReviewAnswer, Verdict
from workflows.machine import GuardRefused


def current_template(document_type_id: int) -> ChecklistTemplate | None:
    stmt = select(ChecklistTemplate).where(
        ChecklistTemplate.document_type_id == document_type_id, ChecklistTemplate.is_current
    )
    return db.session.scalars(stmt).first()


def unfinished_review(document: Document, reviewer: User) -> Review | None:
    """The reviewer's unfinished review of the current version, if there is one."""
    stmt = select(Review).where(
        Review.document_id == document.id,
        Review.reviewer_id == reviewer.id,
        Review.version_number == document.latest_version_number,
        Review.finished_at.is_(None),
    )
    return db.session.scalars(stmt).first()


def open_review(document: Document, reviewer: User) -> tuple[Review | None, bool]:
    """The reviewer's unfinished review of the current version (created on first use), created?"""
    review = unfinished_review(document, reviewer)
    if review is not None:
        return review, False
    template = current_template(document.document_type_id)
    if template is None:
        return None, False
    review = Review(
        document_id=document.id,
        version_number=document.latest_version_number,
        reviewer_id=reviewer.id,
        template=template,
    )
    db.session.add(review)
    db.session.flush()
    return review, True


def save_answers(review: Review, answers: dict[int, tuple[str, str]]) -> None:
    """Store per-criterion status and comment; unknown criteria and statuses are ignored."""
    valid_ids = {c.id for c in review.template.criteria}
    statuses = {s.value for s in AnswerStatus}
    for criterion_id, (status, comment) in answers.items():
        if criterion_id not in valid_ids or status not in statuses:
            continue
        answer = review.answer_for(criterion_id)
        if answer is None:
            answer = ReviewAnswer(criterion_id=criterion_id, status=status)
            review.answers.append(answer)
        answer.status = status
        answer.comment = comment.strip()
    db.session.flush()


def finish_review(
    document_id: int,
    review: Review,
    verdict: str,
    comment: str,
    *,
    actor: User,
    expected_version: int | None = None,
) -> Document:
    """Apply the verdict through the workflow and freeze the review; the caller commits."""
    if verdict not in {v.value for v in Verdict}:
        raise GuardRefused("Выберите решение по документу.", trigger="accept")
    if verdict == Verdict.APPROVE_WITH_REMARKS and not comment.strip():
        raise GuardRefused(
            "Укажите замечания: для решения «согласовано с замечаниями» комментарий обязателен.",
            trigger="accept",
        )
    trigger = "request_revision" if verdict == Verdict.REVISE else "accept"
    document = apply_transition(
        document_id,
        trigger,
        actor=actor,
        comment=comment,
        expected_version=expected_version,
        checklist_complete=review.is_complete(),
    )
    review.verdict = verdict
    review.comment = comment.strip()
    review.finished_at = utcnow()
    db.session.flush()
    return document


def verdict_for(trigger: str, comment: str) -> str | None:
    """The checklist verdict an API trigger stands for (None: not a curator verdict)."""
    if trigger == "request_revision":
        return Verdict.REVISE.value
    if trigger == "accept":
        return (Verdict.APPROVE_WITH_REMARKS if comment.strip() else Verdict.APPROVE).value
    return None
