"""Peer assignments: the reviewing school's list, one assignment with its checklist, the
conclusion (all or nothing) and the transitions accept / decline / submit.

Scope (``webapp.expertise.permissions.assignment_scope``): a school sees what it holds as
reviewer, the reviewed school's curator and coordinators what is in their scope, the admin all;
anything else is 404. Only members of the reviewing school may act (403). Workflow refusals
reach the one handler: 409 stale view, 403 role, 422 unmet condition (a decline without reason).
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext, lazy_gettext
from flask_smorest import abort
from sqlalchemy import func, select

from webapp.api.base import ID, Blueprint, known_id
from webapp.api.peer_schemas import (
    ACTIONS,
    ConclusionIn,
    PeerAssignmentDetail,
    PeerAssignmentPage,
    PeerAssignmentQuery,
    PeerTransitionIn,
)
from webapp.expertise import services
from webapp.expertise.models import PeerAssignment
from webapp.expertise.permissions import assignment_scope, can_act_on_assignment
from webapp.expertise.workflow import PEER_ASSIGNMENTS
from webapp.extensions import db
from webapp.workflow.service import available_triggers

bp = Blueprint(
    "api_peer_assignments",
    __name__,
    url_prefix="/api/v1/peer-assignments",
    description="Взаимоэкспертиза: назначения школ-рецензентов",
)
REVIEWER_ONLY = lazy_gettext("Действовать по назначению может только школа-рецензент.")


@bp.get("")
@bp.authenticated
@bp.arguments(PeerAssignmentQuery, location="query")
@bp.response(200, PeerAssignmentPage)
def list_assignments(query: dict) -> dict:
    """Назначения, видимые пользователю (школе — те, где она рецензент), постранично."""
    stmt = select(PeerAssignment).where(assignment_scope(g.api_user))
    if "state" in query:
        stmt = stmt.where(PeerAssignment.state == query["state"])
    if "reviewed_school_id" in query:
        stmt = stmt.where(PeerAssignment.reviewed_school_id == query["reviewed_school_id"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = query["page"], query["per_page"]
    rows = db.session.scalars(
        stmt.order_by(PeerAssignment.id).limit(per_page).offset((page - 1) * per_page)
    )
    items = [summary(a) for a in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@bp.get(f"/<{ID}:assignment_id>")
@bp.authenticated
@bp.response(200, PeerAssignmentDetail)
@bp.errors(404)
def get_assignment(assignment_id: int) -> dict:
    """Назначение с чек-листом взаимоэкспертизы и заключением."""
    return detail(visible_or_404(assignment_id))


@bp.put(f"/<{ID}:assignment_id>/conclusion")
@bp.authenticated
@bp.arguments(ConclusionIn)
@bp.response(200, PeerAssignmentDetail)
@bp.errors(403, 404, 409, 422)
def put_conclusion(body: dict, assignment_id: int) -> dict:
    """Сохранить отметки по критериям и текст заключения: всё или ничего."""
    visible = visible_or_404(assignment_id)
    if not can_act_on_assignment(g.api_user, visible):
        abort(403, message=REVIEWER_ONLY)
    assignment = db.session.get(
        PeerAssignment, visible.id, with_for_update=True, populate_existing=True
    )
    answers = _answers(assignment, body["criteria"])
    conclusion = body.get("conclusion")
    services.save_conclusion(
        assignment, answers, assignment.conclusion if conclusion is None else conclusion
    )
    db.session.commit()
    return detail(visible_or_404(assignment_id))


def _answers(assignment: PeerAssignment, items: list[dict]) -> list[tuple[int, str, str]]:
    """Validated answers; an unknown or repeated criterion refuses them all, naming the item."""
    known = {c.id for c in assignment.template.criteria} if assignment.template else set()
    seen: set[int] = set()
    answers = []
    for index, item in enumerate(items):
        criterion_id = item["criterion_id"]
        if criterion_id not in known or criterion_id in seen:
            _refuse(
                index,
                gettext("Критерий %(id)s нет в этом чек-листе.", id=criterion_id)
                if criterion_id not in known
                else gettext("Критерий %(id)s указан дважды.", id=criterion_id),
            )
        seen.add(criterion_id)
        answers.append((criterion_id, item["status"], item["comment"] or ""))
    return answers


def _refuse(index: int, message: str) -> None:
    db.session.rollback()
    abort(
        422,
        message=gettext(
            "Проверьте данные запроса: criteria[%(index)s]: %(problem)s",
            index=index,
            problem=message,
        ),
        extra={"fields": {"criteria": {str(index): {"criterion_id": [message]}}}},
    )


@bp.post(f"/<{ID}:assignment_id>/transitions")
@bp.authenticated
@bp.arguments(PeerTransitionIn)
@bp.response(200, PeerAssignmentDetail)
@bp.errors(403, 404, 409, 422)
def post_transition(body: dict, assignment_id: int) -> dict:
    """Принять (accept), отказаться с причиной (decline) или отправить заключение (submit)."""
    assignment = visible_or_404(assignment_id)
    services.fire(
        assignment.id,
        body["trigger"],
        actor=g.api_user,
        comment=body["comment"] or "",
        expected_version=body.get("lock_version"),
    )
    db.session.commit()
    db.session.expire_all()
    return detail(visible_or_404(assignment_id))


def visible_or_404(assignment_id: int) -> PeerAssignment:
    stmt = select(PeerAssignment).where(
        PeerAssignment.id == known_id(assignment_id), assignment_scope(g.api_user)
    )
    assignment = db.session.scalars(stmt).first()
    if assignment is None:
        abort(404)
    return assignment


def summary(assignment: PeerAssignment) -> dict:
    return {
        "id": assignment.id,
        "state": assignment.state,
        "document_id": assignment.document_id,
        "reviewer_school_id": assignment.reviewer_school_id,
        "reviewed_school_id": assignment.reviewed_school_id,
        "campaign_id": assignment.campaign_id,
        "pairing_id": assignment.pairing_id,
        "attempt": assignment.attempt,
        "replaces_id": assignment.replaces_id,
        "lock_version": assignment.lock_version,
        "due_at": assignment.due_at,
        "available_triggers": [
            t for t in available_triggers(PEER_ASSIGNMENTS, assignment, g.api_user) if t in ACTIONS
        ],
    }


def detail(assignment: PeerAssignment) -> dict:
    criteria = []
    for criterion in assignment.template.criteria if assignment.template else []:
        answer = assignment.answer_for(criterion.id)
        criteria.append(
            {
                "id": criterion.id,
                "text": criterion.text,
                "status": answer.status if answer else None,
                "comment": answer.comment if answer else "",
            }
        )
    checklist = {
        "template_id": assignment.template_id,
        "complete": assignment.is_complete(),
        "criteria": criteria,
    }
    return {**summary(assignment), "checklist": checklist, "conclusion": assignment.conclusion}
