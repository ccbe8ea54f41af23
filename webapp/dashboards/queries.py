"""The dashboards' figures: GROUP BY queries over columns, scoped by ``Territory.schools``.

No machine and no ORM object per row (STACK pitfall 3): every function returns plain counts.

Overdue *(decisions)*: a document is overdue by the follow-up screen's rule
(``webapp.overview.followup.due_of``: the documents stage's last day in the region while the
school has to act, the document's ``due_at`` while the curator has to act); a peer assignment
when it is still open past its ``due_at``; a measure when its deadline has passed and the school
has not reported (the report is a draft or was returned). Roadmap items carry their dates as text
(«март», «февраль-июнь»), so they have no overdue figure: done / open / removed only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, distinct, func, select

from webapp.auth.models import User
from webapp.campaigns.models import Campaign
from webapp.common.cache import ScopeCache
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckWork, ScoreSheet
from webapp.crosscheck.permissions import campaign_scope
from webapp.documents.models import Document
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, Measure
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.overview.followup import CURATOR_TURN, SCHOOL_TURN, documents_deadline
from webapp.overview.queries import scope_key
from webapp.roadmaps.models import Roadmap, RoadmapItem
from workflows.evidence_check import EvidenceState
from workflows.peer_assignment import OPEN_STATES
from workflows.score_sheet import SheetRole, SheetState

UNREPORTED = (EvidenceState.DRAFT.value, EvidenceState.RETURNED.value)
CROSSCHECK_CAMPAIGNS_SHOWN = 10


@dataclass
class Row:
    """One line of a table: a territory, a curator or a school, with counts by state."""

    key: int
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, state: str, n: int) -> None:
        self.counts[state] = self.counts.get(state, 0) + n


def group_columns(level: str):
    """(key, label) columns of one row at ``level``; the query joins School and Municipality."""
    if level == "region":
        return Region.id, Region.name
    if level == "municipality":
        return Municipality.id, Municipality.name
    return School.id, School.short_name


def _scoped(stmt, level: str, schools: ColumnElement[bool]):
    stmt = stmt.join(Municipality, Municipality.id == School.municipality_id)
    if level == "region":
        stmt = stmt.join(Region, Region.id == Municipality.region_id)
    return stmt.where(schools)


def _rows(result: Iterable, make_row) -> list[Row]:
    rows: dict[int, Row] = {}
    for key, label, *rest in result:
        row = rows.setdefault(key, Row(key, label))
        make_row(row, *rest)
    return sorted(rows.values(), key=lambda r: r.label)


def documents_by_state(
    campaign: Campaign,
    schools: ColumnElement[bool],
    level: str,
    now: datetime,
    *,
    by_curator: bool = False,
    school_ids: list[int] | None = None,
) -> list[Row]:
    """Documents by state and overdue per row (a territory, a school or a curator).

    ``school_ids`` (a few schools: a curator's) lets the planner start from their documents'
    index instead of scanning the campaign."""
    if by_curator:
        key, label = User.id, User.full_name
    else:
        key, label = group_columns(level)
    late = case((Document.due_at < now, 1), else_=0)
    stmt = select(key, label, Municipality.region_id, Document.state, late, func.count())
    stmt = stmt.select_from(Document).join(School, School.id == Document.school_id)
    if by_curator:
        stmt = stmt.join(CuratorSchool, CuratorSchool.school_id == School.id).join(
            User, User.id == CuratorSchool.curator_id
        )
    stmt = _scoped(stmt, "municipality" if by_curator else level, schools)
    if school_ids is not None:
        stmt = stmt.where(Document.school_id.in_(school_ids))
    stmt = stmt.where(Document.campaign_id == campaign.id).group_by(
        key, label, Municipality.region_id, Document.state, late
    )
    deadlines: dict[int, datetime | None] = {}

    def fill(row: Row, region_id: int, state: str, is_late: int, n: int) -> None:
        row.add(state, n)
        if region_id not in deadlines:
            deadlines[region_id] = documents_deadline(campaign, region_id)
        school_late = deadlines[region_id] is not None and deadlines[region_id] < now
        if (state in CURATOR_TURN and is_late) or (state in SCHOOL_TURN and school_late):
            row.overdue += n

    return _rows(db.session.execute(stmt), fill)


def measures_progress(
    schools: ColumnElement[bool], level: str, today: date, *, school_ids: list[int] | None = None
) -> list[Row]:
    """Measures by the state of their report, and those overdue, per row (``school_ids``: as
    in ``documents_by_state``)."""
    key, label = group_columns(level)
    late = case((Measure.deadline < today, 1), else_=0)
    stmt = (
        select(key, label, EvidenceCheck.state, late, func.count())
        .select_from(Measure)
        .join(EvidenceCheck, EvidenceCheck.measure_id == Measure.id)
        .join(School, School.id == Measure.school_id)
    )
    if school_ids is not None:
        stmt = stmt.where(Measure.school_id.in_(school_ids))
    stmt = _scoped(stmt, level, schools).group_by(key, label, EvidenceCheck.state, late)

    def fill(row: Row, state: str, is_late: int, n: int) -> None:
        row.add(state, n)
        if is_late and state in UNREPORTED:
            row.overdue += n

    return _rows(db.session.execute(stmt), fill)


def peer_progress(campaign: Campaign, schools: ColumnElement[bool], now: datetime) -> Row:
    """Peer assignments of the campaign whose reviewed school is counted, by state."""
    open_late = case(
        (
            PeerAssignment.state.in_([s.value for s in OPEN_STATES])
            & (PeerAssignment.due_at < now),
            1,
        ),
        else_=0,
    )
    stmt = (
        select(PeerAssignment.state, open_late, func.count())
        .join(School, School.id == PeerAssignment.reviewed_school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(PeerAssignment.campaign_id == campaign.id, schools)
        .group_by(PeerAssignment.state, open_late)
    )
    row = Row(0, "")
    for state, is_late, n in db.session.execute(stmt):
        row.add(state, n)
        row.overdue += n if is_late else 0
    return row


@dataclass(frozen=True)
class CrossCheckLine:
    campaign_id: int
    title: str
    state: str
    works: int
    checked: int
    third_total: int
    third_done: int


def crosscheck_progress(user: User, schools: ColumnElement[bool], region_id: int | None):
    """The newest cross-check campaigns the user coordinates; works of the counted schools."""
    stmt = select(CrossCheckCampaign.id, CrossCheckCampaign.title, CrossCheckCampaign.state)
    stmt = stmt.where(campaign_scope(user))
    if region_id is not None:
        stmt = stmt.where(CrossCheckCampaign.region_id == region_id)
    campaigns = db.session.execute(
        stmt.order_by(CrossCheckCampaign.id.desc()).limit(CROSSCHECK_CAMPAIGNS_SHOWN)
    ).all()
    ids = [c[0] for c in campaigns]
    if not ids:
        return []

    def per_campaign(stmt) -> dict:
        stmt = stmt.join(School, School.id == CrossCheckWork.school_id).join(
            Municipality, Municipality.id == School.municipality_id
        )
        return dict(
            db.session.execute(stmt.where(schools).group_by(CrossCheckWork.campaign_id)).all()
        )

    works = per_campaign(
        select(CrossCheckWork.campaign_id, func.count()).where(CrossCheckWork.campaign_id.in_(ids))
    )
    sheets = select(CrossCheckWork.campaign_id, func.count(distinct(ScoreSheet.work_id))).join(
        ScoreSheet, ScoreSheet.work_id == CrossCheckWork.id
    )
    sheets = sheets.where(CrossCheckWork.campaign_id.in_(ids))
    submitted = ScoreSheet.state == SheetState.SUBMITTED.value
    checked = per_campaign(sheets.where(ScoreSheet.role == SheetRole.FIRST.value, submitted))
    third = sheets.where(ScoreSheet.role == SheetRole.THIRD.value)
    third_total = per_campaign(third)
    third_done = per_campaign(third.where(submitted))
    return [
        CrossCheckLine(
            cid,
            title,
            state,
            works.get(cid, 0),
            checked.get(cid, 0),
            third_total.get(cid, 0),
            third_done.get(cid, 0),
        )
        for cid, title, state in campaigns
    ]


def roadmap_progress(territory) -> list[Row]:
    """Roadmap items by state for each level: the counted schools', municipalities', regions'."""
    levels = (
        (
            "school",
            Roadmap.school_id.in_(select(School.id).join(Municipality).where(territory.schools)),
        ),
        (
            "municipality",
            Roadmap.municipality_id.in_(select(Municipality.id).where(territory.municipalities)),
        ),
        ("region", Roadmap.region_id.in_(select(Region.id).where(territory.regions))),
    )
    rows = []
    for number, (level, condition) in enumerate(levels):
        stmt = (
            select(RoadmapItem.state, func.count())
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .where(Roadmap.level == level, condition)
            .group_by(RoadmapItem.state)
        )
        row = Row(number, level)
        for state, n in db.session.execute(stmt):
            row.add(state, n)
        rows.append(row)
    return rows


def _watched() -> tuple[type, ...]:
    from webapp.campaigns.models import RegionStageDeadline, Stage

    return (
        Document,
        Measure,
        EvidenceCheck,
        PeerAssignment,
        ScoreSheet,
        CrossCheckWork,
        CrossCheckCampaign,
        Roadmap,
        RoadmapItem,
        School,
        Municipality,
        Region,
        CuratorSchool,
        User,
        Stage,
        RegionStageDeadline,
    )


# A territory's figures scan the scope's documents, measures and roadmap items (the admin's:
# every row): DASHBOARD_CACHE_SECONDS of lag at most, none after a change in this process.
_cache = ScopeCache("dashboards", _watched, "DASHBOARD_CACHE_SECONDS")


def territory_figures(user: User, scope, campaign: Campaign | None, now: datetime) -> dict:
    """Every table of the territory dashboard (plain rows, safe to cache)."""
    key = (scope_key(user), scope.region_id, scope.municipality_id, campaign and campaign.id)
    return _cache.get(key, lambda: _figures(user, scope, campaign, now))


def _figures(user: User, scope, campaign: Campaign | None, now: datetime) -> dict:
    figures: dict = {"documents": [], "curators": [], "peer": None}
    if campaign is not None:
        figures["documents"] = documents_by_state(campaign, scope.schools, scope.level, now)
        if scope.level != "region":
            figures["curators"] = documents_by_state(
                campaign, scope.schools, scope.level, now, by_curator=True
            )
        figures["peer"] = peer_progress(campaign, scope.schools, now)
    figures["measures"] = measures_progress(scope.schools, scope.level, now.date())
    figures["crosscheck"] = crosscheck_progress(user, scope.all_schools, scope.region_id)
    figures["roadmaps"] = roadmap_progress(scope)
    return figures
