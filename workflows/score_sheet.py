"""One checker's scores of one ВПР work (issue 9): first, second or third check.

``assigned → in_progress → submitted``; ``assigned → withdrawn`` when a re-run of the
assignment moves a sheet nobody has begun (the system) or the coordinator takes it back;
``submitted → in_progress`` when the coordinator reopens it with a reason while entry is open.
Only the sheet's expert starts and submits it, only while the campaign's stage lets that role
enter scores, and a submission needs every task scored within its maximum.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from workflows.crosscheck_campaign import entry_open
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


class SheetState(enum.StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class SheetTrigger(enum.StrEnum):
    START = "start"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


class SheetRole(enum.StrEnum):
    """Which check of the work this sheet is (stored on the sheet)."""

    FIRST = "first"
    SECOND = "second"
    THIRD = "third"


class SheetActor(enum.StrEnum):
    """The actor's role towards one sheet, computed by the permission layer."""

    EXPERT = "expert"  # the account linked to the sheet's expert
    COORDINATOR = "coordinator"  # the coordinator owning the campaign, or the admin
    SYSTEM = "system"


@dataclass(frozen=True)
class Context:
    """Facts the sheet guards look at, derived from the database, plus the typed comment."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    campaign_state: str = ""
    sheet_role: str = SheetRole.FIRST
    points_complete: bool = False


S = SheetState
T = SheetTrigger
A = SheetActor

LIVE_STATES = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.SUBMITTED})  # not withdrawn
BEGUN_STATES = frozenset({S.IN_PROGRESS, S.SUBMITTED})  # kept by a re-run
ENTRY_STATES = frozenset({S.ASSIGNED, S.IN_PROGRESS})  # points may be typed

TRANSITIONS: list[dict] = [
    {
        "trigger": T.START,
        "source": S.ASSIGNED,
        "dest": S.IN_PROGRESS,
        "conditions": ["actor_is_expert", "entry_open"],
    },
    {
        "trigger": T.SUBMIT,
        "source": S.IN_PROGRESS,
        "dest": S.SUBMITTED,
        "conditions": ["actor_is_expert", "entry_open", "points_complete"],
    },
    {
        "trigger": T.WITHDRAW,
        "source": S.ASSIGNED,
        "dest": S.WITHDRAWN,
        "conditions": ["actor_is_system_or_coordinator"],
    },
    {
        "trigger": T.REOPEN,
        "source": S.SUBMITTED,
        "dest": S.IN_PROGRESS,
        "conditions": ["actor_is_coordinator", "entry_open", "has_comment"],
    },
]


def _ctx(event: TransitionEvent) -> Context:
    return event.ctx  # type: ignore[return-value]


def points_complete(points: Sequence[int | None] | None, max_points: Sequence[int]) -> bool:
    """Every task scored with a whole number from 0 to its maximum."""
    if points is None or len(points) != len(max_points) or not max_points:
        return False
    return all(
        isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= m
        for p, m in zip(points, max_points, strict=True)
    )


GUARDS = [
    GuardSpec(
        "actor_is_expert",
        lambda e: has_role(e, A.EXPERT),
        "Баллы вводит эксперт, которому назначена работа.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_coordinator",
        lambda e: has_role(e, A.COORDINATOR),
        "Это действие выполняет координатор перекрёстной проверки.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_system_or_coordinator",
        lambda e: has_role(e, A.SYSTEM, A.COORDINATOR),
        "Это действие выполняет координатор перекрёстной проверки.",
        is_role=True,
    ),
    GuardSpec(
        "entry_open",
        lambda e: entry_open(_ctx(e).campaign_state, _ctx(e).sheet_role),
        "Ввод баллов сейчас закрыт: этап проверки не идёт.",
    ),
    GuardSpec(
        "points_complete",
        lambda e: _ctx(e).points_complete,
        "Оцените каждое задание: целое число баллов от 0 до максимума задания.",
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите причину: она обязательна для этого действия.",
        on_input=True,
    ),
]

TRIGGERS: dict[str, TriggerMeta] = {
    T.START: TriggerMeta("Начать проверку", screen=Screen.SYSTEM),
    T.SUBMIT: TriggerMeta("Отправить баллы", screen=Screen.REVIEW),
    T.WITHDRAW: TriggerMeta("Снять назначение", Tone.DANGER, screen=Screen.SYSTEM),
    T.REOPEN: TriggerMeta("Вернуть на исправление", Tone.WARNING),
}


def _submitted(sheet, event: TransitionEvent) -> None:
    sheet.submitted_at = event.at


def _reopened(sheet, event: TransitionEvent) -> None:
    if event.source == S.SUBMITTED:
        sheet.submitted_at = None


ENTRY_EFFECTS = {S.SUBMITTED: (_submitted,), S.IN_PROGRESS: (_reopened,)}

sheet_workflow = build_workflow(
    "score_sheet", SheetState, TRANSITIONS, GUARDS, TRIGGERS, ENTRY_EFFECTS
)


class ScoreSheetFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the sheet machine."""

    workflow = sheet_workflow


STATE_LABELS = {
    S.ASSIGNED: "Назначена",
    S.IN_PROGRESS: "Проверяется",
    S.SUBMITTED: "Баллы отправлены",
    S.WITHDRAWN: "Снята",
}

ROLE_LABELS = {
    SheetRole.FIRST: "Первая проверка",
    SheetRole.SECOND: "Вторая проверка",
    SheetRole.THIRD: "Третья проверка",
}
