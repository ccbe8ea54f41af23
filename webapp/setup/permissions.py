"""Who may set up what: granting roles, managing users, assigning curators, the calendar.

A role may be granted only at or below the granter's own and inside its scope:

| granter | may grant | where |
|---|---|---|
| admin | every role | everywhere |
| regional coordinator | regional/municipal coord., curator, school, expert, observer | region |
| municipal coordinator | municipal coordinator, school, expert | its municipality |

Curators are held in a region (the regional coordinator assigns them to schools).

Nobody else grants anything. A user is *managed* (listed, deactivated) by whoever could have
granted every one of its roles; a user with a role outside the actor's reach is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.orgs.models import Municipality, School

R = RoleCode
SETUP_ROLES = (R.ADMIN, R.REGIONAL_COORDINATOR, R.MUNICIPAL_COORDINATOR)
REGIONAL_GRANTS = frozenset(
    {R.REGIONAL_COORDINATOR, R.MUNICIPAL_COORDINATOR, R.CURATOR, R.SCHOOL, R.EXPERT, R.OBSERVER}
)
MUNICIPAL_GRANTS = frozenset({R.MUNICIPAL_COORDINATOR, R.SCHOOL, R.EXPERT})
# The scope column each role is held in (the org import's rule: school staff and experts by school).
AREA_OF_ROLE = {
    R.ADMIN: None,
    R.REGIONAL_COORDINATOR: "region",
    R.OBSERVER: "region",
    R.CURATOR: "region",
    R.MUNICIPAL_COORDINATOR: "municipality",
    R.SCHOOL: "school",
    R.EXPERT: "school",
}


@dataclass(frozen=True)
class Grant:
    """A role in a scope (the membership's columns) and the area that scope lies in."""

    role: str
    region_id: int | None = None
    municipality_id: int | None = None
    school_id: int | None = None
    in_region: int | None = None
    in_municipality: int | None = None


def grant_in(
    role: str,
    region_id: int | None = None,
    municipality_id: int | None = None,
    school_id: int | None = None,
) -> Grant:
    """The grant with its area read from the database (unknown places give no area)."""
    in_region, in_municipality = region_id, municipality_id
    if school_id is not None:
        school = db.session.get(School, school_id)
        in_municipality = school.municipality_id if school else None
    if in_municipality is not None:
        municipality = db.session.get(Municipality, in_municipality)
        in_region = municipality.region_id if municipality else None
    return Grant(role, region_id, municipality_id, school_id, in_region, in_municipality)


def can_set_up(user: User) -> bool:
    return user.has_role(*SETUP_ROLES)


def is_admin(user: User) -> bool:
    return user.has_role(R.ADMIN)


def can_grant(actor: User, grant: Grant) -> bool:
    """May ``actor`` give this role in this scope?"""
    return any(_membership_grants(m, grant) for m in actor.memberships)


def _membership_grants(m: Membership, grant: Grant) -> bool:
    if m.role == R.ADMIN:
        return True
    if m.role == R.REGIONAL_COORDINATOR:
        return grant.role in REGIONAL_GRANTS and grant.in_region == m.region_id
    if m.role == R.MUNICIPAL_COORDINATOR:
        return grant.role in MUNICIPAL_GRANTS and grant.in_municipality == m.municipality_id
    return False


def grant_of(m: Membership) -> Grant:
    return grant_in(m.role, m.region_id, m.municipality_id, m.school_id)


def can_manage_user(actor: User, user: User) -> bool:
    """The actor could have granted every role the user holds (and it is not the actor)."""
    return can_manage(actor, user.id, [grant_of(m) for m in user.memberships])


def can_manage(actor: User, user_id: int, grants: list[Grant]) -> bool:
    """Nobody manages itself; a user without roles only the admin; else every grant in reach."""
    if actor.id == user_id:
        return False
    if not grants:
        return is_admin(actor)
    return all(can_grant(actor, grant) for grant in grants)


def grantable_roles(actor: User) -> list[str]:
    roles: set[str] = set()
    for m in actor.memberships:
        if m.role == R.ADMIN:
            return [r.value for r in RoleCode]
        if m.role == R.REGIONAL_COORDINATOR:
            roles |= REGIONAL_GRANTS
        elif m.role == R.MUNICIPAL_COORDINATOR:
            roles |= MUNICIPAL_GRANTS
    return [r.value for r in RoleCode if r in roles]


def region_ids(actor: User) -> set[int] | None:
    """Regions the actor coordinates (None = all, the admin)."""
    if is_admin(actor):
        return None
    return {m.region_id for m in actor.memberships if m.role == R.REGIONAL_COORDINATOR}


def assigns_curators_in(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``School``: the schools whose curators the actor assigns."""
    if is_admin(actor):
        return true()
    regions = region_ids(actor) or set()
    if not regions:
        return false()
    munis = select(Municipality.id).where(Municipality.region_id.in_(regions))
    return School.municipality_id.in_(munis)


def can_assign_curator(actor: User, school: School, curator: User) -> bool:
    """Admin anywhere; a regional coordinator: a school of its region, a curator held there."""
    if not curator.active or not curator.has_role(R.CURATOR):
        return False
    if is_admin(actor):
        return True
    region = school.municipality.region_id
    return region in (region_ids(actor) or set()) and curator_in_region(curator, region)


def curator_in_region(curator: User, region_id: int) -> bool:
    return any(m.role == R.CURATOR and m.region_id == region_id for m in curator.memberships)


def managed_user_condition(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``User`` preselecting users with a role in the actor's area (list page)."""
    if is_admin(actor):
        return true()
    area = []
    for m in actor.memberships:
        if m.role == R.REGIONAL_COORDINATOR:
            munis = select(Municipality.id).where(Municipality.region_id == m.region_id)
            schools = select(School.id).where(School.municipality_id.in_(munis))
            area.append(
                or_(
                    Membership.region_id == m.region_id,
                    Membership.municipality_id.in_(munis),
                    Membership.school_id.in_(schools),
                )
            )
        elif m.role == R.MUNICIPAL_COORDINATOR:
            schools = select(School.id).where(School.municipality_id == m.municipality_id)
            area.append(
                or_(
                    Membership.municipality_id == m.municipality_id,
                    Membership.school_id.in_(schools),
                )
            )
    if not area:
        return false()
    return User.id.in_(select(Membership.user_id).where(or_(*area)))
