"""Documents, their immutable versions and the append-only transition log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaigns.models import Campaign, DocumentType, RiskFactor
from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.workflow.models import TransitionLogMixin, WorkflowModel
from workflows.document import DocumentFlow, DocumentState
from workflows.machine import TransitionEvent

_STATE_VALUES = ", ".join(f"'{s.value}'" for s in DocumentState)


class Document(DocumentFlow, WorkflowModel, db.Model):
    """One document of a school, of one type (and risk), in one campaign."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("campaign_id", "school_id", "document_type_id", "risk_factor_id"),
        CheckConstraint(f"state in ({_STATE_VALUES})", name="state"),
        Index("ix_documents_campaign_id_state", "campaign_id", "state", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id"))
    risk_factor_id: Mapped[int | None] = mapped_column(ForeignKey("risk_factors.id"))
    title: Mapped[str] = mapped_column(String(400))
    _state: Mapped[str] = mapped_column("state", String(32), index=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    latest_version_number: Mapped[int] = mapped_column(default=0)
    revision_base_version: Mapped[int] = mapped_column(default=0)
    approved_version_number: Mapped[int | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": lock_version}

    campaign: Mapped[Campaign] = relationship()
    school: Mapped[School] = relationship()
    document_type: Mapped[DocumentType] = relationship(lazy="joined")
    risk_factor: Mapped[RiskFactor | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )
    history: Mapped[list[TransitionLog]] = relationship(
        back_populates="document", order_by="TransitionLog.id"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._state = DocumentState.DRAFT.value

    @property
    def has_file(self) -> bool:
        return self.latest_version_number > 0

    @property
    def has_new_version(self) -> bool:
        return self.latest_version_number > self.revision_base_version

    def audit_fields(self, event: TransitionEvent) -> dict:
        return {"document": self, "version_number": self.latest_version_number}


class DocumentVersion(db.Model):
    """An immutable uploaded file of a document."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
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

    document: Mapped[Document] = relationship(back_populates="versions")


class TransitionLog(TransitionLogMixin, db.Model):
    """Append-only audit row for every state change of a document."""

    __tablename__ = "transition_logs"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_number: Mapped[int] = mapped_column(default=0)

    document: Mapped[Document] = relationship(back_populates="history")


Document.audit_model = TransitionLog


@event.listens_for(DocumentVersion, "before_update")
@event.listens_for(DocumentVersion, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise PermissionError(f"{type(target).__name__} rows are append-only")
