"""The curator's checklist of a document's current version.

``GET`` returns the caller's checklist and opens it on first use, like the review screen;
``PUT`` saves answers (all or some criteria; the whole request or nothing). The verdict is then
fired through ``POST /api/v1/documents/<id>/transitions`` (``accept`` / ``request_revision``).

Only the school's curator may use it (others who see the document get 403, outsiders 404).
Outside the state ``curator_review`` both answer **409**: the checklist belongs to a review in
progress, and the document's current state conflicts with the request (reload and retry after
``start_review``). A document type without a checklist template answers 422.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext
from flask_smorest import abort

from webapp.api.base import ID, Blueprint
from webapp.api.schemas import ChecklistIn, ChecklistOut
from webapp.auth.permissions import can_review
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.reviews.models import Review
from webapp.reviews.services import open_review, save_answers
from workflows.document import STATE_LABELS, DocumentState

bp = Blueprint("api_reviews", __name__, url_prefix="/api/v1/documents", description="Чек-листы")
CURATOR_ONLY = "Чек-лист заполняет куратор школы."


@bp.get(f"/<{ID}:document_id>/review")
@bp.authenticated
@bp.document(can_review, CURATOR_ONLY)
@bp.response(200, ChecklistOut)
@bp.errors(409, 422)
def get_review(document: Document) -> dict:
    """Чек-лист куратора по текущей версии (создаётся при первом обращении)."""
    review = _open(document)
    db.session.commit()
    return checklist(review)


@bp.put(f"/<{ID}:document_id>/review")
@bp.authenticated
@bp.document(can_review, CURATOR_ONLY)
@bp.arguments(ChecklistIn)
@bp.response(200, ChecklistOut)
@bp.errors(409, 422)
def put_review(body: dict, document: Document) -> dict:
    """Сохранить отметки по критериям: всё или ничего."""
    review = _open(document)
    answers = _answers(review, body["criteria"])
    save_answers(review, answers)
    db.session.commit()
    return checklist(review)


def _open(document: Document) -> Review:
    if document.state != DocumentState.CURATOR_REVIEW:
        state = STATE_LABELS[DocumentState(document.state)]
        abort(
            409,
            message=gettext(
                "Чек-лист заполняется только на проверке куратором; "
                "документ сейчас в состоянии «%(state)s».",
                state=gettext(state),
            ),
        )
    review, _created = open_review(document, g.api_user)
    if review is None:
        abort(
            422,
            message=gettext("Для этого типа документа нет чек-листа. Обратитесь к администратору."),
        )
    return review


def _answers(review: Review, items: list[dict]) -> dict[int, tuple[str, str]]:
    """Validated answers keyed by criterion id; any unknown or repeated id refuses them all."""
    known = {c.id for c in review.template.criteria}
    answers: dict[int, tuple[str, str]] = {}
    for index, item in enumerate(items):
        criterion_id = item["criterion_id"]
        if criterion_id not in known or criterion_id in answers:
            if criterion_id not in known:
                problem = gettext("Критерий %(id)s нет в этом чек-листе.", id=criterion_id)
            else:
                problem = gettext("Критерий %(id)s указан дважды.", id=criterion_id)
            _refuse(index, problem)
        answers[criterion_id] = (item["status"], item["comment"] or "")
    return answers


def _refuse(index: int, message: str) -> None:
    db.session.rollback()
    abort(
        422,
        message=gettext("Проверьте данные запроса: %(problem)s", problem=message),
        extra={"fields": {"criteria": {str(index): {"criterion_id": [message]}}}},
    )


def checklist(review: Review) -> dict:
    """The checklist as the API shows it: every criterion, unanswered ones with status null."""
    criteria = []
    for criterion in review.template.criteria:
        answer = review.answer_for(criterion.id)
        criteria.append(
            {
                "id": criterion.id,
                "text": criterion.text,
                "status": answer.status if answer else None,
                "comment": answer.comment if answer else "",
            }
        )
    return {
        "document_id": review.document_id,
        "version": review.version_number,
        "complete": review.is_complete(),
        "criteria": criteria,
    }
