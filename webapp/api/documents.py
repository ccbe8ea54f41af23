"""Documents: a paginated list, one document, new versions and workflow transitions.

Refusals of the workflow (``workflows.machine.WorkflowError``) propagate to the one app-level
handler in ``webapp.workflow.errors``: 409 for a stale view, 403 for a role that may not act,
422 for an unmet condition.
"""

from __future__ import annotations

from flask import g, send_file
from flask_smorest import abort
from sqlalchemy import func, select

from webapp.api.base import ID, Blueprint
from webapp.api.schemas import (
    DocumentDetail,
    DocumentPage,
    DocumentQuery,
    TransitionRequest,
    UploadForm,
)
from webapp.auth.permissions import can_upload, school_scope
from webapp.campaigns.models import DocumentType
from webapp.documents import services
from webapp.documents.models import Document
from webapp.documents.queries import document_or_404, version_or_404
from webapp.documents.uploads import UploadRejected, content_disposition
from webapp.extensions import db
from webapp.orgs.models import School

bp = Blueprint("api_documents", __name__, url_prefix="/api/v1/documents", description="Документы")


@bp.get("")
@bp.authenticated
@bp.arguments(DocumentQuery, location="query")
@bp.response(200, DocumentPage)
def list_documents(query: dict) -> dict:
    """Документы, видимые пользователю, с фильтрами и постранично."""
    stmt = _filtered(query)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, per_page = query["page"], query["per_page"]
    items = db.session.scalars(
        stmt.order_by(Document.id).limit(per_page).offset((page - 1) * per_page)
    )
    return {"items": list(items), "total": total, "page": page, "per_page": per_page}


def _filtered(query: dict):
    stmt = (
        select(Document)
        .join(School, School.id == Document.school_id)
        .where(school_scope(g.api_user))
    )
    if "school_id" in query:
        stmt = stmt.where(Document.school_id == query["school_id"])
    if "state" in query:
        stmt = stmt.where(Document.state == query["state"])
    if "type_" in query:
        stmt = stmt.join(DocumentType).where(DocumentType.code == query["type_"])
    return stmt


@bp.get(f"/<{ID}:document_id>")
@bp.authenticated
@bp.document()
@bp.response(200, DocumentDetail)
def get_document(document: Document) -> Document:
    """Документ с версиями, историей и доступными действиями."""
    return document


@bp.get(f"/<{ID}:document_id>/versions/<{ID}:number>/file")
@bp.authenticated
@bp.document()
@bp.response(200, description="Файл версии", content_type="application/octet-stream")
@bp.errors(404)
def download_version(number: int, document: Document):
    """Скачать файл версии (видит тот, кто видит документ; школа-рецензент — пока принято)."""
    version = version_or_404(document, number)
    response = send_file(
        services.version_path(version),
        mimetype="application/octet-stream",
        conditional=False,
        max_age=0,
    )
    name = version.original_name
    if not name.lower().endswith(f".{version.kind}"):
        name = f"{name}.{version.kind}"
    response.headers["Content-Disposition"] = content_disposition(name, False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post(f"/<{ID}:document_id>/versions")
@bp.authenticated
@bp.document(can_upload, "Загружать версии может только сама школа.")
@bp.arguments(UploadForm, location="files")
@bp.response(201, DocumentDetail)
@bp.errors(409, 413, 422)
def post_version(files: dict, document: Document) -> Document:
    """Загрузить новую версию файла (поле формы «file»)."""
    file = files["file"]
    try:
        services.add_version(document.id, file.stream, file.filename, actor=g.api_user)
    except UploadRejected as exc:
        db.session.rollback()
        abort(422, message=exc.message, extra={"code": exc.code})
    db.session.commit()
    return _reloaded(document.id)


@bp.post(f"/<{ID}:document_id>/transitions")
@bp.authenticated
@bp.document()
@bp.arguments(TransitionRequest)
@bp.response(200, DocumentDetail)
@bp.errors(403, 409, 422)
def post_transition(transition: dict, document: Document) -> Document:
    """Выполнить действие над документом (submit, start_review, accept, approve …)."""
    trigger, comment = transition["trigger"], transition["comment"] or ""
    expected = transition.get("lock_version")
    services.apply_transition(
        document.id, trigger, actor=g.api_user, comment=comment, expected_version=expected
    )
    db.session.commit()
    return _reloaded(document.id)


def _reloaded(document_id: int) -> Document:
    db.session.expire_all()
    return document_or_404(g.api_user, document_id)
