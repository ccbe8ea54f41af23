"""The remarks thread of a document: read it, and (the school) answer it point by point.

``GET`` is open to everyone who sees the document, except a peer reviewer (404: the thread is
the curator's exchange with the school). ``PUT`` is the school's: answers to remarks of the open
round, all or nothing; outside «На доработке» it answers **409**.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext
from flask_smorest import abort

from webapp.api.base import ID, Blueprint
from webapp.api.schemas import RemarkAnswersIn, RemarksOut
from webapp.auth.permissions import can_upload
from webapp.documents.models import Document
from webapp.expertise.queries import peer_only
from webapp.extensions import db
from webapp.reviews import remarks
from workflows.document import DocumentState

bp = Blueprint("api_remarks", __name__, url_prefix="/api/v1/documents", description="Замечания")
SCHOOL_ONLY = "На замечания отвечает школа."


@bp.get(f"/<{ID}:document_id>/remarks")
@bp.authenticated
@bp.document()
@bp.response(200, RemarksOut)
def get_remarks(document: Document) -> dict:
    """Замечания по документу и ответы школы, старые раунды первыми."""
    if peer_only(g.api_user, document):
        abort(404)
    return thread(document)


@bp.put(f"/<{ID}:document_id>/remarks")
@bp.authenticated
@bp.document(can_upload, SCHOOL_ONLY)
@bp.arguments(RemarkAnswersIn)
@bp.response(200, RemarksOut)
@bp.errors(409, 422)
def put_remarks(body: dict, document: Document) -> dict:
    """Ответить на замечания текущего раунда: всё или ничего."""
    if document.state != DocumentState.REVISION_REQUESTED:
        abort(409, message=gettext("Отвечать на замечания можно, пока документ на доработке."))
    open_ids = {r.id for r in remarks.open_round(document.id)}
    answers: dict[int, str] = {}
    for index, item in enumerate(body["answers"]):
        if item["id"] not in open_ids or item["id"] in answers:
            message = (
                gettext("Замечание %(id)s не из текущего раунда.", id=item["id"])
                if item["id"] not in open_ids
                else gettext("Замечание %(id)s указано дважды.", id=item["id"])
            )
            abort(
                422,
                message=gettext("Проверьте данные запроса: %(problem)s", problem=message),
                extra={"fields": {"answers": {str(index): {"id": [message]}}}},
            )
        answers[item["id"]] = item["answer"]
    remarks.save_answers(document, answers, actor=g.api_user)
    db.session.commit()
    return thread(document)


def thread(document: Document) -> dict:
    items = remarks.thread(document.id)
    return {
        "document_id": document.id,
        "open": sum(1 for r in items if r.addressed_in_version is None and not r.answered),
        "remarks": [
            {
                "id": r.id,
                "version": r.version_number,
                "criterion_id": r.criterion_id,
                "text": r.text,
                "answer": r.answer,
                "addressed_in_version": r.addressed_in_version,
            }
            for r in items
        ],
    }
