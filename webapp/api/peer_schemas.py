"""marshmallow schemas of the mutual expertise endpoints (peer assignments, pairings)."""

from __future__ import annotations

from marshmallow import fields, validate

from webapp.api.schemas import MAX_ID, Base, PageQuery, _id
from webapp.jobs.pairing import K_MAX
from workflows.peer_assignment import PeerState, PeerTrigger

PEER_STATUSES = ["met", "remark", "not_met"]
ACTIONS = [PeerTrigger.ACCEPT.value, PeerTrigger.DECLINE.value, PeerTrigger.SUBMIT.value]
STRINGS = {"type": "array", "items": {"type": "string"}}


class PeerAssignmentQuery(PageQuery):
    state = fields.String(
        validate=validate.OneOf(
            [s.value for s in PeerState], error="Неизвестное состояние «{input}»."
        )
    )
    reviewed_school_id = _id()


class PeerAssignmentOut(Base):
    id = fields.Integer()
    state = fields.String(metadata={"enum": [s.value for s in PeerState]})
    document_id = fields.Integer()
    reviewer_school_id = fields.Integer()
    reviewed_school_id = fields.Integer()
    campaign_id = fields.Integer()
    pairing_id = fields.Integer(allow_none=True)
    attempt = fields.Integer(metadata={"description": "1 — первое назначение, 2+ — замена"})
    replaces_id = fields.Integer(allow_none=True)
    lock_version = fields.Integer()
    due_at = fields.DateTime(allow_none=True)
    available_triggers = fields.List(
        fields.String(), metadata={"description": "accept/decline/submit"}
    )


class PeerAssignmentPage(Base):
    items = fields.List(fields.Nested(PeerAssignmentOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class PeerCriterionOut(Base):
    id = fields.Integer()
    text = fields.String()
    status = fields.String(allow_none=True, metadata={"enum": [*PEER_STATUSES, None]})
    comment = fields.String()


class PeerChecklistOut(Base):
    template_id = fields.Integer(allow_none=True)
    complete = fields.Boolean(metadata={"description": "Все критерии отмечены и заключение есть"})
    criteria = fields.List(fields.Nested(PeerCriterionOut))


class PeerAssignmentDetail(PeerAssignmentOut):
    checklist = fields.Nested(PeerChecklistOut)
    conclusion = fields.String()


class PeerAnswerIn(Base):
    criterion_id = _id(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(PEER_STATUSES, error="Неизвестный статус «{input}»: {choices}."),
    )
    comment = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(max=2000, error="Комментарий длиннее {max} символов."),
    )


class ConclusionIn(Base):
    criteria = fields.List(fields.Nested(PeerAnswerIn), required=True)
    conclusion = fields.String(
        allow_none=True,
        validate=validate.Length(max=10_000, error="Заключение длиннее {max} символов."),
        metadata={"description": "Текст заключения; без поля прежний текст сохраняется"},
    )


class PeerTransitionIn(Base):
    trigger = fields.String(
        required=True,
        validate=validate.OneOf(ACTIONS, error="Неизвестное действие «{input}»."),
    )
    comment = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(max=5000, error="Комментарий длиннее {max} символов."),
        metadata={"description": "Причина отказа (для decline обязательна)"},
    )
    lock_version = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "Версия, которую видел клиент; иначе 409 при расхождении"},
    )


class PairingIn(Base):
    campaign_id = _id(required=True)
    k = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=K_MAX, error="k — целое число от {min} до {max}."),
    )
    no_reciprocal = fields.Boolean(load_default=True)


class PairingStarted(Base):
    pairing_id = fields.Integer(required=True)
    job_id = fields.Integer(required=True)


class PairSchoolOut(Base):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    region_code = fields.String()
    region_name = fields.String()
    settlement = fields.String(metadata={"enum": ["urban", "rural"]})


class PairOut(Base):
    number = fields.Integer(metadata={"description": "Номер пары (для обмена)"})
    reviewed_school_id = fields.Integer()
    reviewer_school_id = fields.Integer()
    reviewed = fields.Nested(PairSchoolOut)
    reviewer = fields.Nested(PairSchoolOut)
    similarity = fields.Float(metadata={"description": "Схожесть рисков (Жаккар), 0–1"})
    same_settlement = fields.Boolean()


class UnpairedOut(Base):
    school_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    region_code = fields.String()
    reason = fields.String()


class PairingOut(Base):
    id = fields.Integer()
    campaign_id = fields.Integer()
    k = fields.Integer()
    no_reciprocal = fields.Boolean()
    job_id = fields.Integer(allow_none=True)
    job_state = fields.String(allow_none=True)
    ready = fields.Boolean(metadata={"description": "Задание завершено успешно, есть предпросмотр"})
    confirmed_at = fields.DateTime(allow_none=True)
    lock_version = fields.Integer()
    status = fields.String(allow_none=True, metadata={"description": "Статус движка"})
    reason = fields.String(allow_none=True)
    bound = fields.Dict(allow_none=True, metadata={"description": "Доказанная граница движка"})
    summary = fields.Dict(allow_none=True)
    pairs = fields.List(fields.Nested(PairOut))
    unpaired = fields.List(fields.Nested(UnpairedOut))


class SwapIn(Base):
    first = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    second = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    lock_version = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=MAX_ID))


class ConfirmIn(Base):
    lock_version = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=MAX_ID))


class ConfirmOut(Base):
    pairing_id = fields.Integer(required=True)
    assignments = fields.Integer(required=True, metadata={"description": "Создано назначений"})
    confirmed_at = fields.DateTime()
