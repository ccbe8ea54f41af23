"""The roadmap item workflow (issue 11 §2): one event of a school's, municipality's or region's
roadmap.

``new → planned`` (``add``: every item enters the roadmap through this trigger, so each addition
is an audit row; once the roadmap is confirmed an addition needs a reason); ``planned →
in_progress → done`` or ``planned → done``; ``planned | in_progress → removed`` (``remove``: a
reason is required). Done and removed are final: a removed item stays in the table and in the
change log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

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


class ItemState(enum.StrEnum):
    NEW = "new"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REMOVED = "removed"


class ItemTrigger(enum.StrEnum):
    ADD = "add"
    START = "start"
    COMPLETE = "complete"
    REMOVE = "remove"


class ItemRole(enum.StrEnum):
    """The actor's role towards one item, computed by the permission layer."""

    EDITOR = "editor"  # the owner of the roadmap: the school, the municipal or regional coordinator
    SYSTEM = "system"  # the demo loader and imports


@dataclass(frozen=True)
class Context:
    """Facts the roadmap guards look at, derived from the database, plus the typed comment."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    roadmap_confirmed: bool = False


S = ItemState
T = ItemTrigger
OPEN_STATES = frozenset({S.PLANNED, S.IN_PROGRESS})
FINISHED_STATES = frozenset({S.DONE, S.REMOVED})

TRANSITIONS: list[dict] = [
    {
        "trigger": T.ADD,
        "source": S.NEW,
        "dest": S.PLANNED,
        "conditions": ["actor_is_editor_or_system", "reason_once_confirmed"],
    },
    {
        "trigger": T.START,
        "source": S.PLANNED,
        "dest": S.IN_PROGRESS,
        "conditions": ["actor_is_editor_or_system"],
    },
    {
        "trigger": T.COMPLETE,
        "source": [S.PLANNED, S.IN_PROGRESS],
        "dest": S.DONE,
        "conditions": ["actor_is_editor_or_system"],
    },
    {
        "trigger": T.REMOVE,
        "source": [S.PLANNED, S.IN_PROGRESS],
        "dest": S.REMOVED,
        "conditions": ["actor_is_editor_or_system", "has_comment"],
    },
]


def _ctx(event: TransitionEvent) -> Context:
    return event.ctx  # type: ignore[return-value]


GUARDS = [
    GuardSpec(
        "actor_is_editor_or_system",
        lambda e: has_role(e, ItemRole.EDITOR, ItemRole.SYSTEM),
        "Дорожную карту меняет её владелец: школа, муниципальный или региональный координатор.",
        is_role=True,
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите причину: она обязательна для этого действия.",
        on_input=True,
    ),
    GuardSpec(
        "reason_once_confirmed",
        lambda e: not _ctx(e).roadmap_confirmed or bool(_ctx(e).comment.strip()),
        "Дорожная карта уже утверждена: укажите причину добавления мероприятия.",
        on_input=True,
    ),
]

TRIGGERS: dict[str, TriggerMeta] = {
    T.ADD: TriggerMeta("Добавить мероприятие", screen=Screen.SYSTEM),
    T.START: TriggerMeta("Начать"),
    T.COMPLETE: TriggerMeta("Выполнено"),
    T.REMOVE: TriggerMeta("Исключить", Tone.DANGER),
}


def _stamp_done(item, event: TransitionEvent) -> None:
    item.done_at = event.at


ENTRY_EFFECTS = {S.DONE: (_stamp_done,)}

roadmap_item_workflow = build_workflow(
    "roadmap_item", ItemState, TRANSITIONS, GUARDS, TRIGGERS, ENTRY_EFFECTS
)


class RoadmapItemFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the item machine."""

    workflow = roadmap_item_workflow


TRIGGER_LABELS = {str(t): meta.label for t, meta in TRIGGERS.items()}

STATE_LABELS = {
    S.NEW: "Новое",
    S.PLANNED: "Запланировано",
    S.IN_PROGRESS: "Выполняется",
    S.DONE: "Выполнено",
    S.REMOVED: "Исключено",
}
