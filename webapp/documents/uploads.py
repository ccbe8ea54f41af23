"""Safe storage of one uploaded document: streaming, size cap, content sniffing, zip hardening.

* Type is decided by content only; the client's file name and mime type are ignored.
* PDF = ``%PDF-<digit>`` at offset 0.  A missing ``%%EOF`` is deliberately NOT rejected: real
  PDFs carry trailing garbage or incremental updates and viewers repair them.
* Zips (DOCX/XLSX/ODT/ODS) are vetted by ``webapp.tabular.zipcheck`` before anything inside is
  read (end record without ZIP64, central directory size, entry count, declared sizes, ratio,
  names, encryption, method); only
  small metadata members are opened, through a hard-capped reader.  Other members are never
  decompressed here, so later consumers (text extraction, previews) need their own caps.
* Stored names are random and sharded; nothing the user sends reaches a path.  A crash may leave
  ``.upload-*.part`` temp files in ``upload_dir`` for a cleanup job.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO
from urllib.parse import quote
from xml.etree.ElementTree import Element

import filetype
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask_babel import gettext, lazy_gettext

from webapp.tabular.zipcheck import ZIP_ERRORS, ZipProblem, ZipRejected, open_vetted

ALLOWED_KINDS = MappingProxyType(
    {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt": "application/vnd.oasis.opendocument.text",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
    }
)

CHUNK_SIZE = 64 * 1024
FILE_MODE = 0o640
DIR_MODE = 0o750
MAX_META_MEMBER = 1024 * 1024
MAX_DISPLAY_NAME = 150

_STORED_NAME = re.compile(r"([0-9a-f]{2})/([0-9a-f]{32})")
_ODF_KINDS = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_CT_TYPES_TAG = "{http://schemas.openxmlformats.org/package/2006/content-types}Types"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXEC_MAGICS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\f"
_WIN_RESERVED = re.compile(r'[<>:"|?*]')

_MESSAGES = {
    "empty": lazy_gettext("Файл пустой."),
    "too_large": lazy_gettext("Файл больше допустимых %(limit)s."),
    "unsupported_type": lazy_gettext(
        "Тип файла не поддерживается: загрузите PDF, DOCX, ODT, XLSX или ODS. "
        "Определено по содержимому: %(what)s."
    ),
    "legacy_office": lazy_gettext(
        "Файл в старом формате Microsoft Office (DOC/XLS) или защищён паролем. "
        "Сохраните его как DOCX, XLSX или PDF (без пароля) и загрузите снова."
    ),
    "bad_archive": lazy_gettext(
        "Архив документа повреждён или подозрительно сжат (возможна «zip-бомба»)."
    ),
    "encrypted": lazy_gettext("Документ защищён паролем: снимите защиту и загрузите файл снова."),
    "macros": lazy_gettext(
        "Документы с макросами не принимаются: сохраните файл как обычный DOCX или XLSX."
    ),
    "unsafe_xml": lazy_gettext("Документ содержит повреждённую или небезопасную XML-разметку."),
}


class UploadRejected(Exception):
    """Upload refused; ``.message`` is the text for the user (their language), ``.code`` a key."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    """Result of a successful upload; ``stored_name`` is relative to ``upload_dir``."""

    stored_name: str
    sha256: str
    size: int
    mime: str
    kind: str
    original_name: str


def store_upload(
    stream: BinaryIO, original_name: str | None, upload_dir: Path, max_bytes: int
) -> StoredFile:
    """Stream ``stream`` to disk, verify its type by content and move it to a random name."""
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    upload_dir.mkdir(parents=True, exist_ok=True)
    tmp, sha256, size = _spool(stream, upload_dir, max_bytes)
    try:
        if size == 0:
            raise _reject("empty")
        kind = _detect_kind(tmp)
        token = uuid.uuid4().hex  # random: the user's name never reaches the filesystem
        stored_name = f"{token[:2]}/{token}"
        final = resolve_stored(upload_dir, stored_name)
        final.parent.mkdir(mode=DIR_MODE, exist_ok=True)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredFile(
        stored_name, sha256, size, ALLOWED_KINDS[kind], kind, sanitize_filename(original_name)
    )


def check_declared_size(size: int, max_bytes: int) -> None:
    """Refuse a size announced before any byte is sent (a resumable upload) by the same rules."""
    if size == 0:
        raise _reject("empty")
    if size > max_bytes:
        raise _reject("too_large", limit=_human_size(max_bytes))


def resolve_stored(upload_dir: Path, stored_name: str) -> Path:
    """Map a generated ``stored_name`` to its path inside ``upload_dir``; ValueError otherwise."""
    match = _STORED_NAME.fullmatch(stored_name) if isinstance(stored_name, str) else None
    if match is None or not match.group(2).startswith(match.group(1)):
        raise ValueError("invalid stored file name")
    base = upload_dir.resolve()
    path = base / match.group(1) / match.group(2)
    if not path.resolve().is_relative_to(base):
        raise ValueError("stored file escapes upload_dir")
    return path


def sanitize_filename(name: str | None) -> str:
    """Return a safe display name: no directories, control/bidi chars or leading dots."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    # category C*: control chars, NUL, bidi overrides (U+202E), zero-width, surrogates
    kept = (ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = "".join(" " if ch.isspace() else ch for ch in kept)
    text = _WIN_RESERVED.sub("_", re.sub(r"\s+", " ", text)).strip(" .")
    return _truncate_keeping_extension(text, MAX_DISPLAY_NAME) or "файл"


def content_disposition(filename: str, inline: bool) -> str:
    """Build an RFC 6266 header value with an ASCII fallback and an RFC 5987 UTF-8 name."""
    name = sanitize_filename(filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def _spool(stream: BinaryIO, upload_dir: Path, max_bytes: int) -> tuple[Path, str, int]:
    """Copy the stream in chunks to a temp file, hashing it and enforcing ``max_bytes``."""
    fd, name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=upload_dir)
    tmp, digest, size = Path(name), hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > max_bytes:
                    raise _reject("too_large", limit=_human_size(max_bytes))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest(), size


def _detect_kind(path: Path) -> str:
    """Return the allowed kind of the file at ``path`` or raise UploadRejected."""
    with path.open("rb") as fh:
        head = fh.read(8192)
        if re.match(rb"%PDF-\d", head):
            if _pdf_is_encrypted(fh):
                raise _reject("encrypted")
            return "pdf"
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(fh)
    if head.startswith(_OLE_MAGIC):
        raise _reject("legacy_office")
    raise _unsupported_type(_describe(head))


# The trailer (or cross-reference stream) of an encrypted PDF names its /Encrypt dictionary.
_PDF_ENCRYPT = re.compile(rb"/Encrypt[\s/<\d]")
_SCAN_CHUNK = 1 << 20


def _pdf_is_encrypted(fh: BinaryIO) -> bool:
    """True when the PDF declares encryption (a curator could not open it)."""
    fh.seek(0)
    tail = b""
    while chunk := fh.read(_SCAN_CHUNK):
        window = tail + chunk
        if _PDF_ENCRYPT.search(window):
            return True
        tail = window[-16:]
    return False


def _zip_kind(fh: BinaryIO) -> str:
    """Vet a zip container with the shared vetter and classify it as an office document."""
    try:
        with open_vetted(fh) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype":
                return _odf_kind(zf, infos[0], names)
            if "[Content_Types].xml" in names:
                return _ooxml_kind(zf, names)
    except ZipRejected as exc:
        raise _reject(
            "encrypted" if exc.problem is ZipProblem.ENCRYPTED else "bad_archive"
        ) from exc
    except ZIP_ERRORS as exc:
        raise _reject("bad_archive") from exc
    raise _unsupported_type("ZIP-архив, не являющийся документом")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Read one member in chunks, refusing more than its declared size or ``cap`` bytes."""
    if info.file_size > cap:
        raise _reject("bad_archive")
    data = bytearray()
    with zf.open(info) as member:
        while chunk := member.read(CHUNK_SIZE):
            data += chunk
            if len(data) > info.file_size:
                raise _reject("bad_archive")
    return bytes(data)


def _odf_kind(zf: zipfile.ZipFile, first: zipfile.ZipInfo, names: set[str]) -> str:
    """Classify an OpenDocument package by its leading ``mimetype`` member."""
    kind = _ODF_KINDS.get(_read_member(zf, first, 256))
    if kind is None:
        raise _unsupported_type("документ OpenDocument другого типа")
    if "content.xml" not in names:
        raise _reject("bad_archive")
    return kind


def _ooxml_kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    """Classify an OOXML package after safely parsing ``[Content_Types].xml``."""
    info = zf.getinfo("[Content_Types].xml")
    root = _parse_xml(_read_member(zf, info, MAX_META_MEMBER))
    if root.tag != _CT_TYPES_TAG:
        raise _reject("bad_archive")
    content_types = [el.get("ContentType", "") for el in root]
    if any("macroenabled" in ct.lower() for ct in content_types) or any(
        n.lower().endswith("vbaproject.bin") for n in names
    ):
        raise _reject("macros")
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise _unsupported_type("документ Office другого типа (например, презентация)")


def _parse_xml(data: bytes) -> Element:
    """Parse XML with defusedxml, forbidding DTDs and entities (billion laughs, XXE)."""
    try:
        return fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError) as exc:
        raise _reject("unsafe_xml") from exc


def _describe(head: bytes) -> str:
    """Name in Russian what the content looks like, for the rejection message."""
    if head.startswith(_EXEC_MAGICS) or head.startswith(b"#!"):
        return "исполняемый файл"
    if head.startswith(b"{\\rtf"):
        return "документ RTF (сохраните его как DOCX или PDF)"
    guess = filetype.guess(head)
    if guess is not None:
        group = guess.mime.split("/")[0]
        names = {"image": "изображение", "audio": "аудиофайл", "video": "видеофайл"}
        return names.get(group, f"файл {guess.extension.upper()}")
    if not head.translate(None, _TEXT_BYTES):
        return "текстовый файл"
    return "неизвестный формат"


def _unsupported_type(what: str) -> UploadRejected:
    """Build the standard 'unsupported type' rejection."""
    return _reject("unsupported_type", what=what)


def upload_refusal(code: str, **fields: str) -> str:
    """The refusal for ``code`` in the user's language (Russian outside a request)."""
    text = str(_MESSAGES[code])
    return text % fields if fields else text


def _reject(code: str, **fields: str) -> UploadRejected:
    """Build a rejection with the Russian message for ``code``."""
    return UploadRejected(code, upload_refusal(code, **fields))


def _truncate_keeping_extension(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` chars, preserving a short extension."""
    if len(text) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    if dot and stem and len(ext) <= 10:
        return stem[: limit - len(ext) - 1].rstrip(" .") + "." + ext
    return text[:limit].rstrip(" .")


def _ascii_fallback(name: str) -> str:
    """Reduce a display name to safe ASCII for the legacy ``filename=`` parameter."""
    decomposed = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9._() -]+", "_", text)
    stem, dot, ext = text.rpartition(".") if "." in text else (text, "", "")
    stem = stem.strip("_ .")
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "document"
    ext = ext if re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""
    return stem + (dot + ext if ext else "")


def _human_size(n: int) -> str:
    """Format a byte count in Russian units, e.g. ``25 МБ``."""
    units = ((gettext("ГБ"), 1 << 30), (gettext("МБ"), 1 << 20), (gettext("КБ"), 1 << 10))
    for unit, factor in units:
        if n >= factor:
            value = f"{n / factor:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{value} {unit}"
    return gettext("%(n)s байт", n=n)
