"""Campaigns (project years), stages, risk catalogue, document types and checklists."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(default=True)
    risks_per_school: Mapped[int] = mapped_column(default=3)

    stages: Mapped[list[Stage]] = relationship(order_by="Stage.starts_on", lazy="selectin")
    settings: Mapped[list[CampaignDocumentType]] = relationship(lazy="selectin")

    def setting_for(self, document_type_id: int) -> CampaignDocumentType | None:
        return next((s for s in self.settings if s.document_type_id == document_type_id), None)

    def window_open(self, stage_code: str, today: date, region_id: int | None = None) -> bool:
        """True while the campaign is open and the stage (if defined) has not ended; a region's
        own deadline (never later than the federal one) ends it earlier for that region."""
        if not self.is_open:
            return False
        stage = next((s for s in self.stages if s.code == stage_code), None)
        return stage is None or stage.starts_on <= today <= stage.ends_on_for(region_id)


class Stage(db.Model):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    region_deadlines: Mapped[list[RegionStageDeadline]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    def ends_on_for(self, region_id: int | None) -> date:
        """The last day of the stage in a region: its own deadline if set, else the federal."""
        own = next((d for d in self.region_deadlines if d.region_id == region_id), None)
        return min(own.ends_on, self.ends_on) if own else self.ends_on


class RegionStageDeadline(db.Model):
    """A regional coordinator's earlier deadline of a stage for its region."""

    __tablename__ = "region_stage_deadlines"
    __table_args__ = (UniqueConstraint("stage_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    ends_on: Mapped[date]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskFactor(db.Model):
    __tablename__ = "risk_factors"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    code: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)


class SchoolRisk(db.Model):
    __tablename__ = "school_risks"
    __table_args__ = (UniqueConstraint("school_id", "risk_factor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    risk_factor_id: Mapped[int] = mapped_column(ForeignKey("risk_factors.id"))

    risk_factor: Mapped[RiskFactor] = relationship(lazy="joined")


class DocumentType(db.Model):
    __tablename__ = "document_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    per_risk: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class CampaignDocumentType(db.Model):
    """Per-campaign settings of a document type: is it required, does it go to peer review."""

    __tablename__ = "campaign_document_types"
    __table_args__ = (UniqueConstraint("campaign_id", "document_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id"))
    needs_peer_review: Mapped[bool] = mapped_column(default=False)
    review_days: Mapped[int] = mapped_column(default=10)


class ChecklistKind(enum.StrEnum):
    CURATOR = "curator"  # the curator's check of a document
    PEER = "peer"  # the peer school's conclusion in the mutual expertise


class ChecklistTemplate(db.Model):
    """One immutable version of a checklist; editing creates the next version."""

    __tablename__ = "checklist_templates"
    __table_args__ = (
        UniqueConstraint("document_type_id", "kind", "version"),
        CheckConstraint("kind in ('curator', 'peer')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(16), default=ChecklistKind.CURATOR, server_default=ChecklistKind.CURATOR.value
    )
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    criteria: Mapped[list[Criterion]] = relationship(
        order_by="Criterion.position", lazy="selectin", cascade="all, delete-orphan"
    )
    document_type: Mapped[DocumentType] = relationship()


class Criterion(db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
