"""Archive limits read from the end record, and nothing left behind by a refused upload.

The hostile archives are built here byte by byte: an end record that claims too many entries, a
central directory that is genuinely too big, a ZIP64 end record, a central directory that starts
beyond the end of the file, an XLSX whose member claims a huge size.  Each must be refused with a
Russian message, through ``store_upload``, the page and the API, and leave no file behind.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.support import PDF, login
from tests.webapp.documents import badfiles
from tests.webapp.helpers import SCHOOL, documents_of, user
from webapp.documents import services
from webapp.documents.models import Document, DocumentVersion
from webapp.documents.uploads import UploadRejected, store_upload
from webapp.extensions import db

LIMIT = 25 * 1024 * 1024
BAD_ARCHIVE = "Архив документа повреждён или подозрительно сжат (возможна «zip-бомба»)."
EOCD = struct.Struct("<4s4H2LH")


def end_record(data: bytes) -> tuple[int, list]:
    """Position and fields of the (comment-less) end-of-central-directory record."""
    pos = len(data) - EOCD.size
    fields = list(EOCD.unpack_from(data, pos))
    assert fields[0] == b"PK\x05\x06"
    return pos, fields


def with_end_record(data: bytes, **changes: int) -> bytes:
    """Rewrite fields of the end record: entries, cd_size, cd_offset."""
    pos, fields = end_record(data)
    index = {"entries": (3, 4), "cd_size": (5,), "cd_offset": (6,)}
    for name, value in changes.items():
        for i in index[name]:
            fields[i] = value
    return data[:pos] + EOCD.pack(*fields)


def claims_too_many_entries() -> bytes:
    return with_end_record(badfiles.docx(), entries=2_001)


def huge_central_directory() -> bytes:
    """A well-formed DOCX whose central directory is 1.2 MB of member comments (few entries)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", badfiles.content_types())
        zf.writestr("word/document.xml", badfiles.DOC_XML)
        for i in range(20):
            info = zipfile.ZipInfo(f"word/media/n{i}.txt")
            info.comment = b"c" * 60_000
            zf.writestr(info, b"x")
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # zipfile itself reads it without complaint
        assert len(zf.infolist()) == 22
    return data


def zip64_end_record() -> bytes:
    """A DOCX with a ZIP64 end record and locator, consistent enough for zipfile to read it."""
    data = badfiles.docx()
    pos, fields = end_record(data)
    entries, cd_size, cd_offset = fields[4], fields[5], fields[6]
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, cd_size, cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, pos, 1)
    patched = data[:pos] + record + locator + data[pos:]
    with zipfile.ZipFile(io.BytesIO(patched)) as zf:  # zipfile follows the ZIP64 record
        assert "word/document.xml" in zf.namelist()
    return patched


def central_directory_beyond_the_file() -> bytes:
    data = badfiles.docx()
    return with_end_record(data, cd_offset=len(data) + 4096)


def xlsx_claiming_a_huge_member() -> bytes:
    return badfiles.patch_entry(badfiles.xlsx(), "xl/workbook.xml", file_size=0xFFFF_FFF0)


HOSTILE = {
    "too_many_entries": claims_too_many_entries,
    "huge_central_directory": huge_central_directory,
    "zip64_end_record": zip64_end_record,
    "central_directory_beyond_the_file": central_directory_beyond_the_file,
    "xlsx_huge_member": xlsx_claiming_a_huge_member,
}


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_the_unpatched_builders_are_accepted(tmp_path):
    """The hostile files differ from these only by the patched bytes."""
    assert store_upload(io.BytesIO(badfiles.docx()), "a.docx", tmp_path, LIMIT).kind == "docx"
    assert store_upload(io.BytesIO(badfiles.xlsx()), "a.xlsx", tmp_path, LIMIT).kind == "xlsx"


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_archive_refused_by_store_upload(tmp_path, name):
    folder = tmp_path / "uploads"
    with pytest.raises(UploadRejected) as refused:
        store_upload(io.BytesIO(HOSTILE[name]()), "план.docx", folder, LIMIT)
    assert refused.value.code == "bad_archive"
    assert refused.value.message == BAD_ARCHIVE
    assert files_in(folder) == []


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_archive_refused_on_the_page_and_nothing_stored(app, demo, client, name):
    doc = documents_of("08-UMC")[0]
    login(client, SCHOOL)
    response = client.post(
        f"/documents/{doc.id}/versions",
        data={"file": (io.BytesIO(HOSTILE[name]()), "Концепция.docx")},
        follow_redirects=True,
    )
    assert BAD_ARCHIVE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Document, doc.id).latest_version_number == 0
    assert db.session.scalars(select(DocumentVersion)).all() == []
    assert files_in(Path(app.config["UPLOAD_DIR"])) == []


@pytest.mark.parametrize("name", ["zip64_end_record", "too_many_entries"])
def test_hostile_archive_refused_in_the_api(app, demo, client, name):
    doc = documents_of("08-UMC")[0]
    token = client.post("/api/v1/auth/token", json={"email": SCHOOL, "password": "demo-pass"}).json[
        "token"
    ]
    response = client.post(
        f"/api/v1/documents/{doc.id}/versions",
        data={"file": (io.BytesIO(HOSTILE[name]()), "Концепция.docx")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json["error"]["message"] == BAD_ARCHIVE
    assert response.json["error"]["code"] == "bad_archive"
    assert files_in(Path(app.config["UPLOAD_DIR"])) == []


def test_version_row_refused_by_the_database_removes_the_written_file(app, demo):
    """The file is on disk before the row is flushed; a refused row must not leave it behind."""
    doc = documents_of("08-UMC")[0]
    # Another writer already took version number 1 behind the ORM's back: the unique
    # (document_id, number) constraint refuses our row after the file was written.
    db.session.execute(
        text(
            "INSERT INTO document_versions (document_id, number, stored_name, sha256, size, mime,"
            " kind, original_name, uploaded_by_name, uploaded_at)"
            " VALUES (:d, 1, 'ff/ff000000000000000000000000000000', :h, 1, 'application/pdf',"
            " 'pdf', 'x.pdf', '', '2026-01-01 00:00:00')"
        ),
        {"d": doc.id, "h": "0" * 64},
    )
    db.session.commit()
    folder = Path(app.config["UPLOAD_DIR"])
    before = files_in(folder)
    with pytest.raises(IntegrityError):
        services.add_version(doc.id, io.BytesIO(PDF), "план.pdf", actor=user(SCHOOL))
    db.session.rollback()
    assert files_in(folder) == before == []
    assert [p.name for p in folder.rglob("*.part")] == []


def test_accepted_upload_keeps_exactly_one_file(app, demo):
    """The counterpart of the test above: a committed version leaves exactly its own file."""
    doc = documents_of("08-UMC")[0]
    version = services.add_version(doc.id, io.BytesIO(PDF), "план.pdf", actor=user(SCHOOL))
    db.session.commit()
    assert files_in(Path(app.config["UPLOAD_DIR"])) == [services.version_path(version)]
