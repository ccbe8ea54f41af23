"""JSON shapes of the API."""

from __future__ import annotations

from webapp.auth.models import User
from webapp.documents.models import Document
from webapp.documents.services import available_triggers


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def document_summary(document: Document) -> dict:
    return {
        "id": document.id,
        "school_id": document.school_id,
        "campaign_id": document.campaign_id,
        "type": document.document_type.code,
        "risk_factor_id": document.risk_factor_id,
        "title": document.title,
        "state": document.state,
        "lock_version": document.lock_version,
        "latest_version": document.latest_version_number,
        "submitted_at": _iso(document.submitted_at),
        "due_at": _iso(document.due_at),
    }


def document_detail(document: Document, user: User) -> dict:
    return {
        **document_summary(document),
        "available_triggers": available_triggers(user, document),
        "versions": [
            {
                "number": v.number,
                "original_name": v.original_name,
                "size": v.size,
                "sha256": v.sha256,
                "mime": v.mime,
                "uploaded_by": v.uploaded_by_name,
                "uploaded_at": _iso(v.uploaded_at),
            }
            for v in document.versions
        ],
        "history": [
            {
                "event": h.event,
                "from": h.from_state,
                "to": h.to_state,
                "actor": h.actor_name,
                "actor_id": h.actor_id,
                "at": _iso(h.at),
                "comment": h.comment,
                "version": h.version_number,
            }
            for h in document.history
        ],
    }
