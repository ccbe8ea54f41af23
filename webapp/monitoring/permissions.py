"""Who sees a school's measures, who reports and who checks (one place, like auth.permissions)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import can_view_school, curated_school_ids, is_school_member
from webapp.orgs.models import CuratorSchool, School

R = RoleCode


def may_view_measures(user: User, school: School) -> bool:
    """The school, its curator and the coordinators/observers whose scope holds the school."""
    return can_view_school(user, school)


def may_report(user: User, school_id: int) -> bool:
    """Only the school itself enters measures and reports on them."""
    return is_school_member(user, school_id)


def checks_school(user: User, school: School) -> bool:
    """The school's curator or a municipal coordinator of its municipality checks its reports."""
    if user.has_role(R.CURATOR) and school.id in curated_school_ids(user):
        return True
    return any(
        m.role == R.MUNICIPAL_COORDINATOR and m.municipality_id == school.municipality_id
        for m in user.memberships
    )


def checked_schools(user: User) -> ColumnElement[bool]:
    """SQL condition on ``School``: the schools whose reports this user checks."""
    conditions = []
    if user.has_role(R.CURATOR):
        curated = select(CuratorSchool.school_id).where(CuratorSchool.curator_id == user.id)
        conditions.append(School.id.in_(curated))
    for m in user.memberships:
        if m.role == R.MUNICIPAL_COORDINATOR:
            conditions.append(School.municipality_id == m.municipality_id)
    return or_(*conditions) if conditions else false()
