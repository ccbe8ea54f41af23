"""Roadmaps of a school, a municipality or a region; their items follow the item workflow."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.workflow.models import TransitionLogMixin, WorkflowModel
from workflows.roadmap_item import ItemState, RoadmapItemFlow


class Level(enum.StrEnum):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    REGION = "region"


LEVEL_LABELS = {
    Level.SCHOOL: "Школа",
    Level.MUNICIPALITY: "Муниципалитет",
    Level.REGION: "Регион",
}

TITLE_MAX = 300
EVENT_MAX = 1000
PERIOD_MAX = 60
INDICATOR_MAX = 1000
VALUE_MAX = 500
EVIDENCE_MAX = 500


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


class Roadmap(db.Model):
    __tablename__ = "roadmaps"
    __table_args__ = (
        CheckConstraint(f"level in ({_values(Level)})", name="level"),
        CheckConstraint(
            "(level = 'school' AND school_id IS NOT NULL AND municipality_id IS NULL "
            "AND region_id IS NULL) OR "
            "(level = 'municipality' AND municipality_id IS NOT NULL AND school_id IS NULL "
            "AND region_id IS NULL) OR "
            "(level = 'region' AND region_id IS NOT NULL AND school_id IS NULL "
            "AND municipality_id IS NULL)",
            name="owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))

    school = relationship("School")
    municipality = relationship("Municipality")
    region = relationship("Region")
    items: Mapped[list[RoadmapItem]] = relationship(
        back_populates="roadmap", order_by="RoadmapItem.id"
    )

    @property
    def owner_name(self) -> str:
        if self.level == Level.SCHOOL:
            return self.school.short_name
        if self.level == Level.MUNICIPALITY:
            return self.municipality.name
        return self.region.name


class RoadmapItem(RoadmapItemFlow, WorkflowModel, db.Model):
    __tablename__ = "roadmap_items"
    __table_args__ = (CheckConstraint(f"state in ({_values(ItemState)})", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id"), index=True)
    event: Mapped[str] = mapped_column(Text)
    planned: Mapped[str] = mapped_column(String(PERIOD_MAX), default="")
    actual: Mapped[str] = mapped_column(String(PERIOD_MAX), default="")
    indicator: Mapped[str] = mapped_column(Text, default="")
    target_value: Mapped[str] = mapped_column(String(VALUE_MAX), default="")
    actual_value: Mapped[str] = mapped_column(String(VALUE_MAX), default="")
    evidence: Mapped[str] = mapped_column(String(EVIDENCE_MAX), default="")
    evidence_url: Mapped[str] = mapped_column(String(EVIDENCE_MAX), default="")
    # An evidence file stored by the documents' upload rules (type by content, size limit).
    evidence_file: Mapped[str | None] = mapped_column(String(40))
    evidence_file_name: Mapped[str | None] = mapped_column(String(200))
    evidence_file_mime: Mapped[str | None] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    _state: Mapped[str] = mapped_column("state", String(16), default=ItemState.NEW.value)
    lock_version: Mapped[int] = mapped_column(default=1)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": lock_version}

    roadmap: Mapped[Roadmap] = relationship(back_populates="items")

    def audit_fields(self, event) -> dict:
        return {"item": self}


class RoadmapItemLog(TransitionLogMixin, db.Model):
    """Append-only audit row for every transition of a roadmap item: the change log."""

    __tablename__ = "roadmap_item_logs"

    item_id: Mapped[int] = mapped_column(ForeignKey("roadmap_items.id"), index=True)

    item: Mapped[RoadmapItem] = relationship()


RoadmapItem.audit_model = RoadmapItemLog
