"""marshmallow schemas of /api/v1: they validate requests and generate the OpenAPI document."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from webapp.documents.services import available_triggers
from webapp.reviews.models import AnswerStatus
from workflows.document import DocumentState, document_workflow

MAX_ID = 2**31 - 1
MAX_PER_PAGE = 500
# Validation messages are catalogue ids with marshmallow's ``{min}``/``{max}`` placeholders:
# ``lazy_gettext`` is evaluated when marshmallow formats the message, in the request's language.


def _id(**kwargs) -> fields.Integer:
    """A database id: PostgreSQL ``integer``, so out-of-range values are refused, not sent."""
    return fields.Integer(
        validate=validate.Range(
            min=1, max=MAX_ID, error=lazy_gettext("Должно быть от {min} до {max}.")
        ),
        **kwargs,
    )


class Base(Schema):
    """Unknown fields are ignored everywhere (query string and JSON bodies alike)."""

    class Meta:
        unknown = EXCLUDE


class ErrorDetail(Base):
    status = fields.Integer(required=True)
    message = fields.String(required=True, metadata={"description": "Текст для человека"})
    reasons = fields.List(fields.String(), metadata={"description": "Непройденные условия"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "Ошибки по полям"})
    code = fields.String(metadata={"description": "Код отказа загрузки"})


class ErrorSchema(Base):
    error = fields.Nested(ErrorDetail, required=True)


class PageQuery(Base):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(
            min=1, max=MAX_ID, error=lazy_gettext("Номер страницы: от {min} до {max}.")
        ),
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(
            min=1, max=MAX_PER_PAGE, error=lazy_gettext("На странице от {min} до {max} записей.")
        ),
    )


class DocumentQuery(PageQuery):
    school_id = _id()
    type_ = fields.String(data_key="type", metadata={"description": "Код типа документа"})
    state = fields.String(
        validate=validate.OneOf(
            [s.value for s in DocumentState], error="Неизвестное состояние «{input}»."
        )
    )


class TokenRequest(Base):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenResponse(Base):
    token = fields.String(required=True)


class DocumentSummary(Base):
    id = fields.Integer()
    school_id = fields.Integer()
    campaign_id = fields.Integer()
    type = fields.Function(lambda d: d.document_type.code, metadata={"type": "string"})
    risk_factor_id = fields.Integer(allow_none=True)
    title = fields.String()
    state = fields.String(metadata={"enum": [s.value for s in DocumentState]})
    lock_version = fields.Integer()
    latest_version = fields.Integer(attribute="latest_version_number")
    submitted_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class VersionOut(Base):
    number = fields.Integer()
    original_name = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    mime = fields.String()
    uploaded_by = fields.String(attribute="uploaded_by_name")
    uploaded_at = fields.DateTime()


class HistoryOut(Base):
    event = fields.String()
    from_ = fields.String(attribute="from_state", data_key="from")
    to = fields.String(attribute="to_state")
    actor = fields.String(attribute="actor_name")
    actor_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    comment = fields.String()
    version = fields.Integer(attribute="version_number")


class DocumentDetail(DocumentSummary):
    available_triggers = fields.Function(
        lambda d: available_triggers(g.api_user, d),
        metadata={"type": "array", "items": {"type": "string"}},
    )
    versions = fields.List(fields.Nested(VersionOut))
    history = fields.List(fields.Nested(HistoryOut))


class DocumentPage(Base):
    items = fields.List(fields.Nested(DocumentSummary), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class UploadForm(Base):
    file = Upload(required=True, error_messages={"required": "Передайте файл в поле формы «file»."})


class TransitionRequest(Base):
    trigger = fields.String(
        required=True,
        validate=validate.OneOf(
            document_workflow.triggers(), error="Неизвестное действие «{input}»."
        ),
        metadata={"description": "Действие документа; доступные перечислены в available_triggers"},
    )
    comment = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(
            max=5000, error=lazy_gettext("Комментарий длиннее {max} символов.")
        ),
    )
    lock_version = fields.Integer(
        allow_none=True,
        metadata={"description": "Версия, которую видел клиент; иначе 409 при расхождении"},
    )


STATUSES = [s.value for s in AnswerStatus]


class CriterionOut(Base):
    id = fields.Integer()
    text = fields.String()
    status = fields.String(allow_none=True, metadata={"enum": [*STATUSES, None]})
    comment = fields.String()


class ChecklistOut(Base):
    document_id = fields.Integer()
    version = fields.Integer(metadata={"description": "Проверяемая версия документа"})
    complete = fields.Boolean(metadata={"description": "Все критерии отмечены"})
    criteria = fields.List(fields.Nested(CriterionOut))


class AnswerIn(Base):
    criterion_id = _id(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES, error="Неизвестный статус «{input}»: {choices}."),
    )
    comment = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(
            max=2000, error=lazy_gettext("Комментарий длиннее {max} символов.")
        ),
    )


class ChecklistIn(Base):
    criteria = fields.List(fields.Nested(AnswerIn), required=True)


class JobOut(Base):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String(
        metadata={"enum": ["queued", "running", "succeeded", "failed", "cancelled"]}
    )
    progress = fields.Integer(metadata={"description": "0–100"})
    message = fields.String(allow_none=True)
    result = fields.Raw(allow_none=True)
    error = fields.String(allow_none=True)


class RemarkOut(Base):
    id = fields.Integer()
    version = fields.Integer(metadata={"description": "Версия, к которой сделано замечание"})
    criterion_id = fields.Integer(allow_none=True, metadata={"description": "null — общее"})
    text = fields.String()
    answer = fields.String(metadata={"description": "Ответ школы ('' — ещё нет)"})
    addressed_in_version = fields.Integer(
        allow_none=True, metadata={"description": "Версия, отправленная с этим ответом"}
    )


class RemarksOut(Base):
    document_id = fields.Integer()
    open = fields.Integer(metadata={"description": "Замечаний без ответа в текущем раунде"})
    remarks = fields.List(fields.Nested(RemarkOut))


class RemarkAnswerIn(Base):
    id = _id(required=True)
    answer = fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=2000, error=lazy_gettext("Ответ: от {min} до {max} символов.")
        ),
    )


class RemarkAnswersIn(Base):
    answers = fields.List(fields.Nested(RemarkAnswerIn), required=True)
