"""Who reads and who edits a roadmap (plain facts, scoped by role and organisation).

Edits: the school its own; the municipal coordinator its municipality's; the regional coordinator
its region's; the admin any. Reads: the editors, plus everyone whose scope holds the owner
(coordinators above it, the curators of a school, the observers of the region).
"""

from __future__ import annotations

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import can_view_school
from webapp.roadmaps.models import Level, Roadmap

R = RoleCode


def _region_of(roadmap: Roadmap) -> int:
    if roadmap.level == Level.REGION:
        return roadmap.region_id
    if roadmap.level == Level.MUNICIPALITY:
        return roadmap.municipality.region_id
    return roadmap.school.municipality.region_id


def can_edit_roadmap(user: User, roadmap: Roadmap) -> bool:
    for m in user.memberships:
        if m.role == R.ADMIN:
            return True
        owns = (
            (
                m.role == R.SCHOOL
                and roadmap.level == Level.SCHOOL
                and m.school_id == roadmap.school_id
            )
            or (
                m.role == R.MUNICIPAL_COORDINATOR
                and roadmap.level == Level.MUNICIPALITY
                and m.municipality_id == roadmap.municipality_id
            )
            or (
                m.role == R.REGIONAL_COORDINATOR
                and roadmap.level == Level.REGION
                and m.region_id == roadmap.region_id
            )
        )
        if owns:
            return True
    return False


def can_read_roadmap(user: User, roadmap: Roadmap) -> bool:
    if can_edit_roadmap(user, roadmap):
        return True
    if roadmap.level == Level.SCHOOL:
        return can_view_school(user, roadmap.school)
    region_id = _region_of(roadmap)
    for m in user.memberships:
        if m.role in (R.REGIONAL_COORDINATOR, R.OBSERVER) and m.region_id == region_id:
            return True
    return False


def own_levels(user: User) -> list[tuple[str, int, str]]:
    """The roadmaps this user may create: (level, owner id, owner name)."""
    from webapp.extensions import db
    from webapp.orgs.models import Municipality, Region, School

    owners = []
    for m in user.memberships:
        if m.role == R.SCHOOL and m.school_id:
            owners.append(
                (Level.SCHOOL.value, m.school_id, db.session.get(School, m.school_id).short_name)
            )
        elif m.role == R.MUNICIPAL_COORDINATOR and m.municipality_id:
            muni = db.session.get(Municipality, m.municipality_id)
            owners.append((Level.MUNICIPALITY.value, muni.id, muni.name))
        elif m.role == R.REGIONAL_COORDINATOR and m.region_id:
            region = db.session.get(Region, m.region_id)
            owners.append((Level.REGION.value, region.id, region.name))
    return owners
