"""Who sees which peer assignment (the API's scope; screens may reuse it).

A school sees the assignments it holds as reviewer; the curator of the reviewed school sees
its schools' assignments (read-only); a regional or municipal coordinator those whose reviewed
or reviewing school is in the scope; the admin all. Everyone else: nothing (404).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import is_school_member
from webapp.expertise.models import PeerAssignment
from webapp.orgs.models import CuratorSchool, Municipality, School

R = RoleCode
PA = PeerAssignment


def assignment_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``PeerAssignment`` selecting the assignments the user may see."""
    conditions = []
    for m in user.memberships:
        if m.role == R.ADMIN:
            return true()
        if m.role == R.REGIONAL_COORDINATOR:
            conditions.append(_either_in(_region_schools(m.region_id)))
        elif m.role == R.MUNICIPAL_COORDINATOR:
            schools = select(School.id).where(School.municipality_id == m.municipality_id)
            conditions.append(_either_in(schools))
        elif m.role == R.SCHOOL:
            conditions.append(PA.reviewer_school_id == m.school_id)
        elif m.role == R.CURATOR:
            curated = select(CuratorSchool.school_id).where(CuratorSchool.curator_id == user.id)
            conditions.append(PA.reviewed_school_id.in_(curated))
    return or_(*conditions) if conditions else false()


def _region_schools(region_id: int):
    munis = select(Municipality.id).where(Municipality.region_id == region_id)
    return select(School.id).where(School.municipality_id.in_(munis))


def _either_in(school_ids) -> ColumnElement[bool]:
    return or_(PA.reviewed_school_id.in_(school_ids), PA.reviewer_school_id.in_(school_ids))


def can_act_on_assignment(user: User, assignment: PeerAssignment) -> bool:
    """Accept, decline, fill and submit: any member of the reviewing school."""
    return is_school_member(user, assignment.reviewer_school_id)


def can_pair(user: User) -> bool:
    """Pairings (start, preview, swap, confirm) are the admin's."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(R.ADMIN)
