"""The peer assignment workflow of DOMAIN.md §5: one reviewing school for one document.

``assigned → accepted → submitted``; ``assigned | accepted → declined`` (reason required) or
``→ expired`` (its deadline passed, fired by the beat scan); ``assigned | accepted → cancelled``
when the curator closes the peer stage of the document. A declined or expired assignment is
replaced by a new one (the service picks the next ranked reviewer); the old row stays as history.
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


class PeerState(enum.StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    SUBMITTED = "submitted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class PeerTrigger(enum.StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    SUBMIT = "submit"
    EXPIRE = "expire"
    CANCEL = "cancel"


class PeerRole(enum.StrEnum):
    """The actor's role towards one assignment, computed by the permission layer."""

    REVIEWER = "reviewer"  # a member of the reviewing school
    CURATOR = "curator"  # a curator of the reviewed school
    SYSTEM = "system"


@dataclass(frozen=True)
class Context:
    """Facts the peer guards look at, derived from the database, plus the typed comment."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    conclusion_complete: bool = False
    document_ready: bool = False  # the document is in its peer review stage
    deadline_passed: bool = False
    review_days: int = 14
    time_zone: str = DEFAULT_ZONE  # the school's: its deadlines end at local midnight


S = PeerState
T = PeerTrigger
OPEN_STATES = frozenset({S.ASSIGNED, S.ACCEPTED})
FINISHED_STATES = frozenset({S.SUBMITTED, S.DECLINED, S.EXPIRED, S.CANCELLED})

TRANSITIONS: list[dict] = [
    {
        "trigger": T.ACCEPT,
        "source": S.ASSIGNED,
        "dest": S.ACCEPTED,
        "conditions": ["actor_is_reviewer", "document_ready", "before_deadline"],
    },
    {
        "trigger": T.DECLINE,
        "source": [S.ASSIGNED, S.ACCEPTED],
        "dest": S.DECLINED,
        "conditions": ["actor_is_reviewer", "has_comment"],
    },
    {
        "trigger": T.SUBMIT,
        "source": S.ACCEPTED,
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_reviewer", "conclusion_complete", "before_deadline"],
    },
    {
        "trigger": T.EXPIRE,
        "source": [S.ASSIGNED, S.ACCEPTED],
        "dest": S.EXPIRED,
        "conditions": ["actor_is_system", "deadline_passed"],
    },
    {
        "trigger": T.CANCEL,
        "source": [S.ASSIGNED, S.ACCEPTED],
        "dest": S.CANCELLED,
        "conditions": ["actor_is_system_or_curator", "has_comment"],
    },
]


def _ctx(event: TransitionEvent) -> Context:
    return event.ctx  # type: ignore[return-value]


GUARDS = [
    GuardSpec(
        "actor_is_reviewer",
        lambda e: has_role(e, PeerRole.REVIEWER),
        "Это действие выполняет школа-эксперт.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_system",
        lambda e: has_role(e, PeerRole.SYSTEM),
        "Этот переход выполняет система.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_system_or_curator",
        lambda e: has_role(e, PeerRole.SYSTEM, PeerRole.CURATOR),
        "Это действие выполняет куратор проверяемой школы.",
        is_role=True,
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите причину: она обязательна для этого действия.",
        on_input=True,
    ),
    GuardSpec(
        "conclusion_complete",
        lambda e: _ctx(e).conclusion_complete,
        "Заполните заключение: оценку по каждому критерию и общий вывод.",
    ),
    GuardSpec(
        "document_ready",
        lambda e: _ctx(e).document_ready,
        "Документ ещё не передан на взаимоэкспертизу: его проверяет куратор школы.",
    ),
    GuardSpec(
        "before_deadline",
        lambda e: not _ctx(e).deadline_passed,
        "Срок этого назначения истёк.",
    ),
    GuardSpec(
        "deadline_passed",
        lambda e: _ctx(e).deadline_passed,
        "Срок назначения ещё не истёк.",
    ),
]

# Audiences, resolved to people in webapp/notifications.
REVIEWED_CURATORS = "reviewed_curators"
REVIEWER_CURATORS = "reviewer_curators"
REVIEWER_SCHOOL = "reviewer_school"
REGIONAL_COORDINATORS = "reviewer_region_coordinators"

TRIGGERS: dict[str, TriggerMeta] = {
    T.ACCEPT: TriggerMeta("Принять назначение"),
    T.DECLINE: TriggerMeta(
        "Отказаться", Tone.WARNING, notify=(REVIEWED_CURATORS, REVIEWER_CURATORS)
    ),
    T.SUBMIT: TriggerMeta(
        "Отправить заключение", screen=Screen.REVIEW, notify=(REVIEWED_CURATORS,)
    ),
    T.EXPIRE: TriggerMeta(
        "Срок истёк",
        screen=Screen.SYSTEM,
        notify=(REVIEWER_SCHOOL, REVIEWER_CURATORS, REGIONAL_COORDINATORS),
    ),
    T.CANCEL: TriggerMeta(
        "Снять назначение", Tone.DANGER, screen=Screen.SYSTEM, notify=(REVIEWER_SCHOOL,)
    ),
}


def _review_deadline(assignment, event: TransitionEvent) -> None:
    assignment.accepted_at = event.at
    assignment.due_at = deadline_after(event.at, _ctx(event).review_days, _ctx(event).time_zone)


def _finish(assignment, event: TransitionEvent) -> None:
    assignment.finished_at = event.at


ENTRY_EFFECTS = {
    S.ACCEPTED: (_review_deadline,),
    S.SUBMITTED: (_finish,),
    S.DECLINED: (_finish,),
    S.EXPIRED: (_finish,),
    S.CANCELLED: (_finish,),
}

peer_workflow = build_workflow(
    "peer_assignment", PeerState, TRANSITIONS, GUARDS, TRIGGERS, ENTRY_EFFECTS
)


class PeerAssignmentFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the peer machine."""

    workflow = peer_workflow


TRIGGER_LABELS = {str(t): meta.label for t, meta in TRIGGERS.items()}

STATE_LABELS = {
    S.ASSIGNED: "Назначено, ждёт ответа",
    S.ACCEPTED: "Принято, идёт экспертиза",
    S.SUBMITTED: "Заключение отправлено",
    S.DECLINED: "Отказ",
    S.EXPIRED: "Срок истёк",
    S.CANCELLED: "Снято",
}
