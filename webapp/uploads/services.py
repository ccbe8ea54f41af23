"""Resumable uploads of document versions: start one, and hand a completed one to the documents.

A completed upload goes through ``webapp.documents.services.add_version``, the very call the
plain upload form makes: the same permission and state guard, the same content checks
(``webapp.documents.uploads``), the same duplicate rule, the same version row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app

from webapp.auth.models import User
from webapp.auth.permissions import can_view_document
from webapp.common.routing import MAX_DATABASE_ID
from webapp.common.time import utcnow
from webapp.documents import services as documents
from webapp.documents.models import Document, DocumentVersion
from webapp.documents.uploads import check_declared_size, sanitize_filename
from webapp.extensions import db
from webapp.uploads.store import PartialStore, Session


class NoSuchDocument(LookupError):
    """The document does not exist or the user may not see it (answered as 404)."""


def partial_store() -> PartialStore:
    return PartialStore(documents.upload_dir())


def lifetime() -> timedelta:
    """How long an upload may rest without a byte before the sweeper removes it."""
    return timedelta(hours=current_app.config["TUS_EXPIRY_HOURS"])


def start_upload(actor: User, document_id: int, length: int, filename: str | None) -> Session:
    """Open an upload of ``length`` bytes for a new version; refused before any byte is stored."""
    document = db.session.get(Document, document_id) if 0 < document_id <= MAX_DATABASE_ID else None
    if document is None or not can_view_document(actor, document):
        raise NoSuchDocument(document_id)
    documents.ensure_may_add_version(actor, document)
    check_declared_size(length, documents.max_upload_bytes())
    store = partial_store()
    _make_room(store, actor)
    now = utcnow()
    return store.create(
        user_id=actor.id,
        document_id=document.id,
        length=length,
        filename=sanitize_filename(filename),
        now=now,
        expires_at=now + lifetime(),
    )


def _make_room(store: PartialStore, actor: User) -> None:
    """Keep at most TUS_MAX_OPEN_PER_USER unfinished uploads per user (disk stays bounded).

    The least recently used ones go first: a browser that lost its stored upload URL starts a
    new upload, and the abandoned one must not block it until it expires.
    """
    keep = current_app.config["TUS_MAX_OPEN_PER_USER"] - 1
    open_uploads = store.sessions_of(actor.id)
    for session in open_uploads[: max(0, len(open_uploads) - keep)]:
        store.discard(session)


def own_session(actor: User, upload_id: str) -> Session | None:
    """The upload if it exists and belongs to ``actor``; None otherwise (answered as 404)."""
    session = partial_store().get(upload_id)
    if session is None or session.user_id != actor.id:
        return None
    return session


def finish_upload(session: Session, part: BinaryIO, actor: User) -> DocumentVersion:
    """Add the completed file as a version (flushes; the caller commits and removes the upload)."""
    part.seek(0)
    return documents.add_version(session.document_id, part, session.filename, actor=actor)


def sweep_partial(now: datetime | None = None) -> int:
    """Remove expired partial uploads and stray temp files; returns how many went."""
    return partial_store().sweep(now or utcnow(), lifetime())
