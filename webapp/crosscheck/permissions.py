"""Who may see and run a cross-check campaign (the permission layer of issue 9).

A campaign belongs to a region and, when a municipal coordinator created it, to one municipality.
Its coordinators: the admin; the regional coordinator of its region (municipal campaigns of the
region included); the municipal coordinator of its municipality (never a region-wide campaign).
Everybody else gets 404. A school of the campaign's territory may add its own experts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from webapp.auth.models import RoleCode, User
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.extensions import db
from webapp.orgs.models import Municipality, School

R = RoleCode


def coordinates_campaign(user: User | None, campaign: CrossCheckCampaign) -> bool:
    if user is None:
        return False
    for m in user.memberships:
        if m.role == R.ADMIN:
            return True
        if m.role == R.REGIONAL_COORDINATOR and m.region_id == campaign.region_id:
            return True
        if (
            m.role == R.MUNICIPAL_COORDINATOR
            and campaign.municipality_id is not None
            and m.municipality_id == campaign.municipality_id
        ):
            return True
    return False


def campaign_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``CrossCheckCampaign`` selecting the campaigns the user coordinates."""
    conditions = []
    for m in user.memberships:
        if m.role == R.ADMIN:
            return true()
        if m.role == R.REGIONAL_COORDINATOR:
            conditions.append(CrossCheckCampaign.region_id == m.region_id)
        elif m.role == R.MUNICIPAL_COORDINATOR:
            conditions.append(CrossCheckCampaign.municipality_id == m.municipality_id)
    return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class Territory:
    """Where a new campaign may be created: a region, or one municipality of it."""

    region_id: int
    municipality_id: int | None
    label: str


def creation_territories(user: User) -> list[Territory]:
    """The territories a user may create campaigns for (the admin: every region)."""
    from webapp.orgs.models import Region

    out: list[Territory] = []
    if user.has_role(R.ADMIN):
        for region in db.session.scalars(select(Region).order_by(Region.name)):
            out.append(Territory(region.id, None, region.name))
        return out
    for m in user.memberships:
        if m.role == R.REGIONAL_COORDINATOR and m.region_id is not None:
            region = db.session.get(Region, m.region_id)
            out.append(Territory(region.id, None, region.name))
        elif m.role == R.MUNICIPAL_COORDINATOR and m.municipality_id is not None:
            muni = db.session.get(Municipality, m.municipality_id)
            out.append(Territory(muni.region_id, muni.id, f"{muni.name} ({muni.region.name})"))
    return out


def may_create(user: User, region_id: int, municipality_id: int | None) -> bool:
    return any(
        t.region_id == region_id and t.municipality_id == municipality_id
        for t in creation_territories(user)
    )


def territory_schools(campaign: CrossCheckCampaign) -> ColumnElement[bool]:
    """SQL condition on ``School``: the schools of the campaign's territory."""
    if campaign.municipality_id is not None:
        return School.municipality_id == campaign.municipality_id
    munis = select(Municipality.id).where(Municipality.region_id == campaign.region_id)
    return School.municipality_id.in_(munis)


def member_school_ids(user: User | None, campaign: CrossCheckCampaign) -> list[int]:
    """The schools of the campaign's territory the user is a member of."""
    if user is None:
        return []
    ids = [m.school_id for m in user.memberships if m.role == R.SCHOOL and m.school_id]
    if not ids:
        return []
    stmt = select(School.id).where(and_(School.id.in_(ids), territory_schools(campaign)))
    return list(db.session.scalars(stmt.order_by(School.id)))


def is_campaign_school(user: User | None, campaign: CrossCheckCampaign) -> bool:
    return bool(member_school_ids(user, campaign))
