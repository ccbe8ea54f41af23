"""Who may export what (named predicates over the one permission layer).

- Registers: everyone with a school scope (admin, coordinators, observers, curators, schools);
  the rows are cut to that scope by ``school_scope`` and, for roadmaps, by the roadmaps' readers.
- The regional report: the admin for any region, a regional coordinator for its region.
- The PDF conclusion of a document's checklist: whoever holds a role towards the document
  (its school, its curator, a coordinator whose scope holds it); peer readers and observers no.
"""

from __future__ import annotations

from sqlalchemy import or_, select, true

from webapp.auth.models import RoleCode, User
from webapp.auth.permissions import document_roles, school_scope
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School
from webapp.roadmaps.models import Level, Roadmap

R = RoleCode
REGISTER_ROLES = (R.ADMIN, R.REGIONAL_COORDINATOR, R.MUNICIPAL_COORDINATOR, R.OBSERVER,
                  R.CURATOR, R.SCHOOL)  # fmt: skip


def can_export_registers(user: User) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(*REGISTER_ROLES)


def report_regions(user: User) -> list[Region]:
    """The regions whose analytical report the user may build (admin: all)."""
    if not getattr(user, "is_authenticated", False):
        return []
    stmt = select(Region).order_by(Region.name)
    if not user.has_role(R.ADMIN):
        own = [m.region_id for m in user.memberships if m.role == R.REGIONAL_COORDINATOR]
        stmt = stmt.where(Region.id.in_(own))
    return list(db.session.scalars(stmt))


def can_build_regional_report(user: User, region_id: int) -> bool:
    return any(r.id == region_id for r in report_regions(user))


def can_manage_template(user: User) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(R.ADMIN)


def can_download_conclusion(user: User, document) -> bool:
    return getattr(user, "is_authenticated", False) and bool(document_roles(user, document))


def readable_roadmap_ids(user: User):
    """Select of the roadmap ids the user reads (``roadmaps.permissions.can_read_roadmap``)."""
    conditions = [(Roadmap.level == Level.SCHOOL) & Roadmap.school_id.in_(
        select(School.id).where(school_scope(user)))]  # fmt: skip
    for m in user.memberships:
        if m.role == R.ADMIN:
            return select(Roadmap.id).where(true())
        if m.role in (R.REGIONAL_COORDINATOR, R.OBSERVER):
            munis = select(Municipality.id).where(Municipality.region_id == m.region_id)
            conditions.append((Roadmap.level == Level.REGION) & (Roadmap.region_id == m.region_id))
            conditions.append(
                (Roadmap.level == Level.MUNICIPALITY) & Roadmap.municipality_id.in_(munis)
            )
        elif m.role == R.MUNICIPAL_COORDINATOR:
            conditions.append(
                (Roadmap.level == Level.MUNICIPALITY)
                & (Roadmap.municipality_id == m.municipality_id)
            )
    return select(Roadmap.id).where(or_(*conditions))
