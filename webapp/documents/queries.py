"""Read-side queries for document screens (columns, not machines)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.auth.models import User
from webapp.auth.permissions import can_view_document
from webapp.campaigns.services import warm_campaign_cache
from webapp.documents.models import Document, DocumentVersion
from webapp.extensions import db
from webapp.orgs.models import Municipality, School
from workflows.document import DocumentTrigger


def document_or_404(user: User, document_id: int) -> Document:
    """The document if the user may see it; 404 otherwise (existence is not revealed)."""
    stmt = (
        select(Document)
        .where(Document.id == document_id)
        .options(
            # The region too: the access check, the page and the school's zone read it.
            joinedload(Document.school)
            .joinedload(School.municipality)
            .joinedload(Municipality.region),
            selectinload(Document.versions),
            selectinload(Document.history),
        )
    )
    document = db.session.scalars(stmt).first()
    if document is None or not can_view_document(user, document):
        abort(404)
    warm_campaign_cache()  # the page reads document.campaign (stages, settings)
    return document


def version_or_404(document: Document, number: int) -> DocumentVersion:
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


def school_documents(school_id: int, campaign_id: int) -> list[Document]:
    stmt = (
        select(Document)
        .where(Document.school_id == school_id, Document.campaign_id == campaign_id)
        .options(joinedload(Document.risk_factor))
        .order_by(Document.document_type_id, Document.risk_factor_id, Document.id)
    )
    return list(db.session.scalars(stmt))


def last_remark(document: Document) -> str:
    """The latest revision request comment, if the school still has to answer it."""
    for log in reversed(document.history):
        if log.event == DocumentTrigger.REQUEST_REVISION:
            return log.comment
    return ""
