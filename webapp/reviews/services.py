"""Curator reviews: the checklist of the current version and the verdict."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.campaigns.models import ChecklistKind, ChecklistTemplate
from webapp.documents.models import Document
from webapp.documents.services import apply_transition
from webapp.documents.workflow import document_facts
from webapp.extensions import db
from webapp.reviews import remarks
from webapp.reviews.models import AnswerStatus, Review, ReviewAnswer, Verdict
from webapp.workflow.signals import transition_recorded
from workflows.document import DocumentState, DocumentTrigger, document_workflow
from workflows.machine import GuardRefused, TransitionEvent


def current_template(document_type_id: int) -> ChecklistTemplate | None:
    stmt = select(ChecklistTemplate).where(
        ChecklistTemplate.document_type_id == document_type_id,
        ChecklistTemplate.kind == ChecklistKind.CURATOR,
        ChecklistTemplate.is_current,
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
    return db.session.scalars(stmt.order_by(Review.id)).first()


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
    _carry_statuses(review, document)
    try:
        with db.session.begin_nested():  # two first GETs at once: the unique index picks one
            db.session.add(review)
    except IntegrityError:
        return unfinished_review(document, reviewer), False
    return review, True


def _carry_statuses(review: Review, document: Document) -> None:
    """The next round starts from the previous round's statuses (criteria of this template only).

    Comments are not carried: the previous remarks and the school's answers are shown beside
    each criterion, and a comment typed now is a new remark.
    """
    previous = db.session.scalars(
        select(Review)
        .where(
            Review.document_id == document.id,
            Review.role == "curator",
            Review.finished_at.is_not(None),
            Review.version_number < document.latest_version_number,
        )
        .order_by(Review.finished_at.desc(), Review.id.desc())
        .limit(1)
    ).first()
    if previous is None:
        return
    criteria = {c.id for c in review.template.criteria}
    for answer in previous.answers:
        if answer.criterion_id in criteria:
            carried = ReviewAnswer(criterion_id=answer.criterion_id, status=answer.status)
            review.answers.append(carried)


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


# The screen's verdict names the trigger it fires; the review is closed by the transition itself.
VERDICT_TRIGGERS = {
    Verdict.APPROVE: DocumentTrigger.ACCEPT,
    Verdict.APPROVE_WITH_REMARKS: DocumentTrigger.ACCEPT,
    Verdict.REVISE: DocumentTrigger.REQUEST_REVISION,
}


def finish_review(
    document_id: int,
    review: Review,
    verdict: str,
    comment: str,
    *,
    actor: User,
    expected_version: int | None = None,
    approve_now: bool = False,
) -> Document:
    """Fire the trigger of the screen's verdict; the caller commits.

    ``approve_now`` (a type without a peer stage) approves in the same step after ``accept``:
    both transitions are recorded, in one transaction, or neither.

    The guard ``checklist_complete`` reads the saved checklist, and :func:`_close_review` freezes
    the review with this verdict when the transition is recorded.
    """
    if verdict not in {v.value for v in Verdict}:
        raise GuardRefused("Выберите решение по документу.", trigger=DocumentTrigger.ACCEPT)
    if verdict == Verdict.APPROVE_WITH_REMARKS and not (comment.strip() or _has_remarks(review)):
        raise GuardRefused(
            "Укажите замечания: в общем комментарии или у критериев со статусом «есть замечания».",
            trigger=DocumentTrigger.ACCEPT,
        )
    review.verdict = verdict
    document = apply_transition(
        document_id,
        VERDICT_TRIGGERS[Verdict(verdict)],
        actor=actor,
        comment=comment,
        expected_version=expected_version,
    )
    if approve_now and verdict != Verdict.REVISE:
        document = apply_transition(document_id, DocumentTrigger.APPROVE, actor=actor)
    return document


def _has_remarks(review: Review) -> bool:
    """A criterion rated with remarks and commented: the remarks are already written."""
    return any(a.status != AnswerStatus.MET and a.comment.strip() for a in review.answers)


def _checklist_facts(document: Document, *, actor: User | None) -> dict:
    """The ``checklist_complete`` fact: the actor's open checklist of the current version.

    Only the verdicts from ``curator_review`` look at it: in any other state it is not read.
    """
    if actor is None or document.state != DocumentState.CURATOR_REVIEW:
        return {}
    review = unfinished_review(document, actor)
    return {"checklist_complete": review is not None and review.is_complete()}


def _on_document_transition(document: Document, *, event: TransitionEvent, log) -> None:
    """Freeze the checklist of a verdict, then keep the remarks thread in step."""
    if event.workflow != document_workflow.name:
        return
    review = _close_review(document, event)
    remarks.on_transition(document, event, review)


def _close_review(document: Document, event: TransitionEvent) -> Review | None:
    """A verdict fired from the checklist freezes the actor's open review of this version."""
    if event.source != DocumentState.CURATOR_REVIEW:
        return None
    if event.trigger not in (DocumentTrigger.ACCEPT, DocumentTrigger.REQUEST_REVISION):
        return None
    review = unfinished_review(document, db.session.get(User, event.ctx.actor_id))
    if review is None:
        return None
    review.verdict = review.verdict or _verdict_of(event)
    review.comment = event.ctx.comment.strip()
    review.finished_at = event.at
    db.session.flush()
    return review


def _verdict_of(event: TransitionEvent) -> str:
    if event.trigger == DocumentTrigger.REQUEST_REVISION:
        return Verdict.REVISE.value
    return (Verdict.APPROVE_WITH_REMARKS if event.ctx.comment.strip() else Verdict.APPROVE).value


def connect() -> None:
    """Subscribe the checklist to the document workflow (idempotent)."""
    document_facts.connect(_checklist_facts, weak=False)
    document_facts.connect(remarks.remarks_facts, weak=False)
    transition_recorded.connect(_on_document_transition, weak=False)
