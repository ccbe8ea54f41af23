"""Replacement reviewers for declined and expired peer assignments."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.common.time import utcnow
from webapp.expertise.models import Pairing, PeerAssignment
from webapp.expertise.services import (
    FAILED_STATES,
    closing_asked,
    new_assignment,
    open_assignment,
)
from webapp.expertise.workflow import stage_of
from webapp.extensions import db
from webapp.orgs.models import Municipality, School
from workflows.document import DocumentState
from workflows.peer_assignment import OPEN_STATES, PeerState


def replace(old_id: int) -> PeerAssignment | None:
    """A replacement reviewer for a declined or expired assignment, or a request to close."""
    old = db.session.get(PeerAssignment, old_id)
    document = old.document
    if document.state not in _STILL_NEEDS_REVIEWERS:
        return None
    stage = stage_of(old.campaign_id)
    if old.attempt > stage.max_replacements:
        closing_asked.send(old)
        return None
    reviewer = next_reviewer(old)
    if reviewer is None:
        closing_asked.send(old)
        return None
    pairing = db.session.get(Pairing, old.pairing_id)
    new = new_assignment(pairing, document, reviewer, attempt=old.attempt + 1, replaces=old)
    db.session.flush()
    if document.state == DocumentState.PEER_REVIEW:
        open_assignment(new, utcnow())
    return new


_STILL_NEEDS_REVIEWERS = frozenset(
    {
        DocumentState.PEER_REVIEW,
        DocumentState.DRAFT,
        DocumentState.SUBMITTED,
        DocumentState.CURATOR_REVIEW,
        DocumentState.REVISION_REQUESTED,
        DocumentState.CURATOR_ACCEPTED,
        DocumentState.WITHDRAWN,
    }
)


def next_reviewer(old: PeerAssignment) -> int | None:
    """The valid replacement with the lightest load; the engine's ranking breaks ties.

    Valid: another region than the reviewed school and than the document's other reviewers,
    never a school already asked for this document, no reciprocal pair with the reviewed school
    (when the stage forbids them), no pair from an earlier campaign.
    """
    pairing = db.session.get(Pairing, old.pairing_id)
    preview = pairing.preview or {}
    ranked = [int(s) for s in preview.get("alternates", {}).get(str(old.reviewed_school_id), [])]
    everyone = sorted({int(p["reviewer"]) for p in preview.get("pairs", [])})
    candidates = list(dict.fromkeys(ranked + everyone))
    banned = _banned_reviewers(old, pairing.no_reciprocal)
    live = _live_reviewers(old.document_id)
    regions = _regions([*candidates, old.reviewed_school_id, *live])
    taken_regions = {regions[old.reviewed_school_id]} | {regions[s] for s in live}
    valid = [s for s in candidates if s not in banned and regions.get(s) not in taken_regions]
    if not valid:
        return None
    loads = _open_loads(old.campaign_id)
    rank = {s: i for i, s in enumerate(candidates)}
    return min(valid, key=lambda s: (loads.get(s, 0), rank[s]))


def _live_reviewers(document_id: int) -> list[int]:
    stmt = select(PeerAssignment.reviewer_school_id).where(
        PeerAssignment.document_id == document_id,
        PeerAssignment.state.not_in([s.value for s in FAILED_STATES]),
    )
    return list(db.session.scalars(stmt))


def _banned_reviewers(old: PeerAssignment, no_reciprocal: bool) -> set[int]:
    asked = select(PeerAssignment.reviewer_school_id).where(
        PeerAssignment.document_id == old.document_id
    )
    banned = set(db.session.scalars(asked)) | {old.reviewed_school_id}
    history = select(PeerAssignment.reviewer_school_id).where(
        PeerAssignment.reviewed_school_id == old.reviewed_school_id,
        PeerAssignment.campaign_id != old.campaign_id,
        PeerAssignment.state == PeerState.SUBMITTED,
    )
    banned |= set(db.session.scalars(history))
    if no_reciprocal:
        reviewed_by_them = select(PeerAssignment.reviewed_school_id).where(
            PeerAssignment.reviewer_school_id == old.reviewed_school_id,
            PeerAssignment.campaign_id == old.campaign_id,
            PeerAssignment.state.not_in([s.value for s in FAILED_STATES]),
        )
        banned |= set(db.session.scalars(reviewed_by_them))
    return banned


def _regions(school_ids: list[int]) -> dict[int, int]:
    stmt = (
        select(School.id, Municipality.region_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(School.id.in_(set(school_ids)))
    )
    return dict(db.session.execute(stmt).all())


def _open_loads(campaign_id: int) -> dict[int, int]:
    stmt = (
        select(PeerAssignment.reviewer_school_id, func.count())
        .where(
            PeerAssignment.campaign_id == campaign_id,
            PeerAssignment.state.in_([s.value for s in OPEN_STATES]),
        )
        .group_by(PeerAssignment.reviewer_school_id)
    )
    return dict(db.session.execute(stmt).all())
