"""Read models of the set-up screens (columns, scoped by the actor)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.setup.permissions import (
    assigns_curators_in,
    is_admin,
    managed_user_condition,
    region_ids,
)

PAGE_SIZE = 100


def users_in_scope(actor: User, *, q: str = "", role: str = "", page: int = 1) -> list[User]:
    stmt = select(User).where(managed_user_condition(actor)).options(selectinload(User.memberships))
    if q:
        needle = f"%{q.strip().lower()[:100]}%"
        stmt = stmt.where(
            or_(func.lower(User.email).like(needle), func.lower(User.full_name).like(needle))
        )
    if role:
        stmt = stmt.where(User.id.in_(select(Membership.user_id).where(Membership.role == role)))
    stmt = stmt.order_by(User.email).limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    return list(db.session.scalars(stmt))


def regions_in_scope(actor: User) -> list[Region]:
    stmt = select(Region).order_by(Region.code)
    if not is_admin(actor):
        ids = {m.region_id for m in actor.memberships if m.role == RoleCode.REGIONAL_COORDINATOR}
        stmt = stmt.where(Region.id.in_(ids))
    return list(db.session.scalars(stmt))


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def municipalities_in_scope(actor: User) -> list[tuple[int, str]]:
    stmt = (
        select(Municipality.id, Region.name, Municipality.name)
        .join(Region, Region.id == Municipality.region_id)
        .order_by(Region.code, Municipality.name)
    )
    if not is_admin(actor):
        regions = {
            m.region_id for m in actor.memberships if m.role == RoleCode.REGIONAL_COORDINATOR
        }
        munis = {
            m.municipality_id for m in actor.memberships if m.role == RoleCode.MUNICIPAL_COORDINATOR
        }
        stmt = stmt.where(or_(Municipality.region_id.in_(regions), Municipality.id.in_(munis)))
    return [(mid, f"{region} — {name}") for mid, region, name in db.session.execute(stmt)]


def school_by_code(code: str) -> School | None:
    return db.session.scalars(select(School).where(School.code == code.strip())).first()


def schools_for_curators(actor: User, region_id: int | None = None) -> list[School]:
    stmt = (
        select(School)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(assigns_curators_in(actor), School.is_500plus)
        .order_by(Municipality.region_id, Municipality.name, School.short_name)
        .limit(1000)
    )
    if region_id:
        stmt = stmt.where(Municipality.region_id == region_id)
    return list(db.session.scalars(stmt))


def curator_links(school_ids: list[int]) -> dict[int, list[tuple[CuratorSchool, User]]]:
    links: dict[int, list[tuple[CuratorSchool, User]]] = defaultdict(list)
    if not school_ids:
        return links
    stmt = (
        select(CuratorSchool, User)
        .join(User, User.id == CuratorSchool.curator_id)
        .where(CuratorSchool.school_id.in_(school_ids))
        .order_by(User.full_name)
    )
    for link, user in db.session.execute(stmt):
        links[link.school_id].append((link, user))
    return links


def eligible_curators(actor: User) -> dict[int | None, list[User]]:
    """Active curators by the region their role is held in (admin: every curator)."""
    stmt = (
        select(User, Membership.region_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == RoleCode.CURATOR, User.active.is_(True))
        .order_by(User.full_name)
    )
    regions = region_ids(actor)
    if regions is not None:
        stmt = stmt.where(Membership.region_id.in_(regions))
    result: dict[int | None, list[User]] = defaultdict(list)
    for user, region in db.session.execute(stmt):
        result[region].append(user)
    return result
