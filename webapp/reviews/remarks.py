"""The remarks thread: a return's remarks, the school's answers, the version that addressed them.

A revision request raises one remark per criterion the closed checklist rated «есть замечания»
or «не соответствует», and one for the general comment. The school answers each before it sends
the document again (the ``remarks_answered`` guard of ``resubmit``); sending it again ties every
answer of that round to the version sent. The next checklist starts from the previous round's
statuses and shows each remark with its answer beside the criterion.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.reviews.models import ANSWER_LABELS, AnswerStatus, Remark, Review
from workflows.document import DocumentState, DocumentTrigger
from workflows.machine import TransitionEvent

REMARK_STATUSES = (AnswerStatus.REMARK.value, AnswerStatus.NOT_MET.value)


def raise_remarks(document: Document, event: TransitionEvent, review: Review | None) -> None:
    """Turn the return's checklist and general comment into remarks (on ``request_revision``)."""
    version = document.latest_version_number
    author = event.ctx.actor_name
    if review is not None:
        by_position = sorted(review.answers, key=lambda a: a.criterion.position)
        for answer in by_position:
            if answer.status in REMARK_STATUSES:
                db.session.add(
                    Remark(
                        document_id=document.id,
                        review_id=review.id,
                        criterion_id=answer.criterion_id,
                        version_number=version,
                        status=answer.status,
                        text=answer.comment or ANSWER_LABELS[AnswerStatus(answer.status)],
                        author_name=author,
                        created_at=event.at,
                    )
                )
    comment = event.ctx.comment.strip()
    if comment:
        db.session.add(
            Remark(
                document_id=document.id,
                review_id=None if review is None else review.id,
                criterion_id=None,
                version_number=version,
                text=comment,
                author_name=author,
                created_at=event.at,
            )
        )


def open_round(document_id: int) -> list[Remark]:
    """The remarks the school still works on: raised and not yet sent back with a version."""
    stmt = (
        select(Remark)
        .where(Remark.document_id == document_id, Remark.addressed_in_version.is_(None))
        .order_by(Remark.criterion_id.is_not(None), Remark.id)
    )
    return list(db.session.scalars(stmt))


def thread(document_id: int) -> list[Remark]:
    """Every remark of the document, oldest round first."""
    stmt = select(Remark).where(Remark.document_id == document_id).order_by(Remark.id)
    return list(db.session.scalars(stmt))


def by_criterion(document_id: int) -> tuple[dict[int, list[Remark]], list[Remark]]:
    """The remarks of the latest answered round per criterion, and its general remarks."""
    remarks = thread(document_id)
    if not remarks:
        return {}, []
    last_round = max(r.version_number for r in remarks)
    per_criterion: dict[int, list[Remark]] = {}
    general: list[Remark] = []
    for remark in remarks:
        if remark.version_number != last_round:
            continue
        if remark.criterion_id is None:
            general.append(remark)
        else:
            per_criterion.setdefault(remark.criterion_id, []).append(remark)
    return per_criterion, general


def save_answers(document: Document, answers: dict[int, str], *, actor: User) -> int:
    """Store the school's answers to the open round; returns how many changed.

    Only remarks of the open round can be answered; an answer cannot be emptied once given
    (the curator may already have read it), so a blank field leaves the stored answer.
    """
    changed = 0
    now = utcnow()
    for remark in open_round(document.id):
        if remark.id not in answers:
            continue
        text = answers[remark.id].strip()
        if not text or text == remark.answer:
            continue
        remark.answer = text
        remark.answered_at = now
        remark.answered_by_id = actor.id
        changed += 1
    db.session.flush()
    return changed


def link_answers(document: Document, event: TransitionEvent) -> None:
    """Sending the document again ties this round's answers to the version sent."""
    for remark in open_round(document.id):
        remark.addressed_in_version = document.latest_version_number


def remarks_facts(document: Document, *, actor: User | None) -> dict:
    """The ``remarks_open`` fact: a remark of the open round has no answer.

    Only ``resubmit`` (from ``revision_requested``) looks at it: elsewhere it is not read.
    """
    if document.state != DocumentState.REVISION_REQUESTED:
        return {}
    return {"remarks_open": any(not r.answered for r in open_round(document.id))}


def on_transition(document: Document, event: TransitionEvent, review: Review | None) -> None:
    if event.trigger == DocumentTrigger.REQUEST_REVISION:
        raise_remarks(document, event, review)
    elif event.trigger == DocumentTrigger.RESUBMIT:
        link_answers(document, event)
