"""The coordinator's overview: schools × document types, by state."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.auth.permissions import school_scope
from webapp.campaigns.models import DocumentType
from webapp.common.cache import ScopeCache
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import Municipality, School

# 50 schools × 10 documents is about 95 KB of HTML per page (100 made 187 KB); see docs/load.md.
PAGE_SIZE = 50


def _watched() -> tuple[type, ...]:
    from webapp.orgs.models import CuratorSchool, Region

    return (Document, School, Municipality, Region, CuratorSchool, User)


# Counts over a whole scope (every school of a region, or of the country) cost a scan of the
# campaign's documents; the overview shows them on every page. OVERVIEW_CACHE_SECONDS of lag at
# most, and none after a change in this process.
_scope_cache = ScopeCache("overview", _watched, "OVERVIEW_CACHE_SECONDS")


def scope_key(user: User) -> tuple:
    """What the user's school scope depends on (a curator's scope also on the user)."""
    roles = tuple(
        sorted(
            (m.role, m.region_id or 0, m.municipality_id or 0, m.school_id or 0)
            for m in user.memberships
        )
    )
    return (roles, user.id) if any(r[0] == "curator" for r in roles) else (roles,)


@dataclass
class OverviewRow:
    school_id: int
    school: str
    municipality: str
    cells: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Overview:
    types: list[DocumentType]
    rows: list[OverviewRow]
    counts: dict[str, int]
    total_schools: int
    page: int
    pages: int


def _school_filter(user: User, municipality_id: int | None, state: str | None, campaign_id: int):
    conditions = [school_scope(user), School.is_500plus]
    if municipality_id:
        conditions.append(School.municipality_id == municipality_id)
    if state:
        has_state = select(Document.school_id).where(
            Document.campaign_id == campaign_id, Document.state == state
        )
        conditions.append(School.id.in_(has_state))
    return conditions


def build_overview(
    user: User,
    campaign_id: int,
    *,
    municipality_id: int | None = None,
    state: str | None = None,
    page: int = 1,
) -> Overview:
    """One page of the grid plus state counts over the whole filtered scope."""
    conditions = _school_filter(user, municipality_id, state, campaign_id)
    key = ("totals", scope_key(user), campaign_id, municipality_id, state)
    total, counts = _scope_cache.get(key, lambda: _totals(conditions, campaign_id))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    schools = db.session.execute(
        select(School.id, School.short_name, Municipality.name)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(*conditions)
        .order_by(Municipality.name, School.short_name)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    rows = {sid: OverviewRow(sid, name, muni) for sid, name, muni in schools}
    for doc_id, school_id, type_id, doc_state in db.session.execute(
        select(Document.id, Document.school_id, Document.document_type_id, Document.state)
        .where(Document.campaign_id == campaign_id, Document.school_id.in_(list(rows)))
        .order_by(Document.id)
    ):
        rows[school_id].cells[type_id].append((doc_id, doc_state))
    types = list(db.session.scalars(select(DocumentType).order_by(DocumentType.position)))
    return Overview(types, list(rows.values()), counts, total, page, pages)


def _totals(conditions, campaign_id: int) -> tuple[int, dict[str, int]]:
    """Schools in the filtered scope and its documents by state."""
    total = db.session.scalar(select(func.count(School.id)).where(*conditions)) or 0
    counts = dict(
        db.session.execute(
            select(Document.state, func.count(Document.id))
            .join(School, School.id == Document.school_id)
            .where(Document.campaign_id == campaign_id, *conditions)
            .group_by(Document.state)
        ).all()
    )
    return total, counts


def municipalities_in_scope(user: User) -> list[tuple[int, str]]:
    return _scope_cache.get(("municipalities", scope_key(user)), lambda: _municipalities(user))


def _municipalities(user: User) -> list[tuple[int, str]]:
    stmt = (
        select(Municipality.id, Municipality.name)
        .join(School, School.municipality_id == Municipality.id)
        .where(school_scope(user))
        .distinct()
        .order_by(Municipality.name)
    )
    return [(mid, name) for mid, name in db.session.execute(stmt)]
