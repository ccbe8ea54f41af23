"""ВПР cross-check campaigns: settings, lists (tasks, works, experts) and the score sheets.

Works carry only a participant code, never a pupil's name. The campaign and each score sheet
are driven by their workflows (``workflows/crosscheck_campaign.py``, ``workflows/score_sheet.py``)
and audited in append-only tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School
from webapp.workflow.models import TransitionLogMixin, WorkflowModel
from workflows.crosscheck_campaign import CampaignState, CrossCheckCampaignFlow, Scope
from workflows.machine import TransitionEvent
from workflows.score_sheet import ScoreSheetFlow, SheetRole, SheetState


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


# Documented defaults (docs/crosscheck-product.md): the discrepancy threshold in primary points
# and the mark scale as the share of the maximum total needed for marks 3, 4 and 5.
DEFAULT_THRESHOLD = 2
DEFAULT_SCALE_SHARES = (0.30, 0.55, 0.80)


class CrossCheckCampaign(CrossCheckCampaignFlow, WorkflowModel, db.Model):
    """One cross-check of a region (or of one municipality)."""

    __tablename__ = "crosscheck_campaigns"
    __table_args__ = (
        CheckConstraint(f"state in ({_values(CampaignState)})", name="state"),
        CheckConstraint(f"scope in ({_values(Scope)})", name="scope"),
        CheckConstraint("second_share >= 0 AND second_share <= 1", name="second_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(24), default=Scope.ANY.value)
    no_reciprocal: Mapped[bool] = mapped_column(default=False)
    second_share: Mapped[float] = mapped_column(Float, default=0.0)
    experts_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checking_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    third_check_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The latest assignment: its job, and the summary the result page shows.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    summary: Mapped[dict | None] = mapped_column(JSON)
    run: Mapped[int] = mapped_column(default=0)  # how many assignments were stored
    _state: Mapped[str] = mapped_column("state", String(16), index=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": lock_version}

    region: Mapped[Region] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    rules: Mapped[list[CrossCheckSubjectRule]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="(CrossCheckSubjectRule.subject, CrossCheckSubjectRule.grade)",
    )
    history: Mapped[list[CrossCheckCampaignLog]] = relationship(
        back_populates="campaign", order_by="CrossCheckCampaignLog.id"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._state = CampaignState.DRAFT.value

    def audit_fields(self, event: TransitionEvent) -> dict:
        return {"campaign": self}


class CrossCheckCampaignLog(TransitionLogMixin, db.Model):
    """Append-only audit row for every transition of a cross-check campaign."""

    __tablename__ = "crosscheck_campaign_logs"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_campaigns.id"), index=True)

    campaign: Mapped[CrossCheckCampaign] = relationship(back_populates="history")


CrossCheckCampaign.audit_model = CrossCheckCampaignLog


class CrossCheckSubjectRule(db.Model):
    """A subject and grade of the campaign: discrepancy threshold and mark scale.

    ``mark_scale`` = the minimum primary points for marks 3, 4 and 5 (below the first: mark 2).
    """

    __tablename__ = "crosscheck_subject_rules"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject", "grade"),
        CheckConstraint("threshold >= 0", name="threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_campaigns.id"), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    grade: Mapped[int]
    threshold: Mapped[int] = mapped_column(default=DEFAULT_THRESHOLD)
    mark_scale: Mapped[list | None] = mapped_column(JSON)

    campaign: Mapped[CrossCheckCampaign] = relationship(back_populates="rules")

    def mark_for(self, total: int) -> int | None:
        """The mark 2–5 for a total of primary points, or None without a scale."""
        if not self.mark_scale:
            return None
        return 2 + sum(1 for minimum in self.mark_scale if total >= minimum)


class CrossCheckTask(db.Model):
    """One task of a subject and grade's ВПР with its maximum primary points."""

    __tablename__ = "crosscheck_tasks"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject", "grade", "number"),
        CheckConstraint("max_points >= 0", name="max_points"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_campaigns.id"), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    grade: Mapped[int]
    number: Mapped[int]
    max_points: Mapped[int]


class CrossCheckWork(db.Model):
    """One pupil's work, by participant code only, with the school's own points per task."""

    __tablename__ = "crosscheck_works"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject", "grade", "participant_code", "school_id"),
        Index("ix_crosscheck_works_campaign_id_school_id", "campaign_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_campaigns.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    subject: Mapped[str] = mapped_column(String(32))
    grade: Mapped[int]
    participant_code: Mapped[str] = mapped_column(String(32))
    school_points: Mapped[list] = mapped_column(JSON)

    school: Mapped[School] = relationship()


class CrossCheckExpert(db.Model):
    """A teacher who checks works of other schools in this campaign."""

    __tablename__ = "crosscheck_experts"
    __table_args__ = (
        UniqueConstraint("campaign_id", "email"),
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint("source in ('list', 'school')", name="source"),
        Index("ix_crosscheck_experts_campaign_id_school_id", "campaign_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_campaigns.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    subjects: Mapped[list] = mapped_column(JSON)
    grades: Mapped[list] = mapped_column(JSON)
    capacity: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(8), default="list")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship()


class ScoreSheet(ScoreSheetFlow, WorkflowModel, db.Model):
    """One checker's points for one work (``points`` is None until entered)."""

    __tablename__ = "score_sheets"
    __table_args__ = (
        CheckConstraint(f"state in ({_values(SheetState)})", name="state"),
        CheckConstraint(f"role in ({_values(SheetRole)})", name="role"),
        Index("ix_score_sheets_expert_id_state", "expert_id", "state"),
        Index("ix_score_sheets_campaign_id_state", "campaign_id", "state"),
        # A work has at most one live sheet per role and per expert.
        Index(
            "uq_score_sheets_live",
            "work_id",
            "expert_id",
            unique=True,
            sqlite_where=text("state <> 'withdrawn'"),
            postgresql_where=text("state <> 'withdrawn'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_campaigns.id"))
    work_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_works.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_experts.id"))
    role: Mapped[str] = mapped_column(String(8))
    points: Mapped[list | None] = mapped_column(JSON)
    run: Mapped[int] = mapped_column(default=1)  # the assignment run that created it
    _state: Mapped[str] = mapped_column("state", String(16))
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": lock_version}

    work: Mapped[CrossCheckWork] = relationship()
    expert: Mapped[CrossCheckExpert] = relationship()
    history: Mapped[list[ScoreSheetLog]] = relationship(
        back_populates="sheet", order_by="ScoreSheetLog.id"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._state = SheetState.ASSIGNED.value

    def audit_fields(self, event: TransitionEvent) -> dict:
        return {"sheet": self}


class ScoreSheetLog(TransitionLogMixin, db.Model):
    """Append-only audit row for every transition of a score sheet."""

    __tablename__ = "score_sheet_logs"

    score_sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id"), index=True)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="history")


ScoreSheet.audit_model = ScoreSheetLog


def default_scale(max_total: int) -> list[int]:
    """The documented default mark scale for a maximum total of primary points."""
    import math

    return [math.ceil(share * max_total) for share in DEFAULT_SCALE_SHARES]
