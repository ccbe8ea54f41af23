"""The check of one monitoring report: a measure's actual value and its evidence (issue 11 §1).

``draft → submitted → accepted | returned | not_done``; ``returned → submitted`` again with a new
evidence file. The school submits; the curator of the school, or a municipal coordinator of its
municipality, accepts or returns a submitted report (a remark is required to return), and may
mark the measure not done (with a remark) at any time before a decision. A submission needs the
actual value and an evidence file not yet seen by the checker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.machine import (
    GuardSpec,
    Stateful,
    Tone,
    TransitionEvent,
    TriggerMeta,
    build_workflow,
    has_role,
)


class EvidenceState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    NOT_DONE = "not_done"


class EvidenceTrigger(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return_for_revision"
    MARK_NOT_DONE = "mark_not_done"


class EvidenceRole(enum.StrEnum):
    """The actor's role towards one report, computed by the permission layer."""

    SCHOOL = "school"  # a member of the measure's school
    CHECKER = "checker"  # the school's curator or a municipal coordinator of its municipality


@dataclass(frozen=True)
class Context:
    """Facts the guards look at, derived from the database, plus the typed remark."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    has_actual_value: bool = False
    evidence_count: int = 0  # evidence files uploaded for this report so far


S = EvidenceState
T = EvidenceTrigger
A = EvidenceRole

CLOSED_STATES = frozenset({S.ACCEPTED, S.NOT_DONE})
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})  # value and files may change

TRANSITIONS: list[dict] = [
    {
        "trigger": T.SUBMIT,
        "source": [S.DRAFT, S.RETURNED],
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_school", "has_actual_value", "has_new_evidence"],
    },
    {
        "trigger": T.ACCEPT,
        "source": S.SUBMITTED,
        "dest": S.ACCEPTED,
        "conditions": ["actor_is_checker"],
    },
    {
        "trigger": T.RETURN,
        "source": S.SUBMITTED,
        "dest": S.RETURNED,
        "conditions": ["actor_is_checker", "has_comment"],
    },
    {
        "trigger": T.MARK_NOT_DONE,
        "source": [S.DRAFT, S.SUBMITTED, S.RETURNED],
        "dest": S.NOT_DONE,
        "conditions": ["actor_is_checker", "has_comment"],
    },
]


def _ctx(event: TransitionEvent) -> Context:
    return event.ctx  # type: ignore[return-value]


def _has_new_evidence(event: TransitionEvent) -> bool:
    """A file uploaded after the checker last saw the report (any file for the first time)."""
    seen = getattr(event.model, "submitted_evidence_count", 0) or 0
    return _ctx(event).evidence_count > seen


GUARDS = [
    GuardSpec(
        "actor_is_school",
        lambda e: has_role(e, A.SCHOOL),
        "Отчёт о мероприятии отправляет сама школа.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_checker",
        lambda e: has_role(e, A.CHECKER),
        "Отчёт проверяет куратор школы или муниципальный координатор.",
        is_role=True,
    ),
    GuardSpec(
        "has_actual_value",
        lambda e: _ctx(e).has_actual_value,
        "Укажите фактическое значение показателя.",
    ),
    GuardSpec(
        "has_new_evidence",
        _has_new_evidence,
        "Загрузите файл-подтверждение (после возврата — новый файл).",
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите замечание: оно обязательно для этого действия.",
        on_input=True,
    ),
]

TRIGGERS: dict[str, TriggerMeta] = {
    T.SUBMIT: TriggerMeta("Отправить на проверку", notify=("checkers",)),
    T.ACCEPT: TriggerMeta("Принять", notify=("school",)),
    T.RETURN: TriggerMeta("Вернуть на доработку", Tone.WARNING, notify=("school",)),
    T.MARK_NOT_DONE: TriggerMeta("Не выполнено", Tone.DANGER, notify=("school",)),
}


def _submitted(check, event: TransitionEvent) -> None:
    check.submitted_at = event.at
    check.submitted_evidence_count = _ctx(event).evidence_count


ENTRY_EFFECTS = {S.SUBMITTED: (_submitted,)}

evidence_workflow = build_workflow(
    "evidence_check", EvidenceState, TRANSITIONS, GUARDS, TRIGGERS, ENTRY_EFFECTS
)


class EvidenceCheckFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the evidence machine."""

    workflow = evidence_workflow


STATE_LABELS = {
    S.DRAFT: "Отчёт не отправлен",
    S.SUBMITTED: "На проверке",
    S.ACCEPTED: "Принято",
    S.RETURNED: "Возвращено на доработку",
    S.NOT_DONE: "Не выполнено",
}

NEXT_STEP = {
    S.DRAFT: "Внесите фактическое значение, загрузите подтверждение и отправьте отчёт.",
    S.SUBMITTED: "Ждите решения куратора.",
    S.ACCEPTED: "Ничего: мероприятие подтверждено.",
    S.RETURNED: "Прочитайте замечание, загрузите новый файл и отправьте отчёт снова.",
    S.NOT_DONE: "Ничего: проверяющий отметил мероприятие как невыполненное.",
}
