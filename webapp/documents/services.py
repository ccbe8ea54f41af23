"""Document services: the one choke point for state changes and new versions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.auth.permissions import can_upload, document_roles
from webapp.common.time import utcnow
from webapp.documents.models import Document, DocumentVersion
from webapp.documents.uploads import StoredFile, resolve_stored, store_upload
from webapp.extensions import db
from workflows.document import EDITABLE_STATES, STATE_LABELS, Context, DocumentState
from workflows.machine import StateConflict, WorkflowError

SUBMISSION_STAGE = "documents"


def load_for_update(document_id: int) -> Document | None:
    """Load a document locked for this transaction (row lock on PostgreSQL)."""
    stmt = (
        select(Document)
        .where(Document.id == document_id)
        .options(joinedload(Document.school))
        .with_for_update(of=Document)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).first()


def build_context(
    user: User | None,
    document: Document,
    *,
    comment: str = "",
    checklist_complete: bool = False,
    system: bool = False,
) -> Context:
    """Gather the plain facts the workflow guards look at."""
    roles = set() if user is None else set(document_roles(user, document))
    if system:
        roles.add("system")
    setting = document.campaign.setting_for(document.document_type_id)
    return Context(
        actor_id=None if user is None else user.id,
        actor_name="Система" if user is None else user.full_name,
        roles=frozenset(roles),
        comment=comment,
        has_file=document.has_file,
        has_new_version=document.has_new_version,
        checklist_complete=checklist_complete,
        window_open=document.campaign.window_open(SUBMISSION_STAGE, utcnow().date()),
        needs_peer_stage=bool(setting and setting.needs_peer_review),
    )


def conflict_message(document: Document) -> str:
    """Why the caller's view is stale: the current state and who changed it last."""
    state = STATE_LABELS[DocumentState(document.state)]
    if not document.history:
        return f"Документ сейчас в состоянии «{state}». Обновите страницу."
    who = document.state_changed_by or "другой пользователь"
    when = document.state_changed_at.strftime("%d.%m.%Y %H:%M")
    return (
        f"Документ уже изменён: {who}, {when} UTC. Сейчас он в состоянии «{state}». "
        "Обновите страницу."
    )


def apply_transition(
    document_id: int,
    trigger: str,
    *,
    actor: User | None,
    comment: str = "",
    expected_version: int | None = None,
    checklist_complete: bool = False,
    system: bool = False,
) -> Document:
    """Fire ``trigger`` on a locked row and flush; the caller commits."""
    document = load_for_update(document_id)
    if document is None:
        raise LookupError(document_id)
    if expected_version is not None and document.lock_version != expected_version:
        raise StateConflict(conflict_message(document), trigger=trigger)
    ctx = build_context(
        actor, document, comment=comment, checklist_complete=checklist_complete, system=system
    )
    offered = document.workflow.transitions_for(trigger, document.state)
    if trigger in document.workflow.triggers() and not offered and expected_version is None:
        # A known action that the current state no longer offers: the caller's view was stale.
        # (With a matching expected_version the view was current: fire() reports it as invalid.)
        raise StateConflict(conflict_message(document), trigger=trigger)
    document.fire(trigger, ctx=ctx)
    if document.state == DocumentState.SUBMITTED:
        setting = document.campaign.setting_for(document.document_type_id)
        document.due_at = utcnow() + timedelta(days=setting.review_days if setting else 10)
    db.session.flush()
    return document


def available_triggers(user: User, document: Document) -> list[str]:
    """Triggers this user may fire now; comment and checklist are assumed to be supplied."""
    ctx = build_context(user, document, comment="-", checklist_complete=True)
    return document.available_triggers(ctx=ctx)


class UploadNotAllowed(WorkflowError):
    """The document is not in a state that accepts a new version, or the user is not its school."""


def add_version(
    document_id: int, stream: BinaryIO, filename: str | None, *, actor: User
) -> DocumentVersion:
    """Store a new immutable version; the file is removed again if the database refuses it."""
    document = load_for_update(document_id)
    if document is None:
        raise LookupError(document_id)
    if not can_upload(actor, document):
        raise UploadNotAllowed("Загружать версии может только сама школа.")
    if document.state not in EDITABLE_STATES:
        state = STATE_LABELS[DocumentState(document.state)]
        raise UploadNotAllowed(
            f"В состоянии «{state}» новую версию загрузить нельзя: "
            "документ на проверке или утверждён."
        )
    stored = store_upload(stream, filename, upload_dir(), max_upload_bytes())
    try:
        return _record_version(document, stored, actor)
    except Exception:
        discard_file(stored.stored_name)
        raise


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
