"""The one ZIP vetter: an archive's directory is checked before any parser opens a member.

Document uploads (DOCX/XLSX/ODT/ODS) and the tabular reader (XLSX) both open archives only through
:func:`open_vetted`. It reads the end record the way :mod:`zipfile` does and refuses ZIP64 and
oversized central directories, then refuses too many entries, a too large declared total, a
suspicious compression ratio, unsafe or repeated member names, encryption and compression methods
other than stored and deflate. Members are never decompressed here.
"""

from __future__ import annotations

import enum
import os
import re
import struct
import zipfile
import zlib
from typing import BinaryIO

MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
RATIO_CHECK_ABOVE = 1024 * 1024
MAX_CENTRAL_DIR = MAX_ZIP_ENTRIES * 512

_EOCD = struct.Struct("<4s4H2LH")
_DRIVE = re.compile(r"[A-Za-z]:")
#: What opening a damaged archive can raise (NotImplementedError is a RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError)


class ZipProblem(enum.StrEnum):
    """Why an archive was refused; callers turn it into their own Russian message."""

    CORRUPT = "corrupt"
    OVERSIZED = "oversized"
    ENCRYPTED = "encrypted"
    UNSAFE = "unsafe"


class ZipRejected(Exception):
    """The archive is refused before anything inside it is read."""

    def __init__(self, problem: ZipProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def open_vetted(fh: BinaryIO) -> zipfile.ZipFile:
    """Vet the archive in ``fh`` and return it open; the caller closes it."""
    _check_end_record(fh)
    fh.seek(0)
    try:
        archive = zipfile.ZipFile(fh)
    except ZIP_ERRORS as exc:
        raise ZipRejected(ZipProblem.CORRUPT) from exc
    try:
        _check_members(archive.infolist())
    except BaseException:
        archive.close()
        raise
    return archive


def _check_end_record(fh: BinaryIO) -> None:
    """Read the end-of-central-directory record like zipfile does; refuse ZIP64 and huge dirs."""
    end = fh.seek(0, os.SEEK_END)
    start = max(0, end - _EOCD.size - 0xFFFF)
    fh.seek(start)
    tail = fh.read()
    pos = len(tail) - _EOCD.size
    if pos < 0 or tail[pos : pos + 4] != b"PK\x05\x06" or tail[-2:] != b"\0\0":
        pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < _EOCD.size:
        raise ZipRejected(ZipProblem.CORRUPT)
    entries, cd_size = _EOCD.unpack_from(tail, pos)[4:6]
    if entries > MAX_ZIP_ENTRIES or cd_size > MAX_CENTRAL_DIR:
        raise ZipRejected(ZipProblem.OVERSIZED)
    if start + pos >= 20:
        fh.seek(start + pos - 20)
        if fh.read(4) == b"PK\x06\x07":
            raise ZipRejected(ZipProblem.OVERSIZED)


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse zip bombs, traversal names, duplicates, encryption and exotic compression."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ZipRejected(ZipProblem.OVERSIZED)
    seen: set[str] = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise ZipRejected(ZipProblem.ENCRYPTED)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ZipRejected(ZipProblem.UNSAFE)
        if _unsafe_member_name(info.orig_filename) or info.filename in seen:
            raise ZipRejected(ZipProblem.UNSAFE)
        seen.add(info.filename)
        ratio_limit = MAX_ZIP_RATIO * max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_ABOVE and info.file_size > ratio_limit:
            raise ZipRejected(ZipProblem.OVERSIZED)
    if sum(info.file_size for info in infos) > MAX_ZIP_TOTAL:
        raise ZipRejected(ZipProblem.OVERSIZED)


def _unsafe_member_name(name: str) -> bool:
    """True for absolute, drive-qualified, NUL-containing or ``..``-containing member names."""
    parts = re.split(r"[/\\]", name)
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or "\0" in name or ".." in parts
