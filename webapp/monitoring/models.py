"""A school's measures and the evidence check of each measure's monitoring report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import UTCDateTime, utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.workflow.models import TransitionLogMixin, WorkflowModel
from workflows.evidence_check import EvidenceCheckFlow, EvidenceState
from workflows.machine import TransitionEvent

_STATES = ", ".join(f"'{s.value}'" for s in EvidenceState)

# Server-side limits of the free-text fields (characters).
TEXT_LIMITS = {
    "goal": 1000,
    "task": 1000,
    "title": 1000,
    "responsible": 200,
    "indicator": 500,
    "unit": 50,
}


class Measure(db.Model):
    """One measure of a school's anti-risk programme: goal, task, deadline, indicator, target."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    goal: Mapped[str] = mapped_column(String(1000))
    task: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(1000))
    deadline: Mapped[date] = mapped_column(Date)
    responsible: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str] = mapped_column(String(500))
    target_value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    school: Mapped[School] = relationship()
    document: Mapped[Document | None] = relationship()
    check: Mapped[EvidenceCheck] = relationship(back_populates="measure", uselist=False)


class EvidenceCheck(EvidenceCheckFlow, WorkflowModel, db.Model):
    """The monitoring report of one measure (actual value + evidence files) and its check."""

    __tablename__ = "evidence_checks"
    __table_args__ = (CheckConstraint(f"state in ({_STATES})", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), unique=True)
    actual_value: Mapped[float | None] = mapped_column(Float)
    _state: Mapped[str] = mapped_column("state", String(16), index=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_evidence_count: Mapped[int] = mapped_column(default=0)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": lock_version}

    measure: Mapped[Measure] = relationship(back_populates="check")
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="check", order_by="EvidenceFile.number"
    )
    history: Mapped[list[EvidenceCheckLog]] = relationship(
        back_populates="check", order_by="EvidenceCheckLog.id"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._state = EvidenceState.DRAFT.value

    def audit_fields(self, event: TransitionEvent) -> dict:
        return {"check": self}


class EvidenceFile(db.Model):
    """An immutable evidence file of a report (append-only, like document versions)."""

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("check_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("evidence_checks.id"), index=True)
    number: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(8))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_name: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    check: Mapped[EvidenceCheck] = relationship(back_populates="files")


@event.listens_for(EvidenceFile, "before_update")
@event.listens_for(EvidenceFile, "before_delete")
def _files_are_append_only(mapper, connection, target) -> None:
    raise PermissionError("EvidenceFile rows are append-only")


class EvidenceCheckLog(TransitionLogMixin, db.Model):
    """Append-only audit row for every transition of an evidence check."""

    __tablename__ = "evidence_check_logs"

    check_id: Mapped[int] = mapped_column(ForeignKey("evidence_checks.id"), index=True)

    check: Mapped[EvidenceCheck] = relationship(back_populates="history")


EvidenceCheck.audit_model = EvidenceCheckLog
