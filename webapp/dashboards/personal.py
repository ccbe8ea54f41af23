"""What one school has to do next, and what one curator's schools and diary need.

Column queries only, each limited to what a short, action-oriented page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from webapp.campaigns.models import Campaign
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckExpert, ScoreSheet
from webapp.diary.models import DiaryEntry
from webapp.documents.models import Document
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, Measure
from webapp.orgs.models import Municipality, School
from webapp.overview.followup import documents_deadline, due_of
from webapp.roadmaps.models import Roadmap, RoadmapItem
from workflows.evidence_check import EvidenceState
from workflows.peer_assignment import OPEN_STATES
from workflows.roadmap_item import ItemState
from workflows.score_sheet import SheetState

LIST_LIMIT = 20
OPEN_REPORTS = (EvidenceState.DRAFT, EvidenceState.RETURNED, EvidenceState.SUBMITTED)
OPEN_ITEMS = (ItemState.PLANNED, ItemState.IN_PROGRESS)
FOLLOW_UP_AHEAD = timedelta(days=14)
FOLLOW_UP_BEHIND = timedelta(days=30)


@dataclass(frozen=True)
class Due:
    """One thing to do: what, its state, when, whether it is late, where to go."""

    id: int
    title: str
    state: str
    due: date | datetime | str | None
    overdue: bool


def school_documents(campaign: Campaign, school: School, now: datetime) -> list[Due]:
    deadline = documents_deadline(campaign, school.municipality.region_id)
    stmt = (
        select(Document.id, Document.title, Document.state, Document.due_at)
        .where(Document.campaign_id == campaign.id, Document.school_id == school.id)
        .order_by(Document.id)
    )
    rows = []
    for doc_id, title, state, due_at in db.session.execute(stmt):
        due = due_of(state, due_at, deadline)
        rows.append(Due(doc_id, title, state, due, due is not None and due < now))
    rows.sort(key=lambda r: (r.due is None, r.due or now))
    return rows


def school_measures(school_id: int, today: date) -> list[Due]:
    """Measures whose report is still open, nearest deadline first (returned ones first)."""
    returned_first = EvidenceCheck.state != EvidenceState.RETURNED.value
    stmt = (
        select(Measure.id, Measure.title, EvidenceCheck.state, Measure.deadline)
        .join(EvidenceCheck, EvidenceCheck.measure_id == Measure.id)
        .where(Measure.school_id == school_id, EvidenceCheck.state.in_(OPEN_REPORTS))
        .order_by(returned_first, Measure.deadline, Measure.id)
        .limit(LIST_LIMIT)
    )
    return [
        Due(mid, title, state, deadline, deadline < today and state != EvidenceState.SUBMITTED)
        for mid, title, state, deadline in db.session.execute(stmt)
    ]


def measure_counts(school_ids) -> dict[str, int]:
    stmt = (
        select(EvidenceCheck.state, func.count())
        .join(Measure, Measure.id == EvidenceCheck.measure_id)
        .where(Measure.school_id.in_(school_ids))
        .group_by(EvidenceCheck.state)
    )
    return dict(db.session.execute(stmt).all())


def school_roadmap_items(school_id: int) -> list[tuple[int, Due]]:
    """Open items of the school's own roadmaps: (roadmap id, item)."""
    stmt = (
        select(
            Roadmap.id, RoadmapItem.id, RoadmapItem.event, RoadmapItem.state, RoadmapItem.planned
        )
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id == school_id, RoadmapItem.state.in_(OPEN_ITEMS))
        .order_by(RoadmapItem.id)
        .limit(LIST_LIMIT)
    )
    return [
        (rid, Due(iid, event, state, planned, False))
        for rid, iid, event, state, planned in db.session.execute(stmt)
    ]


def peer_reviews_to_write(school_id: int, now: datetime) -> list[Due]:
    stmt = (
        select(PeerAssignment.id, Document.title, PeerAssignment.state, PeerAssignment.due_at)
        .join(Document, Document.id == PeerAssignment.document_id)
        .where(
            PeerAssignment.reviewer_school_id == school_id,
            PeerAssignment.state.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(PeerAssignment.due_at, PeerAssignment.id)
        .limit(LIST_LIMIT)
    )
    return [
        Due(aid, title, state, due, due is not None and due < now)
        for aid, title, state, due in db.session.execute(stmt)
    ]


@dataclass(frozen=True)
class ExpertWork:
    campaign: str
    open: int
    submitted: int


def experts_works(school_id: int) -> list[ExpertWork]:
    """Score sheets held by the school's experts, per cross-check campaign."""
    done = ScoreSheet.state == SheetState.SUBMITTED.value
    stmt = (
        select(
            CrossCheckCampaign.title,
            func.count().filter(~done),
            func.count().filter(done),
        )
        .select_from(ScoreSheet)
        .join(CrossCheckExpert, CrossCheckExpert.id == ScoreSheet.expert_id)
        .join(CrossCheckCampaign, CrossCheckCampaign.id == ScoreSheet.campaign_id)
        .where(
            CrossCheckExpert.school_id == school_id,
            ScoreSheet.state != SheetState.WITHDRAWN.value,
        )
        .group_by(CrossCheckCampaign.id, CrossCheckCampaign.title)
        .order_by(CrossCheckCampaign.id.desc())
    )
    return [ExpertWork(title, o, s) for title, o, s in db.session.execute(stmt)]


@dataclass(frozen=True)
class FollowUp:
    entry_id: int
    school: str
    on: date
    overdue: bool


def follow_ups(curator_id: int, today: date) -> list[FollowUp]:
    """The curator's diary follow-ups from a month back to two weeks ahead, soonest first."""
    stmt = (
        select(DiaryEntry.id, School.short_name, DiaryEntry.follow_up_on)
        .join(School, School.id == DiaryEntry.school_id)
        .where(
            DiaryEntry.curator_id == curator_id,
            DiaryEntry.follow_up_on >= today - FOLLOW_UP_BEHIND,
            DiaryEntry.follow_up_on <= today + FOLLOW_UP_AHEAD,
        )
        .order_by(DiaryEntry.follow_up_on, DiaryEntry.id)
        .limit(LIST_LIMIT)
    )
    return [FollowUp(eid, school, on, on < today) for eid, school, on in db.session.execute(stmt)]


def school_row(school_id: int) -> tuple[str, str] | None:
    return db.session.execute(
        select(School.short_name, Municipality.name)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(School.id == school_id)
    ).first()
