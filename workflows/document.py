"""The document workflow of DOMAIN.md §4: curator check, mutual expertise, approval."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from transitions import EventData

from workflows.machine import GuardSpec, Stateful, build_workflow


class DocumentState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CURATOR_REVIEW = "curator_review"
    REVISION_REQUESTED = "revision_requested"
    CURATOR_ACCEPTED = "curator_accepted"
    PEER_REVIEW = "peer_review"
    PEER_REVIEWED = "peer_reviewed"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class Role(enum.StrEnum):
    """The actor's role *towards one document*, computed by the permission layer."""

    SCHOOL = "school"
    CURATOR = "curator"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Context:
    """Everything a guard may look at; built by the service layer, plain data only."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    has_file: bool = False
    has_new_version: bool = False
    checklist_complete: bool = False
    window_open: bool = True
    needs_peer_stage: bool = False


S = DocumentState

TRANSITIONS: list[dict] = [
    {
        "trigger": "submit",
        "source": [S.DRAFT, S.WITHDRAWN],
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_school", "has_file", "window_open"],
    },
    {
        "trigger": "withdraw",
        "source": S.SUBMITTED,
        "dest": S.WITHDRAWN,
        "conditions": ["actor_is_school"],
    },
    {
        "trigger": "start_review",
        "source": S.SUBMITTED,
        "dest": S.CURATOR_REVIEW,
        "conditions": ["actor_is_curator"],
    },
    {
        "trigger": "request_revision",
        "source": S.CURATOR_REVIEW,
        "dest": S.REVISION_REQUESTED,
        "conditions": ["actor_is_curator", "has_comment", "checklist_complete"],
    },
    {
        "trigger": "request_revision",
        "source": S.PEER_REVIEWED,
        "dest": S.REVISION_REQUESTED,
        "conditions": ["actor_is_curator", "has_comment"],
    },
    {
        "trigger": "resubmit",
        "source": S.REVISION_REQUESTED,
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_school", "has_new_version", "window_open"],
    },
    {
        "trigger": "accept",
        "source": S.CURATOR_REVIEW,
        "dest": S.CURATOR_ACCEPTED,
        "conditions": ["actor_is_curator", "checklist_complete"],
    },
    {
        "trigger": "start_peer_review",
        "source": S.CURATOR_ACCEPTED,
        "dest": S.PEER_REVIEW,
        "conditions": ["actor_is_system", "needs_peer_stage"],
    },
    {
        "trigger": "finish_peer_review",
        "source": S.PEER_REVIEW,
        "dest": S.PEER_REVIEWED,
        "conditions": ["actor_is_system_or_curator"],
    },
    {
        "trigger": "approve",
        "source": S.CURATOR_ACCEPTED,
        "dest": S.APPROVED,
        "conditions": ["actor_is_curator", "skips_peer_stage"],
    },
    {
        "trigger": "approve",
        "source": S.PEER_REVIEWED,
        "dest": S.APPROVED,
        "conditions": ["actor_is_curator"],
    },
    {
        "trigger": "reopen",
        "source": S.APPROVED,
        "dest": S.CURATOR_REVIEW,
        "conditions": ["actor_is_coordinator", "has_comment"],
    },
]

# States in which the school may add a version; an approved version is frozen.
EDITABLE_STATES = frozenset({S.DRAFT, S.WITHDRAWN, S.REVISION_REQUESTED})


def _ctx(event: EventData) -> Context:
    return event.kwargs["ctx"]


def _has_role(*roles: Role):
    def check(event: EventData) -> bool:
        return bool(_ctx(event).roles & {r.value for r in roles})

    return check


GUARDS = [
    GuardSpec(
        "actor_is_school", _has_role(Role.SCHOOL), "Это действие выполняет школа.", is_role=True
    ),
    GuardSpec(
        "actor_is_curator",
        _has_role(Role.CURATOR),
        "Это действие выполняет куратор школы.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_coordinator",
        _has_role(Role.COORDINATOR),
        "Это действие выполняет координатор.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_system", _has_role(Role.SYSTEM), "Этот переход выполняет система.", is_role=True
    ),
    GuardSpec(
        "actor_is_system_or_curator",
        _has_role(Role.SYSTEM, Role.CURATOR),
        "Этот переход выполняет система или куратор.",
        is_role=True,
    ),
    GuardSpec("has_file", lambda e: _ctx(e).has_file, "Сначала загрузите файл документа."),
    GuardSpec(
        "has_new_version",
        lambda e: _ctx(e).has_new_version,
        "Загрузите исправленную версию документа.",
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите комментарий: он обязателен для этого действия.",
    ),
    GuardSpec(
        "checklist_complete",
        lambda e: _ctx(e).checklist_complete,
        "Заполните чек-лист по всем критериям.",
    ),
    GuardSpec(
        "window_open", lambda e: _ctx(e).window_open, "Этап кампании закрыт: сроки подачи истекли."
    ),
    GuardSpec(
        "needs_peer_stage",
        lambda e: _ctx(e).needs_peer_stage,
        "Для этого типа документа взаимоэкспертиза не проводится.",
    ),
    GuardSpec(
        "skips_peer_stage",
        lambda e: not _ctx(e).needs_peer_stage,
        "Сначала документ должен пройти взаимоэкспертизу.",
    ),
]


def _after_state_change(event: EventData) -> None:
    event.model.record_transition(event)


document_workflow = build_workflow(DocumentState, TRANSITIONS, GUARDS, _after_state_change)


class DocumentFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the document machine."""

    workflow = document_workflow


TRIGGER_LABELS = {
    "submit": "Отправить на проверку",
    "withdraw": "Отозвать",
    "start_review": "Взять на проверку",
    "request_revision": "Вернуть на доработку",
    "resubmit": "Отправить повторно",
    "accept": "Принять",
    "start_peer_review": "Начать взаимоэкспертизу",
    "finish_peer_review": "Завершить взаимоэкспертизу",
    "approve": "Утвердить",
    "reopen": "Открыть повторно",
}

STATE_LABELS = {
    S.DRAFT: "Черновик",
    S.SUBMITTED: "На проверке (ожидает куратора)",
    S.CURATOR_REVIEW: "Проверяется куратором",
    S.REVISION_REQUESTED: "На доработке",
    S.CURATOR_ACCEPTED: "Принят куратором",
    S.PEER_REVIEW: "На взаимоэкспертизе",
    S.PEER_REVIEWED: "Взаимоэкспертиза завершена",
    S.APPROVED: "Утверждён",
    S.WITHDRAWN: "Отозван",
}
