"""Mutual expertise: the stage's settings, pairings, peer assignments and their conclusions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaigns.models import Campaign, ChecklistTemplate, Criterion
from webapp.common.time import UTCDateTime, utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.workflow.models import TransitionLogMixin, WorkflowModel
from workflows.machine import TransitionEvent
from workflows.peer_assignment import PeerAssignmentFlow, PeerState

_STATE_VALUES = ", ".join(f"'{s.value}'" for s in PeerState)


class PeerStage(db.Model):
    """The campaign's settings of the mutual expertise (one row per campaign)."""

    __tablename__ = "peer_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    reviews_per_school: Mapped[int] = mapped_column(default=1)
    no_reciprocal: Mapped[bool] = mapped_column(default=True)
    accept_days: Mapped[int] = mapped_column(default=3)
    review_days: Mapped[int] = mapped_column(default=14)
    reminder_days: Mapped[int] = mapped_column(default=2)
    max_replacements: Mapped[int] = mapped_column(default=2)
    reveal_reviewer: Mapped[bool] = mapped_column(default=True)

    campaign: Mapped[Campaign] = relationship()


class Pairing(db.Model):
    """One run of the pairing engine: its job, its preview (with swaps), its confirmation."""

    __tablename__ = "pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    k: Mapped[int]
    no_reciprocal: Mapped[bool]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    preview: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class PeerAssignment(PeerAssignmentFlow, WorkflowModel, db.Model):
    """One reviewing school for one document of another region's school."""

    __tablename__ = "peer_assignments"
    __table_args__ = (
        UniqueConstraint("document_id", "reviewer_school_id"),
        CheckConstraint(f"state in ({_STATE_VALUES})", name="state"),
        Index("ix_peer_assignments_reviewer_school_id_state", "reviewer_school_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairings.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    reviewer_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    reviewed_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("peer_assignments.id"))
    attempt: Mapped[int] = mapped_column(default=1)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_templates.id"))
    _state: Mapped[str] = mapped_column("state", String(16), index=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": lock_version}

    document: Mapped[Document] = relationship()
    reviewer_school: Mapped[School] = relationship(foreign_keys=[reviewer_school_id])
    reviewed_school: Mapped[School] = relationship(foreign_keys=[reviewed_school_id])
    template: Mapped[ChecklistTemplate | None] = relationship()
    answers: Mapped[list[PeerAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PeerAnswer.id"
    )
    history: Mapped[list[PeerAssignmentLog]] = relationship(
        back_populates="assignment", order_by="PeerAssignmentLog.id"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._state = PeerState.ASSIGNED.value

    def audit_fields(self, event: TransitionEvent) -> dict:
        return {"assignment": self}

    def answer_for(self, criterion_id: int) -> PeerAnswer | None:
        return next((a for a in self.answers if a.criterion_id == criterion_id), None)

    def is_complete(self) -> bool:
        """Every criterion of its checklist rated, and a conclusion written."""
        if self.template is None or not self.conclusion.strip():
            return False
        answered = {a.criterion_id for a in self.answers if a.status}
        return all(c.id in answered for c in self.template.criteria)


class PeerAssignmentLog(TransitionLogMixin, db.Model):
    """Append-only audit row for every state change of a peer assignment."""

    __tablename__ = "peer_assignment_logs"

    peer_assignment_id: Mapped[int] = mapped_column(ForeignKey("peer_assignments.id"), index=True)

    assignment: Mapped[PeerAssignment] = relationship(back_populates="history")


PeerAssignment.audit_model = PeerAssignmentLog


class PeerAnswer(db.Model):
    """A peer reviewer's rating of one criterion."""

    __tablename__ = "peer_answers"
    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id"),
        CheckConstraint("status in ('met', 'remark', 'not_met')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("peer_assignments.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[Criterion] = relationship()
