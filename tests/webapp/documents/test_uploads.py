"""Tests for webapp.documents.uploads: safe storage of one uploaded document."""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import tracemalloc
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.webapp.documents import badfiles
from webapp.documents import uploads
from webapp.documents.uploads import (
    ALLOWED_KINDS,
    CHUNK_SIZE,
    StoredFile,
    UploadRejected,
    content_disposition,
    resolve_stored,
    sanitize_filename,
    store_upload,
)
from webapp.tabular import zipcheck

LIMIT = 25 * 1024 * 1024
STORED_RE = r"[0-9a-f]{2}/[0-9a-f]{32}"


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    """A fresh upload directory inside tmp_path."""
    return tmp_path / "uploads"


def store(
    data: bytes, upload_dir: Path, name: str | None = "doc", limit: int = LIMIT
) -> StoredFile:
    """Store ``data`` as an upload."""
    return store_upload(io.BytesIO(data), name, upload_dir, limit)


def rejected(data: bytes, upload_dir: Path, code: str, limit: int = LIMIT) -> UploadRejected:
    """Assert ``data`` is rejected with ``code`` and leaves nothing behind."""
    with pytest.raises(UploadRejected) as info:
        store(data, upload_dir, "x.pdf", limit)
    exc = info.value
    assert exc.code == code
    assert str(exc) == exc.message and exc.message.endswith(".")
    assert list(upload_dir.rglob("*")) == []
    return exc


class EndlessStream(io.RawIOBase):
    """A stream that would never end; counts how many bytes were pulled from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and 0 < size <= CHUNK_SIZE, "must read in bounded chunks"
        self.served += size
        return b"A" * size


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "kind"),
    [
        (badfiles.minimal_pdf, "pdf"),
        (badfiles.docx, "docx"),
        (badfiles.xlsx, "xlsx"),
        (lambda: badfiles.odf(badfiles.ODF_TEXT), "odt"),
        (lambda: badfiles.odf(badfiles.ODF_SHEET), "ods"),
    ],
)
def test_valid_documents_are_stored(upload_dir: Path, builder, kind: str) -> None:
    data = builder()
    result = store(data, upload_dir, "Программа развития.bin")
    path = resolve_stored(upload_dir, result.stored_name)
    assert result.kind == kind and result.mime == ALLOWED_KINDS[kind]
    assert result.size == len(data) and result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.original_name == "Программа развития.bin"
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in upload_dir.rglob("*") if p.is_file()) == [path.name]


def test_pdf_without_eof_marker_is_accepted(upload_dir: Path) -> None:
    data = badfiles.minimal_pdf().replace(b"%%EOF", b"") + b"\x00trailing garbage"
    assert store(data, upload_dir).kind == "pdf"


def test_type_comes_from_content_not_name(upload_dir: Path) -> None:
    assert store(badfiles.docx(), upload_dir, "report.pdf").kind == "docx"


def test_each_upload_gets_a_fresh_random_name(upload_dir: Path) -> None:
    first = store(badfiles.minimal_pdf(), upload_dir, "../../a.pdf")
    second = store(badfiles.minimal_pdf(), upload_dir, "../../a.pdf")
    assert first.stored_name != second.stored_name
    assert first.sha256 == second.sha256
    for result in (first, second):
        assert "a.pdf" not in result.stored_name
        assert re.fullmatch(STORED_RE, result.stored_name)


# --- size -------------------------------------------------------------------------------------


def test_empty_file_rejected(upload_dir: Path) -> None:
    assert rejected(b"", upload_dir, "empty").message == "Файл пустой."


def test_over_limit_rejected(upload_dir: Path) -> None:
    exc = rejected(badfiles.minimal_pdf() + b"x" * 2000, upload_dir, "too_large", limit=1000)
    assert exc.message == "Файл больше допустимых 1000 байт."


def test_over_limit_stops_reading_early(upload_dir: Path) -> None:
    stream = EndlessStream()
    with pytest.raises(UploadRejected) as info:
        store_upload(stream, "big.pdf", upload_dir, LIMIT)
    assert info.value.message == "Файл больше допустимых 25 МБ."
    assert stream.served <= LIMIT + CHUNK_SIZE
    assert list(upload_dir.rglob("*")) == []


def test_exact_limit_is_accepted(upload_dir: Path) -> None:
    data = badfiles.minimal_pdf()
    assert store(data, upload_dir, limit=len(data)).size == len(data)


def test_stream_error_removes_temp_file(upload_dir: Path) -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int | None = -1) -> bytes:
            if list(upload_dir.glob(".upload-*")):
                raise OSError("client went away")
            return b"%PDF-1.4\n"

    with pytest.raises(OSError, match="client went away"):
        store_upload(Broken(), "a.pdf", upload_dir, LIMIT)
    assert list(upload_dir.rglob("*")) == []


# --- wrong types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"MZ\x90\x00\x03" + bytes(200), "исполняемый файл"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "исполняемый файл"),
        (b"#!/bin/sh\nrm -rf /\n", "исполняемый файл"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20), "изображение"),
        ("Просто текст, не документ.\n".encode(), "текстовый файл"),
        (b"{\\rtf1\\ansi hello}", "документ RTF"),
        (b"\x00\x01\x02\x03garbage", "неизвестный формат"),
    ],
)
def test_unsupported_content_rejected(upload_dir: Path, data: bytes, what: str) -> None:
    exc = rejected(data, upload_dir, "unsupported_type")
    assert exc.message.startswith(
        "Тип файла не поддерживается: загрузите PDF, DOCX, ODT, XLSX или ODS. "
        "Определено по содержимому: "
    )
    assert what in exc.message


def test_legacy_ole_document_rejected(upload_dir: Path) -> None:
    exc = rejected(badfiles.OLE_HEADER + bytes(2048), upload_dir, "legacy_office")
    assert "DOCX" in exc.message and "PDF" in exc.message


@pytest.mark.parametrize(
    "data",
    [
        badfiles.make_zip([("readme.txt", b"hello")]),
        badfiles.make_zip([("[Content_Types].xml", badfiles.content_types())]),
        badfiles.make_zip(
            [
                ("[Content_Types].xml", badfiles.content_types(part="/ppt/presentation.xml")),
                ("ppt/presentation.xml", b"<p/>"),
            ]
        ),
        badfiles.odf(b"application/vnd.oasis.opendocument.presentation"),
        badfiles.odf(b"text/plain"),
    ],
    ids=["plain-zip", "ooxml-without-main-part", "pptx", "odp", "odf-bad-mimetype"],
)
def test_non_document_zip_rejected(upload_dir: Path, data: bytes) -> None:
    rejected(data, upload_dir, "unsupported_type")


def test_macro_enabled_docx_rejected(upload_dir: Path) -> None:
    ct = badfiles.content_types(main=badfiles.DOCM_MAIN)
    rejected(badfiles.docx(ct=ct), upload_dir, "macros")
    rejected(badfiles.docx(extra=[("word/vbaProject.bin", b"\x00")]), upload_dir, "macros")


# --- hostile zips -----------------------------------------------------------------------------


def test_zip_bomb_300_mib_rejected_without_inflating(upload_dir: Path) -> None:
    data = badfiles.zeros_docx(300)
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        exc = rejected(data, upload_dir, "bad_archive")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "zip-бомба" in exc.message
    assert peak < 4 * 1024 * 1024


def test_high_ratio_entry_rejected(upload_dir: Path) -> None:
    rejected(badfiles.zeros_docx(8), upload_dir, "bad_archive")


def test_lying_size_header_is_caught_while_reading(upload_dir: Path) -> None:
    data = badfiles.lying_docx()
    tracemalloc.start()
    try:
        rejected(data, upload_dir, "bad_archive")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


def test_total_declared_size_limit(upload_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipcheck, "MAX_ZIP_TOTAL", 100 * 1024)
    text = "".join(random.Random(1).choices("абвгдеж ", k=150 * 1024)).encode()
    rejected(badfiles.docx(extra=[("word/media/t.txt", text)]), upload_dir, "bad_archive")


def test_metadata_member_over_cap_rejected(
    upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_META_MEMBER", 64)
    rejected(badfiles.docx(), upload_dir, "bad_archive")


def test_too_many_entries_rejected(upload_dir: Path) -> None:
    rejected(badfiles.many_entries(2_001), upload_dir, "bad_archive")


def test_many_but_allowed_entries_accepted(upload_dir: Path) -> None:
    assert store(badfiles.many_entries(1_990), upload_dir).kind == "docx"


@pytest.mark.parametrize(
    "member", ["../../evil.txt", "word/../../evil.txt", "/etc/passwd", "C:/x.txt", "..\\x.txt"]
)
def test_path_traversal_member_rejected(upload_dir: Path, member: str) -> None:
    rejected(badfiles.docx(extra=[(member, b"pwned")]), upload_dir, "bad_archive")
    assert not (upload_dir.parent / "evil.txt").exists()


def test_duplicate_member_rejected(upload_dir: Path) -> None:
    data = badfiles.docx(extra=[("[Content_Types].xml", b"<Types/>")])
    rejected(data, upload_dir, "bad_archive")


def test_encrypted_entry_rejected(upload_dir: Path) -> None:
    data = badfiles.patch_entry(badfiles.docx(), "word/document.xml", flag_bits=0x1)
    assert "паролем" in rejected(data, upload_dir, "encrypted").message


def test_exotic_compression_rejected(upload_dir: Path) -> None:
    members = [("[Content_Types].xml", badfiles.content_types()), ("word/document.xml", b"<a/>")]
    rejected(badfiles.make_zip(members, zipfile.ZIP_BZIP2), upload_dir, "bad_archive")


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + bytes(100),
        badfiles.docx()[:-30],
        badfiles.odf(with_content=False),
    ],
    ids=["garbage", "truncated", "odf-without-content"],
)
def test_corrupt_archive_rejected(upload_dir: Path, data: bytes) -> None:
    rejected(data, upload_dir, "bad_archive")


def test_xml_bomb_in_content_types_rejected(upload_dir: Path) -> None:
    rejected(badfiles.docx(ct=badfiles.billion_laughs()), upload_dir, "unsafe_xml")


def test_external_entity_in_content_types_rejected(upload_dir: Path) -> None:
    ct = b'<?xml version="1.0"?><!DOCTYPE T [<!ENTITY x SYSTEM "file:///etc/passwd">]><T>&x;</T>'
    rejected(badfiles.docx(ct=ct), upload_dir, "unsafe_xml")


def test_malformed_content_types_rejected(upload_dir: Path) -> None:
    rejected(badfiles.docx(ct=b"<Types"), upload_dir, "unsafe_xml")
    rejected(badfiles.docx(ct=b"<Other/>"), upload_dir, "bad_archive")


# --- names and paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\x.pdf", "x.pdf"),
        ("/abs/path/Отчёт.docx", "Отчёт.docx"),
        ("evil\x00.pdf", "evil.pdf"),
        ("two\nlines\r.pdf", "twolines.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        (".htaccess", "htaccess"),
        ("...", "файл"),
        ("a:b?*.pdf", "a_b__.pdf"),
        ("  many   spaces .pdf ", "many spaces .pdf"),
        ("и\u0306", "й"),
        ("Программа развития школы №5.docx", "Программа развития школы №5.docx"),
        ("", "файл"),
        (None, "файл"),
    ],
)
def test_sanitize_filename(raw: str | None, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_limits_length_keeping_extension() -> None:
    name = sanitize_filename("я" * 300 + ".docx")
    assert len(name) <= 150 and name.endswith(".docx") and name.startswith("яяя")
    assert len(sanitize_filename("x" * 300)) == 150


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd", "C:\\Windows\\x.pdf", "a\x00b\n.pdf", "\u202e" + "x" * 300]
)
def test_hostile_names_never_reach_the_filesystem(tmp_path: Path, hostile: str) -> None:
    upload_dir = tmp_path / "uploads"
    result = store(badfiles.minimal_pdf(), upload_dir, hostile)
    path = resolve_stored(upload_dir, result.stored_name)
    assert path.is_relative_to(upload_dir.resolve()) and path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
    assert result.original_name == sanitize_filename(hostile)


@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "/etc/passwd",
        "ab/../../etc/passwd",
        "ab/" + "ab" * 16 + "/../x",
        "AB/" + "AB" * 16,
        "cd/" + "ab" * 16,
        "ab/" + "ab" * 16 + "\n",
        "ab/" + "ab" * 16 + ".pdf",
        "ab\\" + "ab" * 16,
        "ab" * 16,
        "",
        None,
    ],
)
def test_resolve_stored_refuses_anything_not_generated(upload_dir: Path, bad) -> None:
    with pytest.raises(ValueError):
        resolve_stored(upload_dir, bad)


def test_resolve_stored_refuses_symlinked_shard(tmp_path: Path) -> None:
    upload_dir, outside = tmp_path / "uploads", tmp_path / "outside"
    upload_dir.mkdir()
    outside.mkdir()
    os.symlink(outside, upload_dir / "ab")
    with pytest.raises(ValueError):
        resolve_stored(upload_dir, "ab/" + "ab" * 16)


def test_resolve_stored_accepts_generated_name(upload_dir: Path) -> None:
    path = resolve_stored(upload_dir, "ab/" + "ab" * 16)
    assert path == upload_dir.resolve() / "ab" / ("ab" * 16)


# --- Content-Disposition ----------------------------------------------------------------------


def test_content_disposition_cyrillic() -> None:
    header = content_disposition("Программа развития 2025.pdf", inline=False)
    fallback, encoded = header.split("; filename*=UTF-8''")
    assert fallback == 'attachment; filename="2025.pdf"'
    assert unquote(encoded) == "Программа развития 2025.pdf"
    assert header.isascii()


def test_content_disposition_inline_and_accents() -> None:
    header = content_disposition("Résumé final.pdf", inline=True)
    assert header.startswith("inline; filename=\"Resume final.pdf\"; filename*=UTF-8''")
    assert header.endswith("R%C3%A9sum%C3%A9%20final.pdf")


def test_content_disposition_cannot_inject_headers() -> None:
    header = content_disposition('a"b\\c\r\nSet-Cookie: x=1;.pdf', inline=False)
    assert "\r" not in header and "\n" not in header and header.isascii()
    fallback = header.split('filename="')[1].split('"')[0]
    assert '"' not in fallback and "\\" not in fallback and ";" not in fallback


def test_content_disposition_only_non_latin_uses_generic_fallback() -> None:
    header = content_disposition("Отчёт.docx", inline=False)
    assert header.startswith('attachment; filename="document.docx"; ')


@pytest.mark.parametrize(
    "trailer",
    [
        b"trailer<< /Root 1 0 R /Encrypt 5 0 R >>",  # classic trailer
        b"5 0 obj<< /Type /XRef /Encrypt<< /Filter /Standard >> >>",  # xref stream, inline dict
    ],
)
def test_encrypted_pdf_rejected(upload_dir: Path, trailer: bytes) -> None:
    data = b"%PDF-1.7\n1 0 obj<< /Type /Catalog >>endobj\n" + b"x" * 3000 + trailer + b"\n%%EOF\n"
    assert "паролем" in rejected(data, upload_dir, "encrypted").message


def test_pdf_mentioning_encryption_in_its_text_is_accepted(upload_dir: Path) -> None:
    data = b"%PDF-1.4\n1 0 obj<< /Type /Catalog /Title (/Encrypted notes) >>endobj\n%%EOF\n"
    assert store(data, upload_dir, "x.pdf", LIMIT).kind == "pdf"
