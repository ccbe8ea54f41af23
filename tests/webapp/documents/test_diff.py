"""Text of versions (DOCX, ODT, PDF) and the diff page between any two versions."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.support import login
from tests.webapp.documents.badfiles import content_types, make_zip, xlsx
from tests.webapp.helpers import CURATOR, SCHOOL, documents_of, user
from webapp.documents import services
from webapp.documents.textdiff import NoText, diff_lines, extract_text
from webapp.extensions import db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def docx_with(*paragraphs: str) -> bytes:
    body = "".join(
        f"<w:p><w:r><w:t>{p[:5]}</w:t></w:r>"
        f"<w:r><w:t xml:space='preserve'>{p[5:]}</w:t></w:r></w:p>"
        for p in paragraphs
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}'
    xml += "</w:body></w:document>"
    return make_zip([("[Content_Types].xml", content_types()), ("word/document.xml", xml.encode())])


def odt_with(*paragraphs: str) -> bytes:
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    xml = (
        f'<?xml version="1.0"?><office:document-content xmlns:office="{OFFICE_NS}" '
        f'xmlns:text="{TEXT_NS}"><office:body><office:text><text:h>Заголовок</text:h>{body}'
        "</office:text></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "mimetype", b"application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        zf.writestr("content.xml", xml.encode())
        zf.writestr("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest/>')
    return buf.getvalue()


def pdf_with(text: str) -> bytes:
    """A one-page PDF with a Helvetica text line (Latin: the standard font has no Cyrillic)."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write(tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_text_of_docx_odt_and_pdf(tmp_path):
    assert extract_text(write(tmp_path, docx_with("Цель один", "Задача два"), "a"), "docx") == [
        "Цель один",
        "Задача два",
    ]
    assert extract_text(write(tmp_path, odt_with("Первый абзац"), "b"), "odt") == [
        "Заголовок",
        "Первый абзац",
    ]
    assert extract_text(write(tmp_path, pdf_with("Plan of measures"), "c"), "pdf") == [
        "Plan of measures"
    ]


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (xlsx(), "xlsx", "это таблица XLSX"),
        (pdf_with(""), "pdf", "нет текстового слоя"),
        (b"%PDF-1.4\nnot really\n%%EOF\n", "pdf", "Текст не извлекается"),
        (make_zip([("[Content_Types].xml", content_types())]), "docx", "нет основной части"),
    ],
)
def test_files_without_text_say_why(tmp_path, data, kind, message):
    with pytest.raises(NoText, match=message):
        extract_text(write(tmp_path, data, "x"), kind)


def test_diff_marks_added_and_removed_paragraphs_with_context():
    old = ["один", "два", "три", "четыре", "пять", "шесть", "семь"]
    new = ["один", "два", "три", "четыре", "пять", "6", "семь", "восемь"]
    result = diff_lines(old, new)
    assert (result.added, result.removed) == (2, 1)
    assert [(line.op, line.text) for line in result.lines] == [
        ("same", "четыре"),
        ("same", "пять"),
        ("del", "шесть"),
        ("add", "6"),
        ("same", "семь"),
        ("add", "восемь"),
    ]
    assert diff_lines(old, old).identical


def add(doc, data: bytes, name: str) -> None:
    services.add_version(doc.id, io.BytesIO(data), name, actor=user(SCHOOL))
    db.session.commit()


def test_diff_page_between_any_two_versions(app, demo, client):
    doc = documents_of("08-UMC")[0]
    add(doc, docx_with("Цель: повысить результаты", "Срок: 2026"), "v1.docx")
    add(doc, docx_with("Цель: повысить результаты", "Срок: май 2027"), "v2.docx")
    add(doc, xlsx(), "v3.xlsx")
    login(client, SCHOOL)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert 'id="diff-form"' in page
    html = client.get(f"/documents/{doc.id}/diff?a=1&b=2").get_data(as_text=True)
    assert '<del><span class="visually-hidden">Удалено: </span>Срок: 2026</del>' in html
    assert '<ins><span class="visually-hidden">Добавлено: </span>Срок: май 2027</ins>' in html
    assert "добавлено абзацев: 1, удалено: 1" in html
    table = client.get(f"/documents/{doc.id}/diff?a=2&b=3").get_data(as_text=True)
    assert "Версия 3: Текст не извлекается: это таблица XLSX" in table
    same = client.get(f"/documents/{doc.id}/diff?a=2&b=2")
    assert same.status_code == 422 and "две разные версии" in same.get_data(as_text=True)
    assert client.get(f"/documents/{doc.id}/diff?a=1&b=9").status_code == 422
    client.post("/logout")
    login(client, CURATOR)
    assert client.get(f"/documents/{doc.id}/diff?a=1&b=2").status_code == 200
    client.post("/logout")
    login(client, "school.08-sol@ekspertiza.local")
    assert client.get(f"/documents/{doc.id}/diff?a=1&b=2").status_code == 404
