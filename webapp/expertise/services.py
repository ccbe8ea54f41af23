"""Mutual expertise in the product: assignments from a pairing, their lifecycle, replacements.

Every state change goes through the workflow layer (``apply_transition`` with the binding of
``webapp/expertise/workflow.py``); what one change causes (a document entering its peer stage,
a replacement for a declined assignment, the stage finishing when all conclusions are in) runs
as a follow-up in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from blinker import Namespace
from flask_babel import gettext
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.campaigns.models import ChecklistKind, ChecklistTemplate
from webapp.documents.models import Document
from webapp.documents.services import apply_transition as fire_document
from webapp.expertise.models import Pairing, PeerAnswer, PeerAssignment
from webapp.expertise.workflow import PEER_ASSIGNMENTS, stage_of
from webapp.extensions import db
from webapp.orgs.zones import school_zone
from webapp.workflow.service import apply_transition
from workflows.deadlines import deadline_after
from workflows.document import DocumentState, DocumentTrigger
from workflows.machine import GuardRefused
from workflows.peer_assignment import OPEN_STATES, PeerState, PeerTrigger

ANSWER_STATUSES = frozenset({"met", "remark", "not_met"})
CONCLUSION_MAX = 10_000
COMMENT_MAX = 2000
FAILED_STATES = frozenset({PeerState.DECLINED, PeerState.EXPIRED, PeerState.CANCELLED})

_signals = Namespace()
#: An assignment became actionable (its document entered the peer stage, or it replaced one).
assignment_opened = _signals.signal("peer-assignment-opened")
#: The allowed replacements are used up: the reviewed school's curator must close the stage.
closing_asked = _signals.signal("peer-closing-asked")


# -- creating assignments from a confirmed pairing ------------------------------------------


def peer_documents(campaign_id: int, school_id: int) -> list[Document]:
    """The school's documents of this campaign whose type goes through the peer stage."""
    documents = db.session.scalars(
        select(Document).where(Document.campaign_id == campaign_id, Document.school_id == school_id)
    )
    return [d for d in documents if _needs_peer_stage(d)]


def _peer_documents_by_school(campaign_id: int, school_ids: set[int]) -> dict[int, list[Document]]:
    stmt = (
        select(Document)
        .where(Document.campaign_id == campaign_id, Document.school_id.in_(school_ids))
        .order_by(Document.id)
    )
    by_school: dict[int, list[Document]] = {}
    for document in db.session.scalars(stmt):
        if _needs_peer_stage(document):
            by_school.setdefault(document.school_id, []).append(document)
    return by_school


def _needs_peer_stage(document: Document) -> bool:
    setting = document.campaign.setting_for(document.document_type_id)
    return bool(setting and setting.needs_peer_review)


def peer_template(document_type_id: int) -> ChecklistTemplate | None:
    stmt = select(ChecklistTemplate).where(
        ChecklistTemplate.document_type_id == document_type_id,
        ChecklistTemplate.kind == ChecklistKind.PEER,
        ChecklistTemplate.is_current,
    )
    return db.session.scalars(stmt).first()


def create_assignments(pairing: Pairing, pairs: list[tuple[int, int]]) -> list[PeerAssignment]:
    """One assignment per (reviewer, reviewed) pair and peer-stage document; flush.

    Documents already accepted by their curator enter the peer stage at once; the others enter
    it when they are accepted (see ``webapp/expertise/subscribers.py``). Documents and peer
    checklists are read once for the whole pairing, not once per pair.
    """
    documents = _peer_documents_by_school(pairing.campaign_id, {b for _, b in pairs})
    templates: dict[int, ChecklistTemplate | None] = {}
    created = []
    for reviewer_id, reviewed_id in pairs:
        for document in documents.get(reviewed_id, []):
            type_id = document.document_type_id
            if type_id not in templates:
                templates[type_id] = peer_template(type_id)
            created.append(
                new_assignment(
                    pairing, document, reviewer_id, attempt=1, template=templates[type_id]
                )
            )
    db.session.flush()
    ready = {a.document_id for a in created if a.document.state == DocumentState.CURATOR_ACCEPTED}
    for document_id in sorted(ready):
        start_peer_review(document_id)
    return created


def new_assignment(
    pairing: Pairing,
    document: Document,
    reviewer_id: int,
    *,
    attempt: int,
    replaces=None,
    template: ChecklistTemplate | None = None,
) -> PeerAssignment:
    assignment = PeerAssignment(
        campaign_id=pairing.campaign_id,
        pairing_id=pairing.id,
        document=document,
        reviewer_school_id=reviewer_id,
        reviewed_school_id=document.school_id,
        attempt=attempt,
        replaces_id=None if replaces is None else replaces.id,
        template=template or peer_template(document.document_type_id),
    )
    db.session.add(assignment)
    return assignment


# -- the document's side: entering and leaving the peer stage -------------------------------


def start_peer_review(document_id: int) -> None:
    """The system moves an accepted document with assignments into its peer stage."""
    fire_document(document_id, DocumentTrigger.START_PEER_REVIEW, actor=None, system=True)


def open_assignments(document_id: int, now: datetime) -> None:
    """The document is in its peer stage: its waiting assignments get their accept deadline."""
    stmt = select(PeerAssignment).where(
        PeerAssignment.document_id == document_id,
        PeerAssignment.state == PeerState.ASSIGNED,
        PeerAssignment.due_at.is_(None),
    )
    assignments = list(db.session.scalars(stmt))
    if assignments:
        days = stage_of(assignments[0].campaign_id).accept_days
    for assignment in assignments:
        open_assignment(assignment, now, days)


def open_assignment(
    assignment: PeerAssignment, now: datetime, accept_days: int | None = None
) -> None:
    """Start the accept deadline and tell the reviewing school."""
    if accept_days is None:
        accept_days = stage_of(assignment.campaign_id).accept_days
    zone = school_zone(assignment.reviewer_school_id)  # the reviewing school's day ends it
    assignment.due_at = deadline_after(now, accept_days, zone)
    assignment_opened.send(assignment)


def has_open_assignments(document_id: int) -> bool:
    stmt = select(func.count()).where(
        PeerAssignment.document_id == document_id,
        PeerAssignment.state.in_([s.value for s in OPEN_STATES]),
    )
    return bool(db.session.scalar(stmt))


def has_assignments(document_id: int) -> bool:
    stmt = select(func.count()).where(PeerAssignment.document_id == document_id)
    return bool(db.session.scalar(stmt))


def finish_if_complete(document_id: int) -> None:
    """All k conclusions in and nothing open: the system finishes the document's peer stage."""
    document = db.session.get(Document, document_id)
    if document.state != DocumentState.PEER_REVIEW:
        return
    states = _states_of(document_id)
    submitted = sum(1 for s in states if s == PeerState.SUBMITTED)
    if submitted >= _k_of(document_id) and not any(s in OPEN_STATES for s in states):
        fire_document(document_id, DocumentTrigger.FINISH_PEER_REVIEW, actor=None, system=True)


def _states_of(document_id: int) -> list[str]:
    stmt = select(PeerAssignment._state).where(PeerAssignment.document_id == document_id)
    return list(db.session.scalars(stmt))


def _k_of(document_id: int) -> int:
    stmt = (
        select(Pairing.k)
        .join(PeerAssignment, PeerAssignment.pairing_id == Pairing.id)
        .where(PeerAssignment.document_id == document_id)
        .limit(1)
    )
    return db.session.scalar(stmt) or 1


def close_stage(document_id: int, reason: str, *, actor: User) -> Document:
    """The curator closes a document's peer stage with a reason: open assignments are cancelled."""
    if not reason.strip():
        raise GuardRefused(gettext("Укажите причину закрытия этапа."), trigger=PeerTrigger.CANCEL)
    stmt = select(PeerAssignment.id).where(
        PeerAssignment.document_id == document_id,
        PeerAssignment.state.in_([s.value for s in OPEN_STATES]),
    )
    for assignment_id in list(db.session.scalars(stmt)):
        apply_transition(
            PEER_ASSIGNMENTS, assignment_id, PeerTrigger.CANCEL, actor=actor, comment=reason
        )
    return fire_document(
        document_id, DocumentTrigger.FINISH_PEER_REVIEW, actor=actor, comment=reason
    )


# -- the assignment's side ---------------------------------------------------------------------


def fire(
    assignment_id: int,
    trigger: str,
    *,
    actor: User | None,
    comment: str = "",
    expected_version: int | None = None,
    system: bool = False,
) -> PeerAssignment:
    """Fire a peer assignment trigger through the workflow layer; the caller commits."""
    return apply_transition(
        PEER_ASSIGNMENTS,
        assignment_id,
        trigger,
        actor=actor,
        comment=comment,
        expected_version=expected_version,
        system=system,
    )


def save_conclusion(
    assignment: PeerAssignment, answers: list[tuple[int, str, str]], conclusion: str
) -> None:
    """Store the peer checklist draft (all or nothing); only while the assignment is accepted."""
    if assignment.state != PeerState.ACCEPTED:
        raise GuardRefused(
            gettext("Заключение можно заполнять только по принятому назначению."),
            trigger=PeerTrigger.SUBMIT,
        )
    _check_answers(assignment, answers, conclusion)
    for criterion_id, status, comment in answers:
        answer = assignment.answer_for(criterion_id)
        if answer is None:
            answer = PeerAnswer(criterion_id=criterion_id, status=status)
            assignment.answers.append(answer)
        answer.status, answer.comment = status, comment.strip()
    assignment.conclusion = conclusion.strip()
    db.session.flush()


def _check_answers(assignment, answers, conclusion: str) -> None:
    valid = {c.id for c in assignment.template.criteria} if assignment.template else set()
    problems = []
    for criterion_id, status, comment in answers:
        if criterion_id not in valid:
            problems.append(
                gettext("Критерий %(criterion)s не из этого чек-листа.", criterion=criterion_id)
            )
        elif status not in ANSWER_STATUSES:
            problems.append(
                gettext(
                    "Неизвестная оценка «%(status)s» у критерия %(criterion)s.",
                    status=status,
                    criterion=criterion_id,
                )
            )
        elif len(comment) > COMMENT_MAX:
            problems.append(
                gettext(
                    "Комментарий к критерию %(criterion)s длиннее %(limit)s символов.",
                    criterion=criterion_id,
                    limit=COMMENT_MAX,
                )
            )
    if len(conclusion) > CONCLUSION_MAX:
        problems.append(gettext("Заключение длиннее %(limit)s символов.", limit=CONCLUSION_MAX))
    if problems:
        raise GuardRefused(" ".join(problems), trigger=PeerTrigger.SUBMIT)


# -- the beat scan ------------------------------------------------------------------------------


def overdue_assignments(now: datetime) -> list[int]:
    stmt = (
        select(PeerAssignment.id)
        .where(
            PeerAssignment.state.in_([s.value for s in OPEN_STATES]),
            PeerAssignment.due_at < now,
        )
        .order_by(PeerAssignment.id)
    )
    return list(db.session.scalars(stmt))
