"""A document driven by the document workflow without a database (shared by the plain tests)."""

from __future__ import annotations

from workflows.document import DocumentFlow


class PlainDocument(DocumentFlow):
    """A document without a database: the audit rows go to a list."""

    def __init__(self, state: str) -> None:
        self._state = state
        self.latest_version_number = 2
        self.revision_base_version = 0
        self.approved_version_number = None
        self.submitted_at = self.due_at = None
        self.audit: list[tuple[str, str, str, int | None, str]] = []

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        if not self._firing:
            raise AttributeError("state changes only through fire()")
        self._state = value

    def record_transition(self, event) -> None:
        self.audit.append(
            (event.trigger, event.source, event.dest, event.ctx.actor_id, event.ctx.comment)
        )
