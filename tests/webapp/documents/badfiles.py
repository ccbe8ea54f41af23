"""Builders for good and hostile upload payloads, generated in memory at test time."""

from __future__ import annotations

import functools
import io
import struct
import warnings
import zipfile

from openpyxl import Workbook

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOC_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82</w:t></w:r></w:p>"
    b"</w:body></w:document>"
)
ODF_TEXT = b"application/vnd.oasis.opendocument.text"
ODF_SHEET = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff"


def content_types(main: str = DOCX_MAIN, part: str = "/word/document.xml") -> bytes:
    """Return a [Content_Types].xml declaring ``part`` with content type ``main``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{CT_NS}">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{main}"/></Types>'
    ).encode()


def make_zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Zip ``members`` in order (duplicate names allowed, zipfile's warning silenced)."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", method) as zf:
        warnings.simplefilter("ignore", UserWarning)
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def minimal_pdf() -> bytes:
    """Return a tiny but well-formed one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
        b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def docx(extra: list[tuple[str, bytes]] | None = None, ct: bytes | None = None) -> bytes:
    """Return a minimal DOCX, optionally with extra members or other content types."""
    members = [("[Content_Types].xml", ct or content_types()), ("word/document.xml", DOC_XML)]
    return make_zip(members + (extra or []))


def xlsx() -> bytes:
    """Return a real XLSX written by openpyxl."""
    wb = Workbook()
    wb.active["A1"] = "Показатель"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def odf(mimetype: bytes = ODF_TEXT, with_content: bool = True) -> bytes:
    """Return a minimal ODF package with the ``mimetype`` member stored first."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        if with_content:
            zf.writestr("content.xml", b'<?xml version="1.0"?><office:document-content/>')
        zf.writestr("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest/>')
    return buf.getvalue()


@functools.cache
def zeros_docx(mebibytes: int) -> bytes:
    """Return a DOCX with a deflated entry of ``mebibytes`` MiB of zeros, streamed (low memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types())
        zf.writestr("word/document.xml", DOC_XML)
        with zf.open("word/media/zeros.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(mebibytes):
                fh.write(chunk)
    return buf.getvalue()


def lying_docx() -> bytes:
    """Return a DOCX whose [Content_Types].xml inflates to 20 MiB but claims 2,000 bytes."""
    padded = content_types() + b" " * (20 << 20)
    return patch_entry(docx(ct=padded), "[Content_Types].xml", file_size=2000)


def patch_entry(
    data: bytes, name: str, *, file_size: int | None = None, flag_bits: int = 0
) -> bytes:
    """Rewrite the declared size and/or OR flag bits of ``name`` in both zip headers."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local, pos = zf.getinfo(name).header_offset, zf.start_dir
    while buf[pos : pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<3H", buf, pos + 28)
        if buf[pos + 46 : pos + 46 + name_len] == name.encode():
            for flags_at, size_at in ((local + 6, local + 22), (pos + 8, pos + 24)):
                (flags,) = struct.unpack_from("<H", buf, flags_at)
                struct.pack_into("<H", buf, flags_at, flags | flag_bits)
                if file_size is not None:
                    struct.pack_into("<L", buf, size_at, file_size)
            return bytes(buf)
        pos += 46 + name_len + extra_len + comment_len
    raise KeyError(name)


def billion_laughs() -> bytes:
    """Return a [Content_Types].xml carrying the classic exponential entity expansion."""
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE Types [{"".join(ents)}]>'
        f'<Types xmlns="{CT_NS}">&lol9;</Types>'
    ).encode()


def many_entries(count: int) -> bytes:
    """Return a DOCX padded with ``count`` tiny members."""
    return docx(extra=[(f"word/media/p{i}.txt", b"x") for i in range(count)])
