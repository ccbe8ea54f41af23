"""Partial uploads of the tus protocol on disk, under ``<UPLOAD_DIR>/tus/``.

Each upload is two files named by a server-generated random id (never anything the user sent):
``<id>.part`` holds the bytes received so far (its size *is* the upload offset) and
``<id>.json`` the session record (owner, document, declared length, display name, expiry).
A PATCH holds an exclusive ``flock`` on the part file while it appends and while the completed
file is handed to the document service, so two requests never write or finish one upload at
once; a request that finds the lock taken is told to retry (HTTP 423).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

SUBDIR = "tus"
CHUNK_SIZE = 64 * 1024
FILE_MODE = 0o640
DIR_MODE = 0o750
_ID = re.compile(r"[0-9a-f]{32}")
_TEMP_UPLOAD = re.compile(r"\.upload-.*\.part")


class UploadBusy(Exception):
    """Another request holds this upload (a PATCH still running, or the sweeper)."""


class UploadGone(Exception):
    """The upload was finished or removed by a request that ran meanwhile."""


class TooMuchData(Exception):
    """The request carried more bytes than the declared ``Upload-Length`` leaves room for."""


@dataclass(frozen=True)
class Session:
    """One resumable upload, bound to the user who created it and to one document."""

    id: str
    user_id: int
    document_id: int
    length: int
    filename: str
    created_at: datetime
    expires_at: datetime

    def to_json(self) -> str:
        data = asdict(self) | {
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Session:
        data = json.loads(text)
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        data["expires_at"] = datetime.fromisoformat(data["expires_at"])
        return cls(**data)


class PartialStore:
    """The folder of partial uploads inside the configured upload directory."""

    def __init__(self, upload_dir: Path) -> None:
        self.root = Path(upload_dir) / SUBDIR
        self.upload_dir = Path(upload_dir)

    def create(
        self,
        *,
        user_id: int,
        document_id: int,
        length: int,
        filename: str,
        now: datetime,
        expires_at: datetime,
    ) -> Session:
        """Start an empty upload under a new random id."""
        self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        upload_id = secrets.token_hex(16)
        fd = os.open(self._part(upload_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.close(fd)
        session = Session(upload_id, user_id, document_id, length, filename, now, expires_at)
        self._write_record(session)
        return session

    def get(self, upload_id: str) -> Session | None:
        """The session of ``upload_id``, or None when the id is malformed or unknown."""
        if not isinstance(upload_id, str) or not _ID.fullmatch(upload_id):
            return None
        try:
            return Session.from_json(self._record(upload_id).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def offset(self, session: Session) -> int:
        """How many bytes of the upload are stored."""
        try:
            return self._part(session.id).stat().st_size
        except FileNotFoundError:
            return 0

    def prolong(self, session: Session, expires_at: datetime) -> Session:
        """Move the expiry (every PATCH does: an upload in progress does not expire)."""
        session = replace(session, expires_at=expires_at)
        self._write_record(session)
        return session

    @contextmanager
    def locked(self, session: Session) -> Iterator[BinaryIO]:
        """Hold the upload exclusively; yields its part file opened for reading and appending."""
        try:
            fh = self._part(session.id).open("r+b")
        except FileNotFoundError:
            raise UploadGone(session.id) from None
        with fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise UploadBusy(session.id) from exc
                raise
            yield fh

    def append(self, fh: BinaryIO, stream: BinaryIO, room: int) -> int:
        """Append ``stream`` to the locked part file; returns the bytes written.

        Bytes are written as they arrive and synced to disk even when the stream breaks off
        (a dropped connection), so that the next HEAD reports them and the client resumes
        after them. More than ``room`` bytes raises TooMuchData and stores none of this request.
        """
        start = fh.seek(0, os.SEEK_END)
        written = 0
        try:
            while chunk := stream.read(min(CHUNK_SIZE, room - written + 1)):
                if written + len(chunk) > room:
                    fh.truncate(start)
                    raise TooMuchData(start + room)
                fh.write(chunk)
                written += len(chunk)
        finally:
            fh.flush()
            os.fsync(fh.fileno())
        return written

    def remove(self, upload_id: str) -> None:
        """Forget an upload: its record first, so it can no longer be found, then its bytes."""
        self._record(upload_id).unlink(missing_ok=True)
        self._part(upload_id).unlink(missing_ok=True)

    def sweep(self, now: datetime, grace: timedelta) -> int:
        """Remove expired uploads, stray files of this folder and the form's old temp files.

        An upload a request holds is skipped; files without a record and the plain upload's
        ``.upload-*.part`` temp files (left by a crash) go once older than ``grace``.
        """
        removed = 0
        for path in sorted(self.root.iterdir()) if self.root.is_dir() else ():
            if path.name.endswith(".part"):
                session = self.get(path.name.removesuffix(".part"))
                if session is None:
                    removed += self._remove_if_old(path, now, grace)
                elif session.expires_at <= now:
                    removed += self.discard(session)
            elif not (path.suffix == ".json" and self._part(path.stem).exists()):
                removed += self._remove_if_old(path, now, grace)  # a record without bytes, a temp
        for path in sorted(self.upload_dir.glob(".upload-*.part")):
            if _TEMP_UPLOAD.fullmatch(path.name):
                removed += self._remove_if_old(path, now, grace)
        return removed

    def discard(self, session: Session) -> int:
        """Remove an upload unless a request holds it; returns 1 when removed, else 0."""
        try:
            with self.locked(session):
                self.remove(session.id)
        except (UploadBusy, UploadGone):
            return 0
        return 1

    def sessions_of(self, user_id: int) -> list[Session]:
        """The user's unfinished uploads, the one nearest to expiry (least recently used) first."""
        found = (self.get(p.stem) for p in self.root.glob("*.json")) if self.root.is_dir() else ()
        mine = [s for s in found if s is not None and s.user_id == user_id]
        return sorted(mine, key=lambda s: s.expires_at)

    @staticmethod
    def _remove_if_old(path: Path, now: datetime, grace: timedelta) -> int:
        try:
            if path.stat().st_mtime > (now - grace).timestamp():
                return 0
            path.unlink()
        except FileNotFoundError:
            return 0
        return 1

    def _write_record(self, session: Session) -> None:
        tmp = self.root / f"{session.id}.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(session.to_json())
        os.replace(tmp, self._record(session.id))

    def _part(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.part"

    def _record(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.json"
