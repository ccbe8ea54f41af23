"""The PDF conclusion of a document's checklist: Cyrillic text, and who may download it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.support import login
from tests.webapp.reports import data
from webapp.demo.data import CHECKLISTS

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def pdf_text(body: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(body)).pages)


@BOTH
def test_the_conclusion_holds_the_checklist_in_cyrillic(app, year, client):
    login(client, data.SCHOOL)
    page = client.get(f"/documents/{year.id}").get_data(as_text=True)
    assert f'href="/documents/{year.id}/conclusion.pdf"' in page
    response = client.get(f"/documents/{year.id}/conclusion.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = " ".join(pdf_text(response.data).split())
    assert "Заключение по чек-листу проверки документа" in text
    assert "Согласовано с замечаниями" in text and "Уманцевская СОШ" in text
    for criterion in CHECKLISTS["concept"]:
        assert " ".join(criterion.split()) in text
    assert data.REMARK in text and "Есть замечания" in text and "Доработать цели" in text


@pytest.mark.parametrize(
    "email, status",
    [
        (data.SCHOOL, 200),
        (data.CURATOR, 200),
        (data.COORD, 200),
        ("admin@ekspertiza.local", 200),
        (data.OTHER_COORD, 404),
        (data.OTHER_CURATOR, 404),
        ("school.08-sol@ekspertiza.local", 404),
        ("mun.zalari@ekspertiza.local", 404),
    ],
)
def test_who_may_download_the_conclusion(app, year, client, email, status):
    login(client, email)
    assert client.get(f"/documents/{year.id}/conclusion.pdf").status_code == status


def test_no_conclusion_before_a_verdict(app, year, client):
    midterm = data.document("08-UMC", "midterm")  # submitted, never checked
    login(client, data.COORD)
    assert client.get(f"/documents/{midterm.id}/conclusion.pdf").status_code == 404
    assert "conclusion.pdf" not in client.get(f"/documents/{midterm.id}").get_data(as_text=True)
