"""Builders for the mutual expertise tests: a peer-stage type, a peer checklist, a pairing."""

from __future__ import annotations

from sqlalchemy import select

from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, complete_checklist, fire, user
from webapp.campaigns.models import DocumentType
from webapp.campaigns.services import current_campaign
from webapp.demo import peer
from webapp.documents.models import Document
from webapp.expertise import services
from webapp.expertise.models import Pairing, PeerAssignment
from webapp.extensions import db
from webapp.orgs.models import School

REVIEWED = "08-UMC"  # Kalmykia
REVIEWER = "56-D01"  # Orenburg
ALTERNATES = ["14-D01", "22-D01", "56-D02"]
REVIEWER_USER = "school.56-d01@ekspertiza.local"


def school_id(code: str) -> int:
    return db.session.scalar(select(School.id).where(School.code == code))


def concept_of(code: str) -> Document:
    concept = db.session.scalar(select(DocumentType).where(DocumentType.code == "concept"))
    return db.session.scalar(
        select(Document).where(
            Document.school_id == school_id(code), Document.document_type_id == concept.id
        )
    )


def enable_peer_stage() -> None:
    """The demo's peer stage: concept and programme with peer checklists, six schools advanced."""
    peer.enable("demo-pass")
    db.session.commit()


def accept_concept() -> Document:
    """Upload, submit, review and accept 08-UMC's concept (it waits for its peer stage)."""
    document = concept_of(REVIEWED)
    bring_to_review(document)
    complete_checklist(document, CURATOR)
    return fire(document, "accept", CURATOR)


def make_pairing(pairs: list[tuple[str, str]], alternates: list[str] = ALTERNATES) -> Pairing:
    campaign = current_campaign()
    preview = {
        "pairs": [{"reviewer": school_id(a), "reviewed": school_id(b)} for a, b in pairs],
        "alternates": {str(school_id(REVIEWED)): [school_id(c) for c in alternates]},
    }
    pairing = Pairing(campaign_id=campaign.id, k=1, no_reciprocal=True, preview=preview)
    db.session.add(pairing)
    db.session.flush()
    return pairing


def confirm(pairing: Pairing, pairs: list[tuple[str, str]]) -> list[PeerAssignment]:
    created = services.create_assignments(pairing, [(school_id(a), school_id(b)) for a, b in pairs])
    db.session.commit()
    return created


def assignment_of(document: Document, reviewer_code: str) -> PeerAssignment:
    return db.session.scalar(
        select(PeerAssignment).where(
            PeerAssignment.document_id == document.id,
            PeerAssignment.reviewer_school_id == school_id(reviewer_code),
        )
    )


def act(assignment_id: int, trigger: str, email: str, comment: str = "") -> PeerAssignment:
    result = services.fire(assignment_id, trigger, actor=user(email), comment=comment)
    db.session.commit()
    return result


def fill_conclusion(assignment: PeerAssignment, text: str = "Концепция годится") -> None:
    answers = [(c.id, "met", "") for c in assignment.template.criteria]
    services.save_conclusion(assignment, answers, text)
    db.session.commit()


__all__ = ["CURATOR", "SCHOOL"]
