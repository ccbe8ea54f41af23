"""The demo's mutual expertise: peer-stage types, peer checklists, documents accepted already."""

from __future__ import annotations

import io

from sqlalchemy import select

from webapp.auth.models import User
from webapp.campaigns.models import ChecklistKind, ChecklistTemplate, Criterion, DocumentType
from webapp.campaigns.services import current_campaign
from webapp.demo import data
from webapp.documents import services as documents
from webapp.documents.models import Document
from webapp.expertise.workflow import stage_of
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, School
from webapp.reviews import services as reviews
from workflows.document import DocumentTrigger as T

PDF_TEMPLATE = (
    "%PDF-1.4\n1 0 obj<< /Type /Catalog /Title ({title}) >>endobj\n"
    "trailer<< /Root 1 0 R >>\n%%EOF\n"
)


def enable(password: str) -> None:
    """Turn the peer stage on for the demo's peer types and advance the chosen schools."""
    campaign = current_campaign()
    stage_of(campaign.id)
    types = list(
        db.session.scalars(select(DocumentType).where(DocumentType.code.in_(data.PEER_TYPES)))
    )
    for doc_type in types:
        campaign.setting_for(doc_type.id).needs_peer_review = True
        template = ChecklistTemplate(
            document_type_id=doc_type.id, kind=ChecklistKind.PEER, version=1
        )
        template.criteria = [
            Criterion(position=i, text=t)
            for i, t in enumerate(data.PEER_CHECKLISTS[doc_type.code], start=1)
        ]
        db.session.add(template)
    db.session.flush()
    for code in data.ADVANCED_SCHOOLS:
        _accept_peer_documents(code, {t.id for t in types})


def _accept_peer_documents(code: str, type_ids: set[int]) -> None:
    school = db.session.scalar(select(School).where(School.code == code))
    staff = db.session.scalar(
        select(User).where(User.email == f"school.{code.lower()}@ekspertiza.local")
    )
    curator = db.session.scalar(
        select(User)
        .join(CuratorSchool, CuratorSchool.curator_id == User.id)
        .where(CuratorSchool.school_id == school.id)
    )
    stmt = select(Document).where(
        Document.school_id == school.id, Document.document_type_id.in_(type_ids)
    )
    for document in db.session.scalars(stmt).all():
        pdf = PDF_TEMPLATE.format(title=f"{code} {document.id}").encode()
        documents.add_version(document.id, io.BytesIO(pdf), f"{document.title}.pdf", actor=staff)
        documents.apply_transition(document.id, T.SUBMIT, actor=staff)
        documents.apply_transition(document.id, T.START_REVIEW, actor=curator)
        review, _ = reviews.open_review(document, curator)
        reviews.save_answers(review, {c.id: ("met", "") for c in review.template.criteria})
        documents.apply_transition(document.id, T.ACCEPT, actor=curator)
