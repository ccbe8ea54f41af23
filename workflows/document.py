"""The document workflow of DOMAIN.md §4: curator check, mutual expertise, approval.

Everything about it sits here: states, triggers, the transition table, guards, entry effects of
states and the trigger metadata that screens, the outbox and the API read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.deadlines import DEFAULT_ZONE, deadline_after
from workflows.machine import (
    GuardSpec,
    Screen,
    Stateful,
    Tone,
    TransitionEvent,
    TriggerMeta,
    build_workflow,
    has_role,
)


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


class DocumentTrigger(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    START_REVIEW = "start_review"
    REQUEST_REVISION = "request_revision"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    START_PEER_REVIEW = "start_peer_review"
    FINISH_PEER_REVIEW = "finish_peer_review"
    APPROVE = "approve"
    REOPEN = "reopen"


class Role(enum.StrEnum):
    """The actor's role *towards one document*, computed by the permission layer."""

    SCHOOL = "school"
    CURATOR = "curator"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Context:
    """Everything a guard may look at: facts derived from the database by the feature's
    context builder, plus the comment the actor typed. Plain data only."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    has_file: bool = False
    has_new_version: bool = False
    checklist_complete: bool = False
    window_open: bool = True
    needs_peer_stage: bool = False
    peer_assignments_open: bool = False  # a peer reviewer still holds the document
    remarks_open: bool = False  # a remark of the last return has no answer yet
    review_days: int = 10
    time_zone: str = DEFAULT_ZONE  # the school's: its deadlines end at local midnight


S = DocumentState
T = DocumentTrigger

TRANSITIONS: list[dict] = [
    {
        "trigger": T.SUBMIT,
        "source": [S.DRAFT, S.WITHDRAWN],
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_school", "has_file", "window_open"],
    },
    {
        "trigger": T.WITHDRAW,
        "source": S.SUBMITTED,
        "dest": S.WITHDRAWN,
        "conditions": ["actor_is_school"],
    },
    {
        "trigger": T.START_REVIEW,
        "source": S.SUBMITTED,
        "dest": S.CURATOR_REVIEW,
        "conditions": ["actor_is_curator"],
    },
    {
        "trigger": T.REQUEST_REVISION,
        "source": S.CURATOR_REVIEW,
        "dest": S.REVISION_REQUESTED,
        "conditions": ["actor_is_curator", "has_comment", "checklist_complete"],
    },
    {
        "trigger": T.REQUEST_REVISION,
        "source": S.PEER_REVIEWED,
        "dest": S.REVISION_REQUESTED,
        "conditions": ["actor_is_curator", "has_comment"],
    },
    {
        "trigger": T.RESUBMIT,
        "source": S.REVISION_REQUESTED,
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_school", "has_new_version", "remarks_answered", "window_open"],
    },
    {
        "trigger": T.ACCEPT,
        "source": S.CURATOR_REVIEW,
        "dest": S.CURATOR_ACCEPTED,
        "conditions": ["actor_is_curator", "checklist_complete"],
    },
    {
        "trigger": T.START_PEER_REVIEW,
        "source": S.CURATOR_ACCEPTED,
        "dest": S.PEER_REVIEW,
        "conditions": ["actor_is_system", "needs_peer_stage"],
    },
    {
        "trigger": T.FINISH_PEER_REVIEW,
        "source": S.PEER_REVIEW,
        "dest": S.PEER_REVIEWED,
        "conditions": ["actor_is_system_or_curator", "peer_assignments_settled"],
    },
    {
        "trigger": T.APPROVE,
        "source": S.CURATOR_ACCEPTED,
        "dest": S.APPROVED,
        "conditions": ["actor_is_curator", "skips_peer_stage"],
    },
    {
        "trigger": T.APPROVE,
        "source": S.PEER_REVIEWED,
        "dest": S.APPROVED,
        "conditions": ["actor_is_curator"],
    },
    {
        "trigger": T.REOPEN,
        "source": S.APPROVED,
        "dest": S.CURATOR_REVIEW,
        "conditions": ["actor_is_coordinator", "has_comment"],
    },
]

# States in which the school may add a version; an approved version is frozen.
EDITABLE_STATES = frozenset({S.DRAFT, S.WITHDRAWN, S.REVISION_REQUESTED})
# States in which the document waits for its curator (the overdue scan looks at these).
AWAITING_CURATOR = frozenset({S.SUBMITTED, S.CURATOR_REVIEW})


def _ctx(event: TransitionEvent) -> Context:
    return event.ctx  # type: ignore[return-value]


GUARDS = [
    GuardSpec(
        "actor_is_school",
        lambda e: has_role(e, Role.SCHOOL),
        "Это действие выполняет школа.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_curator",
        lambda e: has_role(e, Role.CURATOR),
        "Это действие выполняет куратор школы.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_coordinator",
        lambda e: has_role(e, Role.COORDINATOR),
        "Это действие выполняет координатор.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_system",
        lambda e: has_role(e, Role.SYSTEM),
        "Этот переход выполняет система.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_system_or_curator",
        lambda e: has_role(e, Role.SYSTEM, Role.CURATOR),
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
        "remarks_answered",
        lambda e: not _ctx(e).remarks_open,
        "Ответьте на каждое замечание: ответы показываются куратору рядом с критериями.",
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите комментарий: он обязателен для этого действия.",
        on_input=True,
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
        "peer_assignments_settled",
        lambda e: not _ctx(e).peer_assignments_open,
        "У документа есть открытые назначения взаимоэкспертизы: закройте этап с указанием "
        "причины, назначения будут сняты.",
    ),
    GuardSpec(
        "skips_peer_stage",
        lambda e: not _ctx(e).needs_peer_stage,
        "Сначала документ должен пройти взаимоэкспертизу.",
    ),
]

# Audiences (resolved to people in webapp/notifications): the school's staff, its curators.
SCHOOL, CURATORS = "school", "curators"

TRIGGERS: dict[str, TriggerMeta] = {
    T.SUBMIT: TriggerMeta("Отправить на проверку", notify=(CURATORS,)),
    T.WITHDRAW: TriggerMeta("Отозвать", Tone.WARNING, notify=(CURATORS,)),
    # Taking a document for review changes nothing for the school: nobody is told.
    T.START_REVIEW: TriggerMeta("Взять на проверку"),
    T.REQUEST_REVISION: TriggerMeta(
        "Вернуть на доработку",
        Tone.WARNING,
        notify=(SCHOOL,),
        screen_from=((S.CURATOR_REVIEW, Screen.REVIEW),),
    ),
    T.RESUBMIT: TriggerMeta("Отправить повторно", notify=(CURATORS,)),
    T.ACCEPT: TriggerMeta("Принять", screen=Screen.REVIEW, notify=(SCHOOL,)),
    T.START_PEER_REVIEW: TriggerMeta(
        "Начать взаимоэкспертизу", screen=Screen.SYSTEM, notify=(SCHOOL,)
    ),
    # The curator ends the stage through «Закрыть этап» (which cancels the open assignments).
    # The curator acts next (approve or return): the curators are told, not the school.
    T.FINISH_PEER_REVIEW: TriggerMeta(
        "Завершить взаимоэкспертизу", screen=Screen.SYSTEM, notify=(CURATORS,)
    ),
    T.APPROVE: TriggerMeta("Утвердить", notify=(SCHOOL,)),
    T.REOPEN: TriggerMeta("Открыть повторно", Tone.WARNING, notify=(SCHOOL, CURATORS)),
}


def _stamp_submitted(document, event: TransitionEvent) -> None:
    document.submitted_at = event.at
    document.due_at = deadline_after(event.at, _ctx(event).review_days, _ctx(event).time_zone)


def _mark_revision_base(document, event: TransitionEvent) -> None:
    document.revision_base_version = document.latest_version_number


def _freeze_approved_version(document, event: TransitionEvent) -> None:
    document.approved_version_number = document.latest_version_number


ENTRY_EFFECTS = {
    S.SUBMITTED: (_stamp_submitted,),
    S.REVISION_REQUESTED: (_mark_revision_base,),
    S.APPROVED: (_freeze_approved_version,),
}

document_workflow = build_workflow(
    "document", DocumentState, TRANSITIONS, GUARDS, TRIGGERS, ENTRY_EFFECTS
)


class DocumentFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the document machine."""

    workflow = document_workflow


TRIGGER_LABELS = {str(t): meta.label for t, meta in TRIGGERS.items()}

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
