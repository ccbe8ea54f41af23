"""The figures of a region's year-end analytical report, as a plain dict for the Word template.

Sections follow the Kalmykia report: participants, curators' work (diary), documents by state,
mutual expertise, monitoring of positive changes, roadmaps with the removed items and reasons.
Every figure is one grouped SQL query over the region's schools, so a region of 300 schools
costs a handful of queries, not one per school.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.campaigns.models import Campaign, DocumentType
from webapp.common.time import zone
from webapp.diary.models import DiaryEntry, DiaryFormat
from webapp.documents.models import Document
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, EvidenceFile, Measure
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.roadmaps.models import Level, Roadmap, RoadmapItem, RoadmapItemLog
from workflows.document import STATE_LABELS as DOCUMENT_STATES
from workflows.document import DocumentState
from workflows.evidence_check import EvidenceState
from workflows.peer_assignment import PeerState
from workflows.roadmap_item import ItemState

# The roadmaps' owners, loaded with them (``owner_name`` would otherwise load one per roadmap).
OWNERS = (
    selectinload(Roadmap.school),
    selectinload(Roadmap.municipality),
    selectinload(Roadmap.region),
)
SETTLEMENTS = {"urban": "городская", "rural": "сельская"}
REVIEW_STATES = {DocumentState.SUBMITTED, DocumentState.CURATOR_REVIEW}


def _date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def region_schools(region_id: int):
    """Select of the ids of the region's schools."""
    munis = select(Municipality.id).where(Municipality.region_id == region_id)
    return select(School.id).where(School.municipality_id.in_(munis))


def build_context(region_id: int, campaign_id: int | None, *, today: date, progress=None) -> dict:
    """Every figure the template shows, for one region and campaign."""
    region = db.session.get(Region, region_id)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    schools = region_schools(region_id)
    sections = [
        ("participants", lambda: participants(region_id)),
        ("curators", lambda: curators(schools)),
        ("documents", lambda: documents(schools, campaign_id)),
        ("peer", lambda: peer(schools, campaign_id)),
        ("monitoring", lambda: monitoring(schools)),
        ("roadmap", lambda: roadmaps(region_id, schools, zone(region.time_zone))),
    ]
    context = {
        "region": {"id": region.id, "code": region.code, "name": region.name},
        "campaign": {"name": campaign.name if campaign else "", "year": campaign and campaign.year},
        "generated_on": _date(today),
    }
    for done, (key, section) in enumerate(sections, start=1):
        context[key] = section()
        if progress:
            progress("load", 0.05 + 0.8 * done / len(sections))
    return context


def participants(region_id: int) -> dict:
    rows = db.session.execute(
        select(School.id, School.name, Municipality.name, School.settlement, School.pupils)
        .join(Municipality, School.municipality_id == Municipality.id)
        .where(Municipality.region_id == region_id, School.is_500plus)
        .order_by(Municipality.name, School.name)
    ).all()
    names = _curator_names([r[0] for r in rows])
    low = db.session.scalar(
        select(func.count(School.id)).where(
            School.id.in_(region_schools(region_id)), School.is_low_results
        )
    )
    return {
        "schools_500plus": len(rows),
        "schools_low": low,
        "municipalities": len({r[2] for r in rows}),
        "pupils": sum(r[4] for r in rows),
        "rows": [
            {
                "name": name,
                "municipality": muni,
                "settlement": SETTLEMENTS.get(settlement, settlement),
                "pupils": pupils,
                "curators": ", ".join(names.get(school_id, [])) or "—",
            }
            for school_id, name, muni, settlement, pupils in rows
        ],
    }


def _curator_names(school_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    stmt = (
        select(CuratorSchool.school_id, User.full_name)
        .join(User, User.id == CuratorSchool.curator_id)
        .where(CuratorSchool.school_id.in_(school_ids))
        .order_by(User.full_name)
    )
    for school_id, name in db.session.execute(stmt):
        names.setdefault(school_id, []).append(name)
    return names


def curators(schools) -> dict:
    links = db.session.execute(
        select(User.id, User.full_name, func.count(CuratorSchool.school_id))
        .join(CuratorSchool, CuratorSchool.curator_id == User.id)
        .where(CuratorSchool.school_id.in_(schools))
        .group_by(User.id, User.full_name)
        .order_by(User.full_name)
    ).all()
    diary = db.session.execute(
        select(
            DiaryEntry.curator_id,
            DiaryEntry.format,
            func.count(DiaryEntry.id),
            func.max(DiaryEntry.held_on),
        )
        .where(DiaryEntry.school_id.in_(schools))
        .group_by(DiaryEntry.curator_id, DiaryEntry.format)
    ).all()
    by_format: Counter = Counter()
    per_curator: dict[int, dict] = {}
    for curator_id, fmt, count, last in diary:
        by_format[fmt] += count
        row = per_curator.setdefault(curator_id, {"entries": 0, "visits": 0, "last": None})
        row["entries"] += count
        row["visits"] += count if fmt == DiaryFormat.VISIT else 0
        row["last"] = max(filter(None, [row["last"], last]), default=None)
    return {
        "count": len(links),
        "entries": sum(by_format.values()),
        "visits": by_format[DiaryFormat.VISIT],
        "online": by_format[DiaryFormat.ONLINE],
        "phone": by_format[DiaryFormat.PHONE],
        "rows": [
            {
                "name": name,
                "schools": count,
                "entries": per_curator.get(user_id, {}).get("entries", 0),
                "visits": per_curator.get(user_id, {}).get("visits", 0),
                "last": _date(per_curator.get(user_id, {}).get("last")),
            }
            for user_id, name, count in links
        ],
    }


def documents(schools, campaign_id: int | None) -> dict:
    rows = db.session.execute(
        select(DocumentType.name, DocumentType.position, Document.state, func.count(Document.id))
        .join(DocumentType, DocumentType.id == Document.document_type_id)
        .where(Document.school_id.in_(schools), Document.campaign_id == campaign_id)
        .group_by(DocumentType.name, DocumentType.position, Document.state)
        .order_by(DocumentType.position)
    ).all()
    states: Counter = Counter()
    types: dict[str, dict] = {}
    for type_name, _position, state, count in rows:
        states[state] += count
        t = types.setdefault(
            type_name, {"name": type_name, "total": 0, "approved": 0, "review": 0, "revision": 0}
        )
        t["total"] += count
        t["approved"] += count if state == DocumentState.APPROVED else 0
        t["review"] += count if state in REVIEW_STATES else 0
        t["revision"] += count if state == DocumentState.REVISION_REQUESTED else 0
    return {
        "total": sum(states.values()),
        "approved": states[DocumentState.APPROVED],
        "revision": states[DocumentState.REVISION_REQUESTED],
        "by_state": [
            {"label": label, "count": states[state]}
            for state, label in DOCUMENT_STATES.items()
            if states[state]
        ],
        "by_type": list(types.values()),
    }


def peer(schools, campaign_id: int | None) -> dict:
    def counts(column) -> Counter:
        stmt = (
            select(PeerAssignment.state, func.count(PeerAssignment.id))
            .where(column.in_(schools), PeerAssignment.campaign_id == campaign_id)
            .group_by(PeerAssignment.state)
        )
        return Counter(dict(db.session.execute(stmt).all()))

    received = counts(PeerAssignment.reviewed_school_id)
    given = counts(PeerAssignment.reviewer_school_id)
    return {
        "received_total": sum(received.values()),
        "received_submitted": received[PeerState.SUBMITTED],
        "received_declined": received[PeerState.DECLINED],
        "received_expired": received[PeerState.EXPIRED],
        "given_total": sum(given.values()),
        "given_submitted": given[PeerState.SUBMITTED],
    }


def monitoring(schools) -> dict:
    states = Counter(
        dict(
            db.session.execute(
                select(EvidenceCheck.state, func.count(EvidenceCheck.id))
                .join(Measure, Measure.id == EvidenceCheck.measure_id)
                .where(Measure.school_id.in_(schools))
                .group_by(EvidenceCheck.state)
            ).all()
        )
    )
    target_met = db.session.scalar(
        select(func.count(EvidenceCheck.id))
        .join(Measure, Measure.id == EvidenceCheck.measure_id)
        .where(
            Measure.school_id.in_(schools),
            EvidenceCheck.state == EvidenceState.ACCEPTED,
            EvidenceCheck.actual_value >= Measure.target_value,
        )
    )
    files = db.session.scalar(
        select(func.count(EvidenceFile.id))
        .join(EvidenceCheck, EvidenceCheck.id == EvidenceFile.check_id)
        .join(Measure, Measure.id == EvidenceCheck.measure_id)
        .where(Measure.school_id.in_(schools))
    )
    return {
        "measures": sum(states.values()),
        "accepted": states[EvidenceState.ACCEPTED],
        "returned": states[EvidenceState.RETURNED],
        "submitted": states[EvidenceState.SUBMITTED],
        "not_done": states[EvidenceState.NOT_DONE],
        "draft": states[EvidenceState.DRAFT],
        "target_met": target_met,
        "files": files,
    }


def region_roadmaps(region_id: int, schools):
    """Select of the ids of the roadmaps of the region, its municipalities and its schools."""
    munis = select(Municipality.id).where(Municipality.region_id == region_id)
    return select(Roadmap.id).where(
        or_(
            (Roadmap.level == Level.REGION) & (Roadmap.region_id == region_id),
            (Roadmap.level == Level.MUNICIPALITY) & Roadmap.municipality_id.in_(munis),
            (Roadmap.level == Level.SCHOOL) & Roadmap.school_id.in_(schools),
        )
    )


def roadmaps(region_id: int, schools, tz) -> dict:
    ids = region_roadmaps(region_id, schools)
    states = Counter(
        dict(
            db.session.execute(
                select(RoadmapItem.state, func.count(RoadmapItem.id))
                .where(RoadmapItem.roadmap_id.in_(ids))
                .group_by(RoadmapItem.state)
            ).all()
        )
    )
    removed = db.session.execute(
        select(
            Roadmap,
            RoadmapItem.event,
            RoadmapItemLog.comment,
            RoadmapItemLog.actor_name,
            RoadmapItemLog.at,
        )
        .join(RoadmapItem, RoadmapItem.id == RoadmapItemLog.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(RoadmapItem.roadmap_id.in_(ids), RoadmapItemLog.event == "remove")
        .order_by(RoadmapItemLog.at, RoadmapItemLog.id)
        .options(*OWNERS)
    ).all()
    return {
        "roadmaps": db.session.scalar(select(func.count()).select_from(ids.subquery())),
        "total": sum(n for s, n in states.items() if s != ItemState.NEW),
        "done": states[ItemState.DONE],
        "open": states[ItemState.PLANNED] + states[ItemState.IN_PROGRESS],
        "removed": states[ItemState.REMOVED],
        "removed_rows": [
            {
                "owner": rm.owner_name,
                "event": event,
                "reason": reason,
                "actor": actor,
                "on": _date(at.astimezone(tz).date()),
            }
            for rm, event, reason, actor, at in removed
        ],
    }
