"""The one choke point of every state change: lock, derive facts, fire, audit, flush.

A feature binds its model with a :class:`Binding` (how to build the guard context from the
database, how to explain a stale view) and calls :func:`apply_transition`; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from workflows.machine import StateConflict

ContextBuilder = Callable[..., Any]  # (obj, actor, *, comment, system) -> the workflow's Context


@dataclass(frozen=True)
class Binding:
    """A workflow-driven model and the feature functions the shared layer calls."""

    model: type
    build_context: ContextBuilder
    conflict_message: Callable[[Any], str]
    load_options: Sequence[Any] = ()


def lock(binding: Binding, object_id: int) -> Any:
    """Load the object locked for this transaction (row lock on PostgreSQL), fresh from the DB."""
    model = binding.model
    stmt = (
        select(model)
        .where(model.id == object_id)
        .options(*binding.load_options)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).first()


def apply_transition(
    binding: Binding,
    object_id: int,
    trigger: str,
    *,
    actor: Any,
    comment: str = "",
    expected_version: int | None = None,
    system: bool = False,
) -> Any:
    """Fire ``trigger`` on the locked row with facts derived from the database; flush.

    Raises ``LookupError`` for a missing object, :class:`StateConflict` when the caller's view
    is stale (its ``expected_version`` is old, or it asks for a known action the current state
    no longer offers), and the workflow's refusals otherwise.
    """
    obj = lock(binding, object_id)
    if obj is None:
        raise LookupError(object_id)
    if expected_version is not None and obj.lock_version != expected_version:
        raise StateConflict(binding.conflict_message(obj), trigger=trigger)
    workflow = obj.workflow
    if (
        expected_version is None
        and trigger in workflow.triggers()
        and not workflow.transitions_for(trigger, obj.state)
    ):
        raise StateConflict(binding.conflict_message(obj), trigger=trigger)
    ctx = binding.build_context(obj, actor, comment=comment, system=system)
    obj.fire(trigger, ctx=ctx)
    db.session.flush()
    return obj


def available_triggers(binding: Binding, obj: Any, actor: Any) -> list[str]:
    """Triggers ``actor`` may fire now, judged on the same facts as :func:`apply_transition`."""
    ctx = binding.build_context(obj, actor, comment="", system=False)
    return obj.available_triggers(ctx=ctx)
