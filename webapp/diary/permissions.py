"""Who may read and write the curator's diary (schools and observers never see it)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import _coordinates, is_curator_of
from webapp.diary.models import DiaryEntry
from webapp.orgs.models import CuratorSchool, Municipality, School

R = RoleCode


def can_read_diary(user: User, school: School) -> bool:
    """The school's curators and the coordinators whose scope holds the school."""
    return is_curator_of(user, school.id) or _coordinates(user, school)


def can_write_diary(user: User, school: School) -> bool:
    """Only a curator of the school writes entries."""
    return is_curator_of(user, school.id)


def can_open_diary(user: User) -> bool:
    """The diary list is for curators and coordinators."""
    return user.has_role(R.CURATOR, R.ADMIN, R.REGIONAL_COORDINATOR, R.MUNICIPAL_COORDINATOR)


def diary_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``DiaryEntry`` (joined with ``School``) for the entries the user reads."""
    conditions = []
    for m in user.memberships:
        if m.role == R.ADMIN:
            return true()
        if m.role == R.REGIONAL_COORDINATOR:
            munis = select(Municipality.id).where(Municipality.region_id == m.region_id)
            conditions.append(School.municipality_id.in_(munis))
        elif m.role == R.MUNICIPAL_COORDINATOR:
            conditions.append(School.municipality_id == m.municipality_id)
        elif m.role == R.CURATOR:
            curated = select(CuratorSchool.school_id).where(CuratorSchool.curator_id == user.id)
            conditions.append(DiaryEntry.school_id.in_(curated))
    return or_(*conditions) if conditions else false()
