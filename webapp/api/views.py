"""JSON API under /api/v1 with bearer-token authentication."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from webapp.api.openapi import SPEC
from webapp.api.serializers import document_detail, document_summary
from webapp.auth.permissions import can_upload, school_scope
from webapp.auth.services import authenticate, issue_token, user_from_token
from webapp.campaigns.models import DocumentType
from webapp.documents import services
from webapp.documents.models import Document
from webapp.documents.queries import document_or_404
from webapp.documents.uploads import UploadRejected
from webapp.extensions import csrf, db, limiter
from webapp.orgs.models import School
from workflows.document import DocumentState
from workflows.machine import GuardRefused, InvalidTransition, NotPermitted, WorkflowError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def error(status: int, message: str, **extra: object):
    return jsonify({"error": {"status": status, "message": message, **extra}}), status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    messages = {
        401: "Нужна авторизация: передайте заголовок Authorization: Bearer <token>.",
        403: "Недостаточно прав.",
        404: "Не найдено.",
        405: "Метод не поддерживается.",
        413: "Файл больше допустимого размера.",
        429: "Слишком много запросов. Повторите позже.",
    }
    return error(exc.code or 500, messages.get(exc.code, exc.description or "Ошибка."))


def token_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_from_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            abort(401)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def token():
    data = request.get_json(silent=True)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("email"), str)
        or not isinstance(data.get("password"), str)
    ):
        return error(422, "Передайте JSON с полями email и password.")
    user = authenticate(data["email"], data["password"])
    if user is None:
        return error(401, "Неверный адрес электронной почты или пароль.")
    return jsonify({"token": issue_token(user)})


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


@bp.get("/documents")
@token_required
def list_documents():
    stmt = (
        select(Document)
        .join(School, School.id == Document.school_id)
        .where(school_scope(g.api_user))
    )
    school_id = request.args.get("school_id")
    if school_id:
        if not school_id.isdigit():
            return error(422, "Параметр school_id должен быть числом.")
        stmt = stmt.where(Document.school_id == int(school_id))
    state = request.args.get("state")
    if state:
        if state not in {s.value for s in DocumentState}:
            return error(422, f"Неизвестное состояние «{state}».")
        stmt = stmt.where(Document.state == state)
    type_code = request.args.get("type")
    if type_code:
        stmt = stmt.join(DocumentType).where(DocumentType.code == type_code)
    documents = db.session.scalars(stmt.order_by(Document.id).limit(5000))
    return jsonify({"items": [document_summary(d) for d in documents]})


@bp.get("/documents/<int:document_id>")
@token_required
def get_document(document_id: int):
    document = document_or_404(g.api_user, document_id)
    return jsonify(document_detail(document, g.api_user))


@bp.post("/documents/<int:document_id>/versions")
@token_required
def post_version(document_id: int):
    document = document_or_404(g.api_user, document_id)
    if not can_upload(g.api_user, document):
        return error(403, "Загружать версии может только сама школа.")
    file = request.files.get("file")
    if file is None:
        return error(422, "Передайте файл в поле формы «file».")
    try:
        services.add_version(document.id, file.stream, file.filename, actor=g.api_user)
        db.session.commit()
    except UploadRejected as exc:
        db.session.rollback()
        return error(422, exc.message, code=exc.code)
    except WorkflowError as exc:
        db.session.rollback()
        return error(409, exc.message)
    db.session.expire_all()
    return jsonify(document_detail(document_or_404(g.api_user, document_id), g.api_user)), 201


@bp.post("/documents/<int:document_id>/transitions")
@token_required
def post_transition(document_id: int):
    document = document_or_404(g.api_user, document_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("trigger"), str):
        return error(422, "Передайте JSON с полем trigger.")
    comment = data.get("comment") or ""
    if not isinstance(comment, str):
        return error(422, "Поле comment должно быть строкой.")
    try:
        _fire(document, data["trigger"], comment, data.get("lock_version"))
        db.session.commit()
    except services.StateConflict as exc:
        db.session.rollback()
        return error(409, exc.message)
    except NotPermitted as exc:
        db.session.rollback()
        return error(403, exc.message)
    except (GuardRefused, InvalidTransition) as exc:
        db.session.rollback()
        return error(422, exc.message, reasons=list(exc.reasons))
    db.session.expire_all()
    return jsonify(document_detail(document_or_404(g.api_user, document_id), g.api_user))


def _fire(document: Document, trigger: str, comment: str, expected: int | None) -> None:
    services.apply_transition(
        document.id, trigger, actor=g.api_user, comment=comment, expected_version=expected
    )
