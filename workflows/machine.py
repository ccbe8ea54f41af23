"""Shared machinery for the ``transitions`` machines: one per workflow, no model bound."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from transitions import EventData, Machine

Guard = Callable[[EventData], bool]


class WorkflowError(Exception):
    """Base class of refusals raised by :meth:`Stateful.fire`."""

    def __init__(self, message: str, *, trigger: str = "", reasons: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.trigger = trigger
        self.reasons = tuple(reasons)


class InvalidTransition(WorkflowError):
    """The trigger does not exist or is not allowed from the current state."""


class NotPermitted(WorkflowError):
    """The actor's role may not fire this trigger."""


class GuardRefused(WorkflowError):
    """A condition other than the actor's role is not met."""


class StateConflict(WorkflowError):
    """Someone else changed the object first: the caller's view is stale (HTTP 409)."""


@dataclass(frozen=True)
class GuardSpec:
    """A named guard: predicate, refusal message, and whether it concerns the actor's role."""

    name: str
    check: Guard
    message: str
    is_role: bool = False


@dataclass
class Workflow:
    """A machine plus the guard registry that explains refusals."""

    machine: Machine
    states: type[enum.StrEnum]
    table: list[dict]
    guards: dict[str, GuardSpec] = field(default_factory=dict)

    def transitions_for(self, trigger: str, state: str) -> list[dict]:
        """Rows of the table for ``trigger`` leaving ``state``."""
        return [row for row in self.table if row["trigger"] == trigger and state in _sources(row)]

    def triggers(self) -> list[str]:
        """All trigger names, in table order."""
        return list(self._trigger_names)

    @functools.cached_property
    def _trigger_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row["trigger"] for row in self.table))

    def describe(self) -> list[dict]:
        """A plain, stable export of the table (for the pinned-definition test and docs)."""
        return [
            {
                "trigger": row["trigger"],
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
    states: type[enum.StrEnum],
    table: list[dict],
    guards: Iterable[GuardSpec],
    after_state_change: Callable[[EventData], None],
) -> Workflow:
    """Build the module-level machine (``model=None``) with guards resolved by name."""
    registry = {g.name: g for g in guards}
    resolved = []
    for row in table:
        unknown = [c for c in row.get("conditions", []) if c not in registry]
        if unknown:
            raise ValueError(f"unknown guards {unknown} in {row['trigger']}")
        resolved.append(
            {
                "trigger": row["trigger"],
                "source": sorted(_sources(row)),
                "dest": str(row["dest"]),
                "conditions": [registry[c].check for c in row.get("conditions", [])],
            }
        )
    machine = Machine(
        model=None,
        states=[s.value for s in states],
        transitions=resolved,
        initial=None,
        auto_transitions=False,
        send_event=True,
        after_state_change=after_state_change,
    )
    return Workflow(machine=machine, states=states, table=table, guards=registry)


class Stateful:
    """Mixin for objects driven by a :class:`Workflow`.

    Subclasses set ``workflow`` and implement ``record_transition(event)``; ``state`` must only
    change through :meth:`fire`.
    """

    workflow: Workflow
    _firing: bool = False

    def check_fire(self, trigger: str, **context: object) -> None:
        """Raise the refusal that ``fire`` would raise, without changing anything."""
        if trigger not in self.workflow._trigger_names:
            raise InvalidTransition(f"Неизвестное действие «{trigger}».", trigger=trigger)
        rows = self.workflow.transitions_for(trigger, str(self.state))
        if not rows:
            raise InvalidTransition(
                f"Действие «{trigger}» невозможно в состоянии «{self.state}».", trigger=trigger
            )
        failures = [self._failed_guards(row, trigger, context) for row in rows]
        best = min(failures, key=len)
        if not best:
            return
        role_failures = [g for g in best if g.is_role]
        if role_failures:
            raise NotPermitted(
                role_failures[0].message, trigger=trigger, reasons=[g.name for g in best]
            )
        raise GuardRefused(
            " ".join(g.message for g in best), trigger=trigger, reasons=[g.name for g in best]
        )

    def _failed_guards(self, row: dict, trigger: str, context: dict) -> list[GuardSpec]:
        event = _probe_event(self, trigger, context)
        specs = [self.workflow.guards[name] for name in row.get("conditions", [])]
        return [spec for spec in specs if not spec.check(event)]

    def can_fire(self, trigger: str, **context: object) -> bool:
        """True when ``fire(trigger, **context)`` would succeed."""
        try:
            self.check_fire(trigger, **context)
        except WorkflowError:
            return False
        return True

    def available_triggers(self, **context: object) -> list[str]:
        """Triggers the actor in ``context`` may fire now, in table order."""
        return [t for t in self.workflow.triggers() if self.can_fire(t, **context)]

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


def _probe_event(model: object, trigger: str, context: dict) -> EventData:
    workflow: Workflow = model.workflow  # type: ignore[attr-defined]
    machine = workflow.machine
    state = machine.get_state(str(model.state))  # type: ignore[attr-defined]
    return EventData(state, machine.events[trigger], machine, model, args=(), kwargs=context)
