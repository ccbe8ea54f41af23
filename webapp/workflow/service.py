"""The one choke point of every state change: lock, derive facts, fire, audit, flush.

A feature binds its model with a :class:`Binding` (how to build the guard context from the
database, how to explain a stale view) and calls :func:`apply_transition`; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from webapp.extensions import db
from workflows.machine import StateConflict

ContextBuilder = Callable[..., Any]  # (obj, actor, *, comment, system) -> the workflow's Context
_FOLLOW_UPS = "workflow_follow_ups"


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
    run_follow_ups()
    return obj


def after_transition(action: Callable[[], None]) -> None:
    """Run ``action`` right after the transition being recorded, in the same transaction.

    Subscribers of ``transition_recorded`` use it for the system transitions one change causes
    (a document accepted enters its peer stage; a declined assignment is replaced): the machine
    is not re-entered while it fires, and all of it commits or rolls back together.
    """
    db.session.info.setdefault(_FOLLOW_UPS, []).append(action)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_follow_ups(session: Session, *args: object) -> None:
    """Follow-ups belong to one transaction: never run them in the next one."""
    session.info.pop(_FOLLOW_UPS, None)


def run_follow_ups() -> None:
    queue = db.session.info.get(_FOLLOW_UPS)
    while queue:
        queue.pop(0)()
        db.session.flush()


def judge_triggers(binding: Binding, obj: Any, actor: Any) -> tuple[list[str], dict[str, list]]:
    """What an actions panel shows, on one set of facts (built once, as firing builds them):
    the triggers the actor may fire now, and those held back by a fact with the reasons."""
    ctx = binding.build_context(obj, actor, comment="", system=False)
    return obj.available_triggers(ctx=ctx), obj.blocked_triggers(ctx=ctx)


def available_triggers(binding: Binding, obj: Any, actor: Any) -> list[str]:
    """Triggers ``actor`` may fire now, judged on the same facts as :func:`apply_transition`."""
    ctx = binding.build_context(obj, actor, comment="", system=False)
    return obj.available_triggers(ctx=ctx)
