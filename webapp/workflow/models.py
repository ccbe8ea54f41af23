"""What every workflow-driven model shares: the guarded state column and the audit row."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.workflow.signals import transition_recorded
from workflows.machine import Stateful, TransitionEvent


class TransitionLogMixin:
    """Columns of an append-only audit table (one table per workflow, see docs/decisions.md)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))


@event.listens_for(TransitionLogMixin, "before_update", propagate=True)
@event.listens_for(TransitionLogMixin, "before_delete", propagate=True)
def _refuse_change(mapper, connection, target) -> None:
    raise PermissionError(f"{type(target).__name__} rows are append-only")


class WorkflowModel(Stateful):
    """Mixin for a mapped class driven by a workflow.

    The class maps ``_state`` (column ``state``), ``state_changed_at`` and ``state_changed_by``,
    names its audit table in ``audit_model`` and may add columns to the audit row through
    :meth:`audit_fields`. Assigning ``state`` outside :meth:`fire` raises.
    """

    audit_model: ClassVar[type]

    @hybrid_property
    def state(self) -> str:
        return self._state

    @state.inplace.setter
    def _state_setter(self, value: str) -> None:
        if not self._firing:
            raise AttributeError(f"{type(self).__name__}.state changes only through fire()")
        self._state = str(value)

    @state.inplace.expression
    @classmethod
    def _state_expression(cls):
        return cls._state

    def audit_fields(self, event: TransitionEvent) -> dict:
        """Extra columns of this workflow's audit row (the link to the object, …)."""
        return {}

    def record_transition(self, event: TransitionEvent) -> None:
        """The machine's hook: stamp the change, add the audit row, tell the subscribers."""
        ctx = event.ctx
        self.state_changed_at = event.at
        self.state_changed_by = ctx.actor_name
        log = self.audit_model(
            from_state=event.source,
            to_state=event.dest,
            event=event.trigger,
            actor_id=ctx.actor_id,
            actor_name=ctx.actor_name,
            comment=ctx.comment.strip(),
            at=event.at,
            **self.audit_fields(event),
        )
        db.session.add(log)
        transition_recorded.send(self, event=event, log=log)
