"""Shared machinery for the ``transitions`` machines: one per workflow, no model bound.

A workflow is declared in one module of ``workflows/``: states (a ``StrEnum``), triggers (a
``StrEnum``), the transition table with guards by name, the guards with their Russian refusal
texts, the trigger metadata (label, button tone, who is told, which screen offers it) and the
entry effects of states. :func:`build_workflow` checks that these agree and builds the machine.
The machine's one hook turns the library's ``EventData`` into a plain :class:`TransitionEvent`,
runs the destination's entry effects and hands the event to ``model.record_transition``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from transitions import EventData, Machine


class WorkflowError(Exception):
    """Base class of refusals raised by :meth:`Stateful.fire`."""

    def __init__(
        self,
        message: str,
        *,
        trigger: str = "",
        reasons: Iterable[str] = (),
        parts: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.trigger = trigger
        self.reasons = tuple(reasons)
        # The sentences ``message`` is made of, each a catalogue id the screen translates.
        self.parts = tuple(parts) or (message,)


class InvalidTransition(WorkflowError):
    """The trigger does not exist or is not allowed from the current state."""


class NotPermitted(WorkflowError):
    """The actor's role may not fire this trigger."""


class GuardRefused(WorkflowError):
    """A condition other than the actor's role is not met."""


class StateConflict(WorkflowError):
    """Someone else changed the object first: the caller's view is stale (HTTP 409)."""


@dataclass(frozen=True)
class TransitionEvent:
    """What the hook and the audit see of one fired transition (plain data, no library types)."""

    workflow: str
    trigger: str
    source: str
    dest: str
    model: object
    ctx: object
    at: datetime


Guard = Callable[[TransitionEvent], bool]


def has_role(event: TransitionEvent, *roles: str) -> bool:
    """True when the actor holds one of ``roles`` towards the object (``ctx.roles``)."""
    return bool(event.ctx.roles & {str(r) for r in roles})


Effect = Callable[[object, TransitionEvent], None]


@dataclass(frozen=True)
class GuardSpec:
    """A named guard: predicate over the event, refusal message, and what it concerns.

    ``is_role``: the actor's role (a refusal is :class:`NotPermitted`, HTTP 403).
    ``on_input``: a value the actor types with the action (a comment): screens offer the action
    and ask for the value, so :meth:`Stateful.available_triggers` does not evaluate it.
    """

    name: str
    check: Guard
    message: str
    is_role: bool = False
    on_input: bool = False


class Tone(enum.StrEnum):
    PRIMARY = "primary"
    WARNING = "warning"
    DANGER = "danger"


class Screen(enum.StrEnum):
    """Where a trigger is offered to people; ``SYSTEM`` triggers are fired by tasks only."""

    ACTIONS = "actions"  # the object's page, the action form
    REVIEW = "review"  # the reviewer's checklist screen
    SYSTEM = "system"


@dataclass(frozen=True)
class TriggerMeta:
    """How a trigger is shown and announced: read by templates, the outbox and the API."""

    label: str
    tone: Tone = Tone.PRIMARY
    screen: Screen = Screen.ACTIONS
    notify: tuple[str, ...] = ()  # audiences, resolved to people by webapp/notifications
    screen_from: tuple[tuple[str, Screen], ...] = ()  # (source state, screen) overrides

    def screen_in(self, state: str) -> Screen:
        """The screen that offers this trigger while the object is in ``state``."""
        return dict(self.screen_from).get(state, self.screen)


@dataclass
class Workflow:
    """A machine plus the registries that explain refusals and describe triggers."""

    name: str
    machine: Machine
    states: type[enum.StrEnum]
    table: list[dict]
    guards: dict[str, GuardSpec] = field(default_factory=dict)
    meta: Mapping[str, TriggerMeta] = field(default_factory=dict)
    entry_effects: Mapping[str, tuple[Effect, ...]] = field(default_factory=dict)

    def transitions_for(self, trigger: str, state: str) -> list[dict]:
        """Rows of the table for ``trigger`` leaving ``state``."""
        return [row for row in self.table if row["trigger"] == trigger and state in _sources(row)]

    def triggers(self) -> list[str]:
        """All trigger names, in table order."""
        return list(self._trigger_names)

    @functools.cached_property
    def _trigger_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(row["trigger"]) for row in self.table))

    def offered_on(self, screen: Screen, state: str, triggers: Iterable[str]) -> list[str]:
        """The given triggers that ``screen`` offers in ``state``, in the given order."""
        return [t for t in triggers if self.meta[t].screen_in(state) == screen]

    def describe(self) -> list[dict]:
        """A plain, stable export of the table (for the pinned-definition test and docs)."""
        return [
            {
                "trigger": str(row["trigger"]),
                "source": sorted(_sources(row)),
                "dest": str(row["dest"]),
                "conditions": list(row.get("conditions", [])),
            }
            for row in self.table
        ]


def _sources(row: dict) -> set[str]:
    source = row["source"]
    if isinstance(source, str):
        return {str(source)}
    return {str(s) for s in source}


def build_workflow(
    name: str,
    states: type[enum.StrEnum],
    table: list[dict],
    guards: Iterable[GuardSpec],
    meta: Mapping[str, TriggerMeta],
    entry_effects: Mapping[str, tuple[Effect, ...]] | None = None,
) -> Workflow:
    """Build the module-level machine (``model=None``) with guards resolved by name."""
    registry = {g.name: g for g in guards}
    effects = dict(entry_effects or {})
    _check_declarations(table, registry, meta, effects, states)
    workflow = Workflow(name, None, states, table, registry, dict(meta), effects)  # type: ignore[arg-type]
    workflow.machine = Machine(
        model=None,
        states=[s.value for s in states],
        transitions=[_resolve(row, registry) for row in table],
        initial=None,
        auto_transitions=False,
        send_event=True,
        after_state_change=functools.partial(_after_state_change, workflow),
    )
    return workflow


def _check_declarations(table, registry, meta, effects, states) -> None:
    declared = {s.value for s in states}
    for row in table:
        unknown = [c for c in row.get("conditions", []) if c not in registry]
        if unknown:
            raise ValueError(f"unknown guards {unknown} in {row['trigger']}")
        if not _sources(row) <= declared or str(row["dest"]) not in declared:
            raise ValueError(f"undeclared state in {row['trigger']}")
    triggers = {str(row["trigger"]) for row in table}
    if triggers != set(meta):
        raise ValueError(f"trigger metadata does not match the table: {triggers ^ set(meta)}")
    if not set(effects) <= declared:
        raise ValueError(f"entry effects for undeclared states {set(effects) - declared}")


def _resolve(row: dict, registry: dict[str, GuardSpec]) -> dict:
    return {
        "trigger": str(row["trigger"]),
        "source": sorted(_sources(row)),
        "dest": str(row["dest"]),
        "conditions": [_as_library_guard(registry[c].check) for c in row.get("conditions", [])],
    }


def _as_library_guard(check: Guard) -> Callable[[EventData], bool]:
    return lambda event_data: check(_plain_event(event_data))


def _plain_event(event_data: EventData, workflow: Workflow | None = None) -> TransitionEvent:
    transition = event_data.transition
    return TransitionEvent(
        workflow="" if workflow is None else workflow.name,
        trigger=event_data.event.name,
        source=transition.source if transition else str(event_data.state.name),
        dest=transition.dest if transition else "",
        model=event_data.model,
        ctx=event_data.kwargs.get("ctx"),
        at=datetime.now(UTC),
    )


def _after_state_change(workflow: Workflow, event_data: EventData) -> None:
    event = _plain_event(event_data, workflow)
    for effect in workflow.entry_effects.get(event.dest, ()):
        effect(event.model, event)
    event.model.record_transition(event)


class Stateful:
    """Mixin for objects driven by a :class:`Workflow`.

    Subclasses set ``workflow`` and implement ``record_transition(event)``; ``state`` must only
    change through :meth:`fire`.
    """

    workflow: Workflow
    _firing: bool = False

    def check_fire(self, trigger: str, *, skip_input: bool = False, **context: object) -> None:
        """Raise the refusal that ``fire`` would raise, without changing anything."""
        if trigger not in self.workflow._trigger_names:
            raise InvalidTransition(f"Неизвестное действие «{trigger}».", trigger=trigger)
        rows = self.workflow.transitions_for(trigger, str(self.state))
        if not rows:
            refusal = InvalidTransition(
                f"Действие «{trigger}» невозможно в состоянии «{self.state}».", trigger=trigger
            )
            refusal.workflow, refusal.state = self.workflow.name, str(self.state)
            raise refusal
        failures = [self._failed_guards(row, trigger, context, skip_input) for row in rows]
        best = min(failures, key=len)
        if not best:
            return
        role_failures = [g for g in best if g.is_role]
        if role_failures:
            raise NotPermitted(
                role_failures[0].message, trigger=trigger, reasons=[g.name for g in best]
            )
        messages = [g.message for g in best]
        raise GuardRefused(
            " ".join(messages), trigger=trigger, reasons=[g.name for g in best], parts=messages
        )

    def _failed_guards(
        self, row: dict, trigger: str, context: dict, skip_input: bool
    ) -> list[GuardSpec]:
        event = TransitionEvent(
            workflow=self.workflow.name,
            trigger=trigger,
            source=str(self.state),
            dest=str(row["dest"]),
            model=self,
            ctx=context.get("ctx"),
            at=datetime.now(UTC),
        )
        specs = [self.workflow.guards[name] for name in row.get("conditions", [])]
        return [s for s in specs if not (skip_input and s.on_input) and not s.check(event)]

    def can_fire(self, trigger: str, **context: object) -> bool:
        """True when ``fire(trigger, **context)`` would succeed."""
        try:
            self.check_fire(trigger, **context)
        except WorkflowError:
            return False
        return True

    def available_triggers(self, **context: object) -> list[str]:
        """Triggers the actor may fire now, in table order; values typed with the action
        (``on_input`` guards, e.g. a comment) are asked for by the screen, not checked here."""
        return [t for t in self.workflow.triggers() if self.can_fire(t, skip_input=True, **context)]

    def blocked_triggers(self, **context: object) -> dict[str, list[str]]:
        """Triggers this actor could fire from this state but for facts: trigger → the guards'
        messages (each a catalogue string the screen translates).

        Screens show the reason instead of silently hiding the action (e.g. «Отправить
        повторно» waits for a new version). Refusals of the role and values typed with the
        action are left out: the first is not this actor's action, the second is asked for.
        """
        blocked: dict[str, list[str]] = {}
        for trigger in self.workflow.triggers():
            try:
                self.check_fire(trigger, skip_input=True, **context)
            except GuardRefused as refusal:
                blocked[trigger] = [self.workflow.guards[name].message for name in refusal.reasons]
            except WorkflowError:
                continue
        return blocked

    def fire(self, trigger: str, **context: object) -> None:
        """Fire ``trigger``; raise a :class:`WorkflowError` explaining any refusal."""
        self.check_fire(trigger, **context)
        self._firing = True
        try:
            done = self.workflow.machine.events[trigger].trigger(self, **context)
        finally:
            self._firing = False
        if not done:
            raise GuardRefused("Условия перехода не выполнены.", trigger=trigger)
