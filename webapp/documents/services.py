"""Document services: the one choke point for state changes and new versions."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from webapp.auth.models import User
from webapp.auth.permissions import can_upload
from webapp.common.time import utcnow
from webapp.documents.models import Document, DocumentVersion
from webapp.documents.uploads import StoredFile, resolve_stored, store_upload
from webapp.documents.workflow import DOCUMENTS
from webapp.extensions import db
from webapp.workflow import service as workflow
from workflows.document import EDITABLE_STATES, STATE_LABELS, DocumentState
from workflows.machine import StateConflict, WorkflowError

__all__ = ["StateConflict", "add_version", "apply_transition", "available_triggers"]


def load_for_update(document_id: int) -> Document | None:
    """Load a document locked for this transaction (row lock on PostgreSQL)."""
    return workflow.lock(DOCUMENTS, document_id)


def apply_transition(
    document_id: int,
    trigger: str,
    *,
    actor: User | None,
    comment: str = "",
    expected_version: int | None = None,
    system: bool = False,
) -> Document:
    """Fire ``trigger`` through the shared workflow layer and flush; the caller commits."""
    return workflow.apply_transition(
        DOCUMENTS,
        document_id,
        trigger,
        actor=actor,
        comment=comment,
        expected_version=expected_version,
        system=system,
    )


def judge_triggers(user: User, document: Document) -> tuple[list[str], dict[str, list[str]]]:
    """The user's actions now, and those held back by a fact with the reasons (one fact set)."""
    return workflow.judge_triggers(DOCUMENTS, document, user)


def available_triggers(user: User, document: Document) -> list[str]:
    """Triggers this user may fire now (a comment the action needs is asked for by the form)."""
    return workflow.available_triggers(DOCUMENTS, document, user)


class UploadNotAllowed(WorkflowError):
    """The document is not in a state that accepts a new version, or the user is not its school."""


def add_version(
    document_id: int, stream: BinaryIO, filename: str | None, *, actor: User
) -> DocumentVersion:
    """Store a new immutable version; the file is removed again if the database refuses it."""
    document = load_for_update(document_id)
    if document is None:
        raise LookupError(document_id)
    ensure_may_add_version(actor, document)
    stored = store_upload(stream, filename, upload_dir(), max_upload_bytes())
    try:
        same = _same_content(document, stored.sha256)
        if same is not None:
            discard_file(stored.stored_name)
            return same
        return _record_version(document, stored, actor)
    except Exception:
        discard_file(stored.stored_name)
        raise


def ensure_may_add_version(actor: User, document: Document) -> None:
    """Raise UploadNotAllowed unless ``actor`` may add a version to ``document`` now."""
    if not can_upload(actor, document):
        raise UploadNotAllowed("Загружать версии может только сама школа.")
    if document.state not in EDITABLE_STATES:
        raise UploadNotAllowed(
            gettext(
                "В состоянии «%(state)s» новую версию загрузить нельзя: "
                "документ на проверке или утверждён.",
                state=gettext(STATE_LABELS[DocumentState(document.state)]),
            )
        )


def _same_content(document: Document, sha256: str) -> DocumentVersion | None:
    """The version with this very file, if it is the newest one (a form sent twice).

    Sending the same file again in this round changes nothing and answers the stored version;
    sending again the file the curator has already checked is refused, so that the school is
    not left believing it has uploaded a correction.
    """
    latest = db.session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    ).first()
    if latest is None or latest.sha256 != sha256:
        return None
    if latest.number <= document.revision_base_version:
        raise UploadNotAllowed(
            gettext(
                "Этот файл совпадает с версией %(number)s, которую уже проверил куратор: "
                "загрузите исправленный файл.",
                number=latest.number,
            )
        )
    return latest


def _record_version(document: Document, stored: StoredFile, actor: User) -> DocumentVersion:
    document.latest_version_number += 1
    version = DocumentVersion(
        document=document,
        number=document.latest_version_number,
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        size=stored.size,
        mime=stored.mime,
        kind=stored.kind,
        original_name=stored.original_name,
        uploaded_by_id=actor.id,
        uploaded_by_name=actor.full_name,
        uploaded_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def max_upload_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def discard_file(stored_name: str) -> None:
    """Remove a stored file whose database row was not committed."""
    resolve_stored(upload_dir(), stored_name).unlink(missing_ok=True)


def version_path(version: DocumentVersion) -> Path:
    return resolve_stored(upload_dir(), version.stored_name)
