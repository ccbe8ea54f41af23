"""The ВПР cross-check campaign (DOMAIN.md §1.9, §6; issue 9): lists, assignment, checking.

``draft → lists_loaded → assigned → checking → third_check → closed``; ``→ cancelled`` from any
open state. What each state allows is a trigger of this machine, so the screens, the API and the
jobs all ask the same table:

* ``edit`` (the settings) only in ``draft``;
* ``import_list`` (a coordinator replaces the task table, the works or the experts) only in
  ``draft`` and ``lists_loaded``; ``complete_lists`` moves ``draft → lists_loaded`` once the three
  lists are there;
* ``add_expert`` (a school adds one of its teachers) before the experts' deadline, until
  checking ends;
* ``assign`` (the assignment job stores its result) from ``lists_loaded``, again from
  ``assigned``, and again during ``checking`` (a re-run keeps every sheet already begun);
* ``start_checking``, ``start_third_check``, ``close``: the coordinator moves the stage on;
  closing needs every live score sheet submitted.

The reflexive triggers (``edit``, ``import_list``, ``add_expert``, a repeated ``assign``) change
no state but leave an audit row: who changed the lists or re-ran the assignment, and when.
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


class CampaignState(enum.StrEnum):
    DRAFT = "draft"
    LISTS_LOADED = "lists_loaded"
    ASSIGNED = "assigned"
    CHECKING = "checking"
    THIRD_CHECK = "third_check"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CampaignTrigger(enum.StrEnum):
    EDIT = "edit"
    IMPORT_LIST = "import_list"
    COMPLETE_LISTS = "complete_lists"
    ADD_EXPERT = "add_expert"
    ASSIGN = "assign"
    START_CHECKING = "start_checking"
    START_THIRD_CHECK = "start_third_check"
    CLOSE = "close"
    CANCEL = "cancel"


class CampaignRole(enum.StrEnum):
    """The actor's role towards one campaign, computed by the permission layer."""

    COORDINATOR = "coordinator"  # the admin, or the coordinator whose scope owns the campaign
    SCHOOL = "school"  # a member of a school inside the campaign's territory
    SYSTEM = "system"


class Scope(enum.StrEnum):
    """Where an expert may come from, relative to the works' municipality (stored values)."""

    ANY = "any"
    SAME_MUNICIPALITY = "same_municipality"
    OTHER_MUNICIPALITY = "other_municipality"


@dataclass(frozen=True)
class Context:
    """Facts the campaign guards look at, derived from the database, plus the typed comment."""

    actor_id: int | None
    actor_name: str
    roles: frozenset[str]
    comment: str = ""
    has_tasks: bool = False
    has_works: bool = False
    has_experts: bool = False
    has_sheets: bool = False  # live (not withdrawn) score sheets exist
    open_sheets: int = 0  # live sheets not yet submitted
    experts_deadline_passed: bool = False


S = CampaignState
T = CampaignTrigger
R = CampaignRole

LIST_STATES = frozenset({S.DRAFT, S.LISTS_LOADED})
ASSIGN_STATES = frozenset({S.LISTS_LOADED, S.ASSIGNED, S.CHECKING})
OPEN_STATES = frozenset(
    {S.DRAFT, S.LISTS_LOADED, S.ASSIGNED, S.CHECKING, S.THIRD_CHECK}
)  # not closed, not cancelled
FINISHED_STATES = frozenset({S.CLOSED, S.CANCELLED})

TRANSITIONS: list[dict] = [
    {"trigger": T.EDIT, "source": S.DRAFT, "dest": S.DRAFT, "conditions": ["actor_is_coordinator"]},
    {
        "trigger": T.IMPORT_LIST,
        "source": S.DRAFT,
        "dest": S.DRAFT,
        "conditions": ["actor_is_coordinator"],
    },
    {
        "trigger": T.IMPORT_LIST,
        "source": S.LISTS_LOADED,
        "dest": S.LISTS_LOADED,
        "conditions": ["actor_is_coordinator"],
    },
    {
        "trigger": T.COMPLETE_LISTS,
        "source": S.DRAFT,
        "dest": S.LISTS_LOADED,
        "conditions": ["actor_is_coordinator_or_system", "lists_complete"],
    },
    *(
        {
            "trigger": T.ADD_EXPERT,
            "source": state,
            "dest": state,
            "conditions": ["actor_is_school", "before_experts_deadline"],
        }
        for state in (S.DRAFT, S.LISTS_LOADED, S.ASSIGNED, S.CHECKING)
    ),
    {
        "trigger": T.ASSIGN,
        "source": [S.LISTS_LOADED, S.ASSIGNED],
        "dest": S.ASSIGNED,
        "conditions": ["actor_is_coordinator_or_system", "lists_complete"],
    },
    {
        "trigger": T.ASSIGN,
        "source": S.CHECKING,
        "dest": S.CHECKING,
        "conditions": ["actor_is_coordinator_or_system", "lists_complete"],
    },
    {
        "trigger": T.START_CHECKING,
        "source": S.ASSIGNED,
        "dest": S.CHECKING,
        "conditions": ["actor_is_coordinator", "has_sheets"],
    },
    {
        "trigger": T.START_THIRD_CHECK,
        "source": S.CHECKING,
        "dest": S.THIRD_CHECK,
        "conditions": ["actor_is_coordinator_or_system"],
    },
    {
        "trigger": T.CLOSE,
        "source": [S.CHECKING, S.THIRD_CHECK],
        "dest": S.CLOSED,
        "conditions": ["actor_is_coordinator", "all_sheets_submitted"],
    },
    {
        "trigger": T.CANCEL,
        "source": [S.DRAFT, S.LISTS_LOADED, S.ASSIGNED, S.CHECKING, S.THIRD_CHECK],
        "dest": S.CANCELLED,
        "conditions": ["actor_is_coordinator", "has_comment"],
    },
]


def _ctx(event: TransitionEvent) -> Context:
    return event.ctx  # type: ignore[return-value]


def lists_complete(ctx: Context) -> bool:
    """The task table, the works and the experts are all loaded."""
    return ctx.has_tasks and ctx.has_works and ctx.has_experts


GUARDS = [
    GuardSpec(
        "actor_is_coordinator",
        lambda e: has_role(e, R.COORDINATOR),
        "Это действие выполняет координатор перекрёстной проверки.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_coordinator_or_system",
        lambda e: has_role(e, R.COORDINATOR, R.SYSTEM),
        "Это действие выполняет координатор перекрёстной проверки.",
        is_role=True,
    ),
    GuardSpec(
        "actor_is_school",
        lambda e: has_role(e, R.SCHOOL),
        "Своих экспертов добавляет школа.",
        is_role=True,
    ),
    GuardSpec(
        "lists_complete",
        lambda e: lists_complete(_ctx(e)),
        "Загрузите все три списка: задания, работы и экспертов.",
    ),
    GuardSpec(
        "before_experts_deadline",
        lambda e: not _ctx(e).experts_deadline_passed,
        "Срок добавления экспертов школами истёк.",
    ),
    GuardSpec(
        "has_sheets",
        lambda e: _ctx(e).has_sheets,
        "Сначала распределите работы между экспертами.",
    ),
    GuardSpec(
        "all_sheets_submitted",
        lambda e: _ctx(e).open_sheets == 0,
        "Не все проверки завершены: закрыть кампанию можно, когда все баллы отправлены.",
    ),
    GuardSpec(
        "has_comment",
        lambda e: bool(_ctx(e).comment.strip()),
        "Укажите причину: она обязательна для этого действия.",
        on_input=True,
    ),
]

# Audiences, resolved to people in webapp/notifications (none are wired yet).
CAMPAIGN_EXPERTS = "crosscheck_experts"
CAMPAIGN_SCHOOLS = "crosscheck_schools"

TRIGGERS: dict[str, TriggerMeta] = {
    T.EDIT: TriggerMeta("Изменить настройки", screen=Screen.SYSTEM),
    T.IMPORT_LIST: TriggerMeta("Загрузить список", screen=Screen.SYSTEM),
    T.COMPLETE_LISTS: TriggerMeta("Списки загружены", screen=Screen.SYSTEM),
    T.ADD_EXPERT: TriggerMeta("Добавить эксперта", screen=Screen.SYSTEM),
    T.ASSIGN: TriggerMeta("Распределить работы", screen=Screen.SYSTEM),
    T.START_CHECKING: TriggerMeta("Начать проверку", notify=(CAMPAIGN_EXPERTS,)),
    T.START_THIRD_CHECK: TriggerMeta("Завершить первую и вторую проверку", Tone.WARNING),
    T.CLOSE: TriggerMeta("Закрыть кампанию", notify=(CAMPAIGN_SCHOOLS,)),
    T.CANCEL: TriggerMeta("Отменить кампанию", Tone.DANGER),
}

ENTRY_EFFECTS: dict = {}

campaign_workflow = build_workflow(
    "crosscheck_campaign", CampaignState, TRANSITIONS, GUARDS, TRIGGERS, ENTRY_EFFECTS
)


class CrossCheckCampaignFlow(Stateful):
    """Mixin binding an object with ``state`` and ``record_transition`` to the campaign machine."""

    workflow = campaign_workflow


def entry_open(campaign_state: str, sheet_role: str) -> bool:
    """May scores be entered on a sheet of ``sheet_role`` while the campaign is in this state?

    First and second checks while checking; third checks while checking (they are assigned as
    soon as a discrepancy shows) and during the third-check stage, which is for them alone.
    """
    if campaign_state == S.CHECKING:
        return True
    return campaign_state == S.THIRD_CHECK and sheet_role == "third"


STATE_LABELS = {
    S.DRAFT: "Черновик",
    S.LISTS_LOADED: "Списки загружены",
    S.ASSIGNED: "Работы распределены",
    S.CHECKING: "Идёт проверка",
    S.THIRD_CHECK: "Третья проверка",
    S.CLOSED: "Закрыта",
    S.CANCELLED: "Отменена",
}

SCOPE_LABELS = {
    Scope.ANY: "Любая школа",
    Scope.SAME_MUNICIPALITY: "Школа того же муниципалитета",
    Scope.OTHER_MUNICIPALITY: "Школа другого муниципалитета",
}
