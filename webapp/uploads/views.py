"""The tus 1.0.0 endpoint for resumable uploads of document versions (core, creation,
termination and expiration; https://tus.io/protocols/resumable-upload).

Every answer is plain text in the user's language (Russian first) and carries
``Tus-Resumable``; the browser side is ``static/js/resumable-upload.js`` over tus-js-client.
CSRF: POST, PATCH and DELETE are checked by Flask-WTF like any form (the token travels in the
``X-CSRFToken`` header).
"""

from __future__ import annotations

import base64
import binascii
import re

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import http_date

from webapp.common.time import utcnow
from webapp.documents.uploads import UploadRejected
from webapp.extensions import db
from webapp.uploads import services
from webapp.uploads.store import Session, TooMuchData, UploadBusy, UploadGone
from workflows.machine import WorkflowError

bp = Blueprint("uploads", __name__, url_prefix="/uploads/tus")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
OFFSET_TYPE = "application/offset+octet-stream"
_DIGITS = re.compile(r"\d{1,19}")
_METADATA_KEY = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 7230 token, as the spec says


@bp.before_request
def _login_and_protocol():
    if request.method == "OPTIONS":
        return None  # discovery needs neither (tus 1.0.0, "OPTIONS")
    if not current_user.is_authenticated:
        return _text(401, _("Войдите, чтобы продолжить."))
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        response = _text(412, _("Сервер поддерживает протокол tus только версии 1.0.0."))
        response.headers["Tus-Version"] = TUS_VERSION
        return response
    return None


@bp.after_request
def _tus_headers(response: Response) -> Response:
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["OPTIONS"], provide_automatic_options=False)
def options():
    response = Response(status=204)
    response.headers["Tus-Version"] = TUS_VERSION
    response.headers["Tus-Extension"] = TUS_EXTENSIONS
    response.headers["Tus-Max-Size"] = str(services.documents.max_upload_bytes())
    return response


@bp.route("/", methods=["POST"], provide_automatic_options=False)
def create():
    """Creation: ``Upload-Length`` and ``Upload-Metadata`` (``document_id``, ``filename``)."""
    if "Upload-Defer-Length" in request.headers:
        return _text(400, _("Размер файла должен быть известен заранее."))
    length = _number(request.headers.get("Upload-Length"))
    metadata = _metadata(request.headers.get("Upload-Metadata", ""))
    if length is None or metadata is None:
        return _text(400, _("Неверный запрос на загрузку: нет размера или описания файла."))
    document_id = _number(metadata.get("document_id"))
    if document_id is None:
        return _text(400, _("Не указан документ, к которому загружается файл."))
    try:
        session = services.start_upload(current_user, document_id, length, metadata.get("filename"))
    except services.NoSuchDocument:
        return _not_found()
    except UploadRejected as exc:
        return _text(413 if exc.code == "too_large" else 400, exc.message)
    except WorkflowError as exc:
        return _text(403, str(exc))
    response = Response(status=201)
    response.headers["Location"] = url_for(".upload", upload_id=session.id)
    response.headers["Upload-Expires"] = http_date(session.expires_at)
    return response


@bp.route("/<upload_id>", methods=["HEAD"])
def status(upload_id: str):
    """The offset to resume from."""
    session = services.own_session(current_user, upload_id)
    if session is None:
        return _not_found()
    if session.expires_at <= utcnow():
        return _gone()
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(services.partial_store().offset(session))
    response.headers["Upload-Length"] = str(session.length)
    response.headers["Upload-Expires"] = http_date(session.expires_at)
    return response


@bp.route("/<upload_id>", methods=["PATCH"])
def upload(upload_id: str):
    """Append bytes at ``Upload-Offset``; the last bytes turn the upload into a version."""
    session = services.own_session(current_user, upload_id)
    if session is None:
        return _not_found()
    if session.expires_at <= utcnow():
        return _gone()
    if request.mimetype != OFFSET_TYPE:
        return _text(415, _("Неверный тип содержимого: ожидается %(type)s.", type=OFFSET_TYPE))
    claimed = _number(request.headers.get("Upload-Offset"))
    if claimed is None:
        return _text(400, _("Не указано смещение (Upload-Offset)."))
    store = services.partial_store()
    try:
        with store.locked(session) as part:
            return _append(session, part, claimed)
    except UploadGone:
        return _not_found()
    except UploadBusy:
        return _text(423, _("Загрузка этого файла уже идёт в другом запросе; повторите позже."))


@bp.route("/<upload_id>", methods=["DELETE"])
def terminate(upload_id: str):
    """Termination: the client gives the upload up; its bytes are removed."""
    session = services.own_session(current_user, upload_id)
    if session is None:
        return _not_found()
    store = services.partial_store()
    try:
        with store.locked(session):
            store.remove(session.id)
    except UploadGone:
        return _not_found()
    except UploadBusy:
        return _text(423, _("Загрузка этого файла уже идёт в другом запросе; повторите позже."))
    return Response(status=204)


def _append(session: Session, part, claimed: int) -> Response:
    store = services.partial_store()
    offset = store.offset(session)
    if claimed != offset:
        message = _("Смещение не совпадает: на сервере уже %(offset)s байт.", offset=offset)
        return _text(409, message, offset)
    room = session.length - offset
    if request.content_length is not None and request.content_length > room:
        return _text(413, _("Данных больше, чем объявленный размер файла."), offset)
    session = store.prolong(session, utcnow() + services.lifetime())
    try:
        offset += store.append(part, request.stream, room)
    except ClientDisconnected:
        # The bytes that arrived are on disk; the client resumes from them after a HEAD.
        return _text(400, _("Соединение прервано."), store.offset(session))
    except TooMuchData:
        return _text(413, _("Данных больше, чем объявленный размер файла."), offset)
    if offset < session.length:
        return _offset_response(session, offset)
    return _finish(session, part, offset)


def _finish(session: Session, part, offset: int) -> Response:
    """Hand the completed file to the document service, as the plain form does."""
    store = services.partial_store()
    try:
        version = services.finish_upload(session, part, current_user)
        db.session.commit()
    except (UploadRejected, WorkflowError, LookupError) as exc:
        db.session.rollback()
        store.remove(session.id)
        message = exc.message if isinstance(exc, UploadRejected) else str(exc)
        return _text(403 if isinstance(exc, WorkflowError) else 422, message, offset)
    except Exception:
        # Not recorded (e.g. the database is down): give the last byte back, so that the
        # client's HEAD does not take the upload for finished and its retry sends the byte again.
        db.session.rollback()
        part.truncate(session.length - 1)
        raise
    store.remove(session.id)
    name = version.original_name
    flash(_("Версия %(number)s загружена: %(name)s.", number=version.number, name=name), "success")
    return _offset_response(session, offset)


def _offset_response(session: Session, offset: int) -> Response:
    response = Response(status=204)
    response.headers["Upload-Offset"] = str(offset)
    response.headers["Upload-Expires"] = http_date(session.expires_at)
    return response


def _number(value: str | None) -> int | None:
    """A non-negative decimal header value, or None."""
    return int(value) if value is not None and _DIGITS.fullmatch(value) else None


def _metadata(header: str) -> dict[str, str] | None:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs; None when malformed."""
    result: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _sep, value = pair.partition(" ")
        if not _METADATA_KEY.fullmatch(key) or key in result:
            return None
        try:
            result[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    return result


def _not_found() -> Response:
    return _text(404, _("Загрузка не найдена: начните её заново."))


def _gone() -> Response:
    return _text(410, _("Срок хранения незавершённой загрузки истёк: начните её заново."))


def _text(status: int, message: str, offset: int | None = None) -> Response:
    response = Response(message, status=status, mimetype="text/plain")
    if offset is not None:
        response.headers["Upload-Offset"] = str(offset)
    return response
