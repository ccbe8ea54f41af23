"""The one permission layer: every object access is scoped by role and organisation."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import ColumnElement, false, or_, select, true

from webapp.auth.models import RoleCode, User
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Municipality, School
from workflows.document import Role
from workflows.peer_assignment import PeerState

R = RoleCode
COORDINATOR_ROLES = {R.ADMIN, R.REGIONAL_COORDINATOR, R.MUNICIPAL_COORDINATOR}
OVERVIEW_ROLES = COORDINATOR_ROLES | {R.OBSERVER}


def curated_school_ids(user: User) -> frozenset[int]:
    """Ids of the schools this user curates (cached for the request)."""
    key = f"_curated_{user.id}"
    if has_request_context() and hasattr(g, key):
        return getattr(g, key)
    rows = db.session.scalars(
        select(CuratorSchool.school_id).where(CuratorSchool.curator_id == user.id)
    )
    ids = frozenset(rows)
    if has_request_context():
        setattr(g, key, ids)
    return ids


def school_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``School`` selecting the schools the user may see."""
    conditions = []
    for m in user.memberships:
        if m.role == R.ADMIN:
            return true()
        if m.role in (R.REGIONAL_COORDINATOR, R.OBSERVER):
            munis = select(Municipality.id).where(Municipality.region_id == m.region_id)
            conditions.append(School.municipality_id.in_(munis))
        elif m.role == R.MUNICIPAL_COORDINATOR:
            conditions.append(School.municipality_id == m.municipality_id)
        elif m.role == R.SCHOOL:
            conditions.append(School.id == m.school_id)
        elif m.role == R.CURATOR:
            curated = select(CuratorSchool.school_id).where(CuratorSchool.curator_id == user.id)
            conditions.append(School.id.in_(curated))
    return or_(*conditions) if conditions else false()


def _coordinates(user: User, school: School) -> bool:
    for m in user.memberships:
        if m.role == R.ADMIN:
            return True
        if m.role == R.REGIONAL_COORDINATOR and m.region_id == school.municipality.region_id:
            return True
        if m.role == R.MUNICIPAL_COORDINATOR and m.municipality_id == school.municipality_id:
            return True
    return False


def _observes(user: User, school: School) -> bool:
    return any(
        m.role == R.OBSERVER and m.region_id == school.municipality.region_id
        for m in user.memberships
    )


def is_school_member(user: User, school_id: int) -> bool:
    return any(m.role == R.SCHOOL and m.school_id == school_id for m in user.memberships)


def is_curator_of(user: User, school_id: int) -> bool:
    return user.has_role(R.CURATOR) and school_id in curated_school_ids(user)


def can_view_school(user: User, school: School) -> bool:
    return (
        is_school_member(user, school.id)
        or is_curator_of(user, school.id)
        or _coordinates(user, school)
        or _observes(user, school)
    )


def document_roles(user: User, document) -> frozenset[str]:
    """The workflow roles the user holds towards one document."""
    roles = set()
    if is_school_member(user, document.school_id):
        roles.add(Role.SCHOOL.value)
    if is_curator_of(user, document.school_id):
        roles.add(Role.CURATOR.value)
    if _coordinates(user, document.school):
        roles.add(Role.COORDINATOR.value)
    return frozenset(roles)


def peer_reviews_document(user: User, document) -> bool:
    """A member of a school whose peer assignment for this document is accepted (read-only)."""
    school_ids = [m.school_id for m in user.memberships if m.role == R.SCHOOL]
    if not school_ids:
        return False
    stmt = select(PeerAssignment.id).where(
        PeerAssignment.document_id == document.id,
        PeerAssignment.reviewer_school_id.in_(school_ids),
        PeerAssignment.state == PeerState.ACCEPTED,
    )
    return db.session.scalars(stmt.limit(1)).first() is not None


def can_view_document(user: User, document) -> bool:
    return can_view_school(user, document.school) or peer_reviews_document(user, document)


def can_upload(user: User, document) -> bool:
    return is_school_member(user, document.school_id)


def can_review(user: User, document) -> bool:
    return is_curator_of(user, document.school_id)


def can_see_overview(user: User) -> bool:
    return user.has_role(*OVERVIEW_ROLES)


def can_see_queue(user: User) -> bool:
    return user.has_role(R.CURATOR)
