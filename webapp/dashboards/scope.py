"""Which schools, municipalities and regions a dashboard counts, and at which level it groups.

Every figure of a dashboard is counted under ``Territory.schools`` (an SQL condition on
``School`` joined to ``Municipality``): the user's own scope from the permission layer, narrowed
by the drill-down filter. A filter outside the user's scope is refused (the view answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import school_scope
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School

R = RoleCode
TERRITORY_ROLES = (R.ADMIN, R.REGIONAL_COORDINATOR, R.MUNICIPAL_COORDINATOR, R.OBSERVER)


class OutOfScope(Exception):
    """A filter names a region or municipality the user does not see."""


@dataclass(frozen=True)
class Territory:
    region_id: int | None
    municipality_id: int | None
    level: str  # "region" | "municipality" | "school": what one row of the tables is
    schools: ColumnElement[bool]  # the project's (500+) schools: documents, measures, peers
    all_schools: ColumnElement[bool]  # every school of the scope: ВПР cross-check works
    municipalities: ColumnElement[bool]  # on Municipality: the municipal roadmaps counted
    regions: ColumnElement[bool]  # on Region: the regional roadmaps counted


def can_see_territory(user: User) -> bool:
    return user.has_role(*TERRITORY_ROLES)


def _region_scope(user: User) -> ColumnElement[bool]:
    conditions = []
    for m in user.memberships:
        if m.role == R.ADMIN:
            return true()
        if m.role in (R.REGIONAL_COORDINATOR, R.OBSERVER):
            conditions.append(Region.id == m.region_id)
    return or_(*conditions) if conditions else false()


def _municipality_scope(user: User) -> ColumnElement[bool]:
    conditions = []
    for m in user.memberships:
        if m.role == R.ADMIN:
            return true()
        if m.role in (R.REGIONAL_COORDINATOR, R.OBSERVER):
            conditions.append(Municipality.region_id == m.region_id)
        elif m.role == R.MUNICIPAL_COORDINATOR:
            conditions.append(Municipality.id == m.municipality_id)
    return or_(*conditions) if conditions else false()


def visible_regions(user: User) -> list[tuple[int, str]]:
    stmt = select(Region.id, Region.name).where(_region_scope(user)).order_by(Region.name)
    return [(rid, name) for rid, name in db.session.execute(stmt)]


def visible_municipalities(user: User, region_id: int | None) -> list[tuple[int, str]]:
    stmt = select(Municipality.id, Municipality.name).where(_municipality_scope(user))
    if region_id is not None:
        stmt = stmt.where(Municipality.region_id == region_id)
    return [(mid, name) for mid, name in db.session.execute(stmt.order_by(Municipality.name))]


def _default_level(user: User) -> str:
    roles = {m.role for m in user.memberships if m.role in TERRITORY_ROLES}
    if R.ADMIN in roles:
        return "region"
    if roles == {R.MUNICIPAL_COORDINATOR}:
        return "school"
    return "municipality"


def territory_for(user: User, region_id: int | None, municipality_id: int | None) -> Territory:
    """The user's scope narrowed by the filter; ``OutOfScope`` for a filter it may not use."""
    if municipality_id is not None:
        muni = db.session.get(Municipality, municipality_id)
        allowed = dict(visible_municipalities(user, region_id))
        if muni is None or municipality_id not in allowed:
            raise OutOfScope
        region_id = muni.region_id
    elif region_id is not None and region_id not in dict(visible_regions(user)):
        raise OutOfScope
    schools = [school_scope(user)]
    municipalities = [_municipality_scope(user)]
    regions = [_region_scope(user)]
    level = _default_level(user)
    if region_id is not None:
        schools.append(Municipality.region_id == region_id)
        municipalities.append(Municipality.region_id == region_id)
        regions.append(Region.id == region_id)
        level = "municipality" if level == "region" else level
    if municipality_id is not None:
        schools.append(School.municipality_id == municipality_id)
        municipalities.append(Municipality.id == municipality_id)
        regions = [false()]
        level = "school"
    return Territory(
        region_id,
        municipality_id,
        level,
        and_(*schools, School.is_500plus),
        and_(*schools),
        and_(*municipalities),
        and_(*regions),
    )
