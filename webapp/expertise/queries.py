"""Read side of the mutual expertise screens: who may see what, and rows (columns, no machines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import (
    COORDINATOR_ROLES,
    can_view_school,
    document_roles,
    is_curator_of,
    peer_reviews_document,
    school_scope,
)
from webapp.campaigns.models import DocumentType
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.expertise.models import PeerAnswer, PeerAssignment
from webapp.expertise.workflow import stage_of
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School
from workflows.document import DocumentState
from workflows.peer_assignment import PeerState

S = PeerState


# -- who ------------------------------------------------------------------------------------


def reviewer_school_ids(user: User) -> list[int]:
    """The schools the user acts for as a reviewing school (a school is the reviewing unit)."""
    return sorted({m.school_id for m in user.memberships if m.role == RoleCode.SCHOOL})


def can_follow(user: User) -> bool:
    """Coordinators and the admin follow the stage (the overview and its export)."""
    return user.has_role(*COORDINATOR_ROLES)


def is_admin(user: User) -> bool:
    return user.has_role(RoleCode.ADMIN)


def follow_scope(user: User) -> ColumnElement[bool]:
    """Assignments a coordinator follows: the reviewed *or* the reviewing school is in scope."""
    if is_admin(user):
        return true()
    coordinator = [m for m in user.memberships if m.role in COORDINATOR_ROLES]
    if not coordinator:
        return PeerAssignment.id.is_(None)
    return _either_school_in(select(School.id).where(school_scope(user)))


def _region_filter(region_id: int | None) -> ColumnElement[bool]:
    if not region_id:
        return true()
    in_region = (
        select(School.id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(Municipality.region_id == region_id)
    )
    return _either_school_in(in_region)


def _either_school_in(schools: Select) -> ColumnElement[bool]:
    """The reviewed or the reviewing school is one of ``schools``.

    The ids are read first (a region's schools: tens to a thousand): with ``= ANY(ids)`` the
    planner sees how few rows match and reads them through the school indexes (a BitmapOr);
    with two ``IN (subquery)`` tests joined by OR it can only filter every assignment of the
    campaign (12,900 rows at 3,000 schools: 12 ms for a region's overview, see
    docs/benchmarks.md).
    """
    ids = list(db.session.scalars(schools))
    return or_(
        PeerAssignment.reviewed_school_id.in_(ids),
        PeerAssignment.reviewer_school_id.in_(ids),
    )


def is_reviewer(user: User, assignment: PeerAssignment) -> bool:
    return assignment.reviewer_school_id in reviewer_school_ids(user)


def assignment_or_404(user: User, assignment_id: int) -> PeerAssignment:
    """The assignment if the user's school holds it, or a coordinator follows it; 404 otherwise."""
    stmt = (
        select(PeerAssignment)
        .where(PeerAssignment.id == assignment_id)
        .options(
            joinedload(PeerAssignment.document),
            joinedload(PeerAssignment.reviewed_school)
            .joinedload(School.municipality)
            .joinedload(Municipality.region),
            selectinload(PeerAssignment.history),
        )
    )
    assignment = db.session.scalars(stmt).first()
    if assignment is None:
        abort(404)
    if is_reviewer(user, assignment):
        return assignment
    if can_follow(user):
        followed = select(PeerAssignment.id).where(
            PeerAssignment.id == assignment_id, follow_scope(user)
        )
        if db.session.scalar(followed) is not None:
            return assignment
    abort(404)


def peer_only(user: User, document: Document) -> bool:
    """The user sees the document only as its peer reviewer (reduced, read-only page)."""
    return not can_view_school(user, document.school) and peer_reviews_document(user, document)


# -- the reviewing school's cabinet ---------------------------------------------------------

Reviewed = aliased(School)
Reviewer = aliased(School)
ReviewedMuni = aliased(Municipality)
ReviewerMuni = aliased(Municipality)
ReviewedRegion = aliased(Region)
ReviewerRegion = aliased(Region)


@dataclass(frozen=True)
class CabinetRow:
    id: int
    state: str
    title: str
    type_name: str
    reviewed_school: str
    region: str
    due_at: datetime | None
    attempt: int

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < utcnow() and self.state in OPEN


OPEN = (S.ASSIGNED.value, S.ACCEPTED.value)
CABINET_GROUPS = (
    ("waiting", (S.ASSIGNED.value,)),
    ("working", (S.ACCEPTED.value,)),
    ("finished", (S.SUBMITTED.value, S.DECLINED.value, S.EXPIRED.value, S.CANCELLED.value)),
)


def cabinet_rows(school_ids: list[int], campaign_id: int) -> dict[str, list[CabinetRow]]:
    """The assignments the schools hold as reviewer in the campaign, grouped by state."""
    stmt = (
        select(
            PeerAssignment.id,
            PeerAssignment._state,
            Document.title,
            DocumentType.name,
            Reviewed.short_name,
            ReviewedRegion.name,
            PeerAssignment.due_at,
            PeerAssignment.attempt,
        )
        .join(Document, Document.id == PeerAssignment.document_id)
        .join(DocumentType, DocumentType.id == Document.document_type_id)
        .join(Reviewed, Reviewed.id == PeerAssignment.reviewed_school_id)
        .join(ReviewedMuni, ReviewedMuni.id == Reviewed.municipality_id)
        .join(ReviewedRegion, ReviewedRegion.id == ReviewedMuni.region_id)
        .where(
            PeerAssignment.reviewer_school_id.in_(school_ids),
            PeerAssignment.campaign_id == campaign_id,
        )
        .order_by(PeerAssignment.due_at.asc().nulls_last(), PeerAssignment.id)
    )
    rows = [CabinetRow(*r) for r in db.session.execute(stmt)]
    return {name: [r for r in rows if r.state in states] for name, states in CABINET_GROUPS}


# -- the document page: conclusions and the close-stage form ---------------------------------


@dataclass
class PeerPanel:
    conclusions: list[PeerAssignment]
    assignments: list[PeerAssignment]
    reveal: bool
    may_close: bool


def peer_panel(user: User, document: Document) -> PeerPanel | None:
    """What the document page shows of its peer stage to its school, curator or coordinator."""
    curator = is_curator_of(user, document.school_id)
    school_side = not curator and not _coordinates(user, document)
    if school_side and document.state in (DocumentState.PEER_REVIEW,):
        return None  # the school sees the conclusions once the stage is over
    assignments = _assignments_of(document.id)
    may_close = curator and document.state == DocumentState.PEER_REVIEW
    if not assignments and not may_close:
        return None
    submitted = [a for a in assignments if a.state == S.SUBMITTED]
    reveal = not school_side or stage_of(document.campaign_id).reveal_reviewer
    return PeerPanel(
        conclusions=submitted,
        assignments=[] if school_side else assignments,
        reveal=reveal,
        may_close=may_close,
    )


def _coordinates(user: User, document: Document) -> bool:
    return "coordinator" in document_roles(user, document)


def _assignments_of(document_id: int) -> list[PeerAssignment]:
    stmt = (
        select(PeerAssignment)
        .where(PeerAssignment.document_id == document_id)
        .options(
            joinedload(PeerAssignment.reviewer_school)
            .joinedload(School.municipality)
            .joinedload(Municipality.region),
            selectinload(PeerAssignment.answers).joinedload(PeerAnswer.criterion),
        )
        .order_by(PeerAssignment.id)
    )
    return list(db.session.scalars(stmt))


# -- following the stage --------------------------------------------------------------------


@dataclass(frozen=True)
class Flags:
    """SQL expressions over one assignment row, with thresholds from the stage settings."""

    overdue: ColumnElement[bool]
    silent: ColumnElement[bool]
    replaced: ColumnElement[bool]
    attention: ColumnElement[bool]


def flags(campaign_id: int, now: datetime | None = None) -> Flags:
    """Overdue: open past its due date. Silent: no answer past half its time, or expired."""
    now = now or utcnow()
    stage = stage_of(campaign_id)
    state = PeerAssignment._state
    overdue = and_(state.in_(OPEN), PeerAssignment.due_at < now)
    answered = select(PeerAnswer.assignment_id)
    silent = or_(
        and_(
            state == S.ASSIGNED.value,
            PeerAssignment.due_at <= now + timedelta(days=stage.accept_days / 2),
        ),
        and_(
            state == S.ACCEPTED.value,
            PeerAssignment.due_at <= now + timedelta(days=stage.review_days / 2),
            PeerAssignment.conclusion == "",
            PeerAssignment.id.not_in(answered),
        ),
        state == S.EXPIRED.value,
    )
    successors = select(PeerAssignment.replaces_id).where(PeerAssignment.replaces_id.is_not(None))
    replaced = PeerAssignment.id.in_(successors)
    attention = or_(
        overdue,
        silent,
        replaced,
        state.in_((S.DECLINED.value, S.EXPIRED.value)),
        PeerAssignment.attempt > 1,
    )
    return Flags(overdue, silent, replaced, attention)


@dataclass(frozen=True)
class RegionRow:
    region_id: int
    region: str
    counts: dict[str, int]
    overdue: int
    silent: int
    replaced: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _base(user: User, campaign_id: int, region_id: int | None) -> list[ColumnElement[bool]]:
    return [
        PeerAssignment.campaign_id == campaign_id,
        follow_scope(user),
        _region_filter(region_id),
    ]


def region_summary(
    user: User, campaign_id: int, region_id: int | None, f: Flags | None = None
) -> list[RegionRow]:
    """Assignments per region of the reviewing school: by state, overdue, silent, replaced."""
    f = f or flags(campaign_id)

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    stmt = (
        select(
            ReviewerRegion.id,
            ReviewerRegion.name,
            *(count_if(PeerAssignment._state == s.value) for s in S),
            count_if(f.overdue),
            count_if(f.silent),
            count_if(f.replaced),
        )
        .join(Reviewer, Reviewer.id == PeerAssignment.reviewer_school_id)
        .join(ReviewerMuni, ReviewerMuni.id == Reviewer.municipality_id)
        .join(ReviewerRegion, ReviewerRegion.id == ReviewerMuni.region_id)
        .where(*_base(user, campaign_id, region_id))
        .group_by(ReviewerRegion.id, ReviewerRegion.name)
        .order_by(ReviewerRegion.name)
    )
    states = [s.value for s in S]
    result = []
    for row in db.session.execute(stmt):
        counts = dict(zip(states, (int(v or 0) for v in row[2 : 2 + len(states)]), strict=True))
        overdue, silent, replaced = (int(v or 0) for v in row[2 + len(states) :])
        result.append(RegionRow(row[0], row[1], counts, overdue, silent, replaced))
    return result


@dataclass(frozen=True)
class FollowRow:
    id: int
    state: str
    title: str
    type_name: str
    reviewed_school: str
    reviewed_region: str
    reviewer_school: str
    reviewer_region: str
    attempt: int
    due_at: datetime | None
    accepted_at: datetime | None
    finished_at: datetime | None
    overdue: bool
    silent: bool
    replaced: bool


def _rows_stmt(user: User, campaign_id: int, region_id: int | None, f: Flags) -> Select:
    return (
        select(
            PeerAssignment.id,
            PeerAssignment._state,
            Document.title,
            DocumentType.name,
            Reviewed.short_name,
            ReviewedRegion.name,
            Reviewer.short_name,
            ReviewerRegion.name,
            PeerAssignment.attempt,
            PeerAssignment.due_at,
            PeerAssignment.accepted_at,
            PeerAssignment.finished_at,
            f.overdue,
            f.silent,
            f.replaced,
        )
        .join(Document, Document.id == PeerAssignment.document_id)
        .join(DocumentType, DocumentType.id == Document.document_type_id)
        .join(Reviewed, Reviewed.id == PeerAssignment.reviewed_school_id)
        .join(ReviewedMuni, ReviewedMuni.id == Reviewed.municipality_id)
        .join(ReviewedRegion, ReviewedRegion.id == ReviewedMuni.region_id)
        .join(Reviewer, Reviewer.id == PeerAssignment.reviewer_school_id)
        .join(ReviewerMuni, ReviewerMuni.id == Reviewer.municipality_id)
        .join(ReviewerRegion, ReviewerRegion.id == ReviewerMuni.region_id)
        .where(*_base(user, campaign_id, region_id))
    )


def attention_rows(
    user: User, campaign_id: int, region_id: int | None, f: Flags | None = None, limit: int = 200
) -> list[FollowRow]:
    """Overdue, silent, declined, expired and replaced assignments (and the replacements)."""
    f = f or flags(campaign_id)
    stmt = (
        _rows_stmt(user, campaign_id, region_id, f)
        .where(f.attention)
        .order_by(PeerAssignment.due_at.asc().nulls_last(), PeerAssignment.id)
        .limit(limit)
    )
    return [_follow_row(r) for r in db.session.execute(stmt)]


def all_rows(user: User, campaign_id: int, region_id: int | None):
    """Every assignment in scope, for the export (streamed in chunks)."""
    stmt = _rows_stmt(user, campaign_id, region_id, flags(campaign_id)).order_by(PeerAssignment.id)
    for row in db.session.execute(stmt.execution_options(yield_per=1000)):
        yield _follow_row(row)


def _follow_row(row) -> FollowRow:
    values = list(row)
    values[-3:] = [bool(v) for v in values[-3:]]
    return FollowRow(*values)


def regions_for_filter() -> list[tuple[int, str]]:
    stmt = select(Region.id, Region.name).order_by(Region.name)
    return [(rid, name) for rid, name in db.session.execute(stmt)]
