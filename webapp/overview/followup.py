"""Follow-up for coordinators and curators: due dates, overdue documents, done shares, silent
schools (read model: columns only, scoped by the permission layer).

Due date of a document *(decision)*: while the school has to act (draft, withdrawn, returned for
revision) it is the last day of the campaign's ``documents`` stage; while the curator has to act
(submitted, in review) it is the document's own ``due_at`` (submission + the type's review days);
otherwise there is none. Done = approved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, func, select

from webapp.auth.models import User
from webapp.auth.permissions import school_scope
from webapp.campaigns.models import Campaign
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Municipality, School
from workflows.document import AWAITING_CURATOR, EDITABLE_STATES, DocumentState

DONE = DocumentState.APPROVED.value
SCHOOL_TURN = frozenset(s.value for s in EDITABLE_STATES)
CURATOR_TURN = frozenset(s.value for s in AWAITING_CURATOR)


@dataclass(frozen=True)
class DueRow:
    document_id: int
    school_id: int
    school: str
    municipality: str
    title: str
    state: str
    due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class Share:
    name: str
    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class SchoolStatus:
    school_id: int
    school: str
    municipality: str
    documents: int
    submitted: int
    done: int

    @property
    def nothing_submitted(self) -> bool:
        return self.submitted == 0


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def documents_deadline(campaign: Campaign, region_id: int | None = None) -> datetime | None:
    """End of the last day of the documents stage in a region (its own deadline if set)."""
    stage = next((s for s in campaign.stages if s.code == "documents"), None)
    return end_of_day(stage.ends_on_for(region_id)) if stage else None


def due_of(
    state: str, due_at: datetime | None, school_deadline: datetime | None
) -> datetime | None:
    if state in SCHOOL_TURN:
        return school_deadline
    if state in CURATOR_TURN:
        return due_at
    return None


def _scoped(user: User, campaign_id: int):
    return and_(Document.campaign_id == campaign_id, school_scope(user), School.is_500plus)


def due_rows(user: User, campaign: Campaign, *, overdue_only: bool = False) -> list[DueRow]:
    """Every document of the scope with its due date, oldest due first."""
    now = utcnow()
    deadlines: dict[int, datetime | None] = {}
    stmt = (
        select(
            Municipality.region_id,
            Document.id,
            School.id,
            School.short_name,
            Municipality.name,
            Document.title,
            Document.state,
            Document.due_at,
        )
        .join(School, School.id == Document.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(_scoped(user, campaign.id))
        .order_by(Municipality.name, School.short_name, Document.id)
    )
    rows = []
    for region_id, doc_id, school_id, school, muni, title, state, due_at in db.session.execute(
        stmt
    ):
        if region_id not in deadlines:
            deadlines[region_id] = documents_deadline(campaign, region_id)
        due = due_of(state, due_at, deadlines[region_id])
        overdue = due is not None and due < now
        if overdue or not overdue_only:
            rows.append(DueRow(doc_id, school_id, school, muni, title, state, due, overdue))
    rows.sort(key=lambda r: (r.due is None, r.due or now))
    return rows


def shares_by_municipality(user: User, campaign: Campaign) -> list[Share]:
    stmt = (
        select(Municipality.name, func.count(Document.id), _done_count())
        .join(School, School.id == Document.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(_scoped(user, campaign.id))
        .group_by(Municipality.id, Municipality.name)
        .order_by(Municipality.name)
    )
    return [Share(name, total, done or 0) for name, total, done in db.session.execute(stmt)]


def shares_by_curator(user: User, campaign: Campaign) -> list[Share]:
    stmt = (
        select(User.full_name, func.count(Document.id), _done_count())
        .join(School, School.id == Document.school_id)
        .join(CuratorSchool, CuratorSchool.school_id == School.id)
        .join(User, User.id == CuratorSchool.curator_id)
        .where(_scoped(user, campaign.id))
        .group_by(User.id, User.full_name)
        .order_by(User.full_name)
    )
    return [Share(name, total, done or 0) for name, total, done in db.session.execute(stmt)]


def _done_count():
    return func.sum(db.case((Document.state == DONE, 1), else_=0))


def school_statuses(campaign_id: int, school_condition) -> list[SchoolStatus]:
    """Per school: documents, submitted at least once, done (schools without documents too)."""
    counts: dict[int, tuple[int, int, int]] = defaultdict(lambda: (0, 0, 0))
    stmt = (
        select(
            Document.school_id,
            func.count(Document.id),
            func.count(Document.submitted_at),
            _done_count(),
        )
        .join(School, School.id == Document.school_id)
        .where(Document.campaign_id == campaign_id, school_condition)
        .group_by(Document.school_id)
    )
    for school_id, total, submitted, done in db.session.execute(stmt):
        counts[school_id] = (total, submitted, done or 0)
    schools = db.session.execute(
        select(School.id, School.short_name, Municipality.name)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(school_condition)
        .order_by(Municipality.name, School.short_name)
    )
    return [SchoolStatus(sid, name, muni, *counts[sid]) for sid, name, muni in schools]


def silent_schools(user: User, campaign: Campaign) -> list[SchoolStatus]:
    """Schools of the scope that have not submitted anything in the campaign."""
    condition = and_(school_scope(user), School.is_500plus)
    return [s for s in school_statuses(campaign.id, condition) if s.nothing_submitted]


def curated_statuses(curator_id: int, campaign_id: int) -> list[SchoolStatus]:
    """Every school the curator curates, including those with nothing submitted."""
    curated = select(CuratorSchool.school_id).where(CuratorSchool.curator_id == curator_id)
    return school_statuses(campaign_id, School.id.in_(curated))
