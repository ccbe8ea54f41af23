"""Light pages: hashed static names with an immutable cache, compressed text, only used CSS."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for

from tests.support import PDF, login
from tests.webapp.helpers import SCHOOL, documents_of, upload

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "webapp" / "static" / "css" / "app.css"
TEMPLATES = sorted((ROOT / "webapp").rglob("templates/**/*.html"))
BROWSER = "gzip, deflate, br, zstd"


def css_url() -> str:
    digest = hashlib.sha256(CSS.read_bytes()).hexdigest()[:12]
    return f"/static/css/app.{digest}.css"


def test_static_urls_carry_the_content_hash(app):
    with app.test_request_context():
        assert url_for("static", filename="css/app.css") == css_url()


def test_a_hashed_file_is_cached_for_a_year_and_never_revalidated(client):
    response = client.get(css_url())
    assert response.status_code == 200
    assert response.data == CSS.read_bytes()
    cache = response.headers["Cache-Control"]
    assert {"public", "max-age=31536000", "immutable"} <= {p.strip() for p in cache.split(",")}


def test_the_plain_name_still_answers_but_must_be_revalidated(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert "immutable" not in response.headers["Cache-Control"]


def test_an_old_hash_is_gone(client):
    assert client.get("/static/css/app.0123456789ab.css").status_code == 404


def test_pages_link_the_hashed_stylesheet_and_load_no_script(client):
    html = client.get("/login").get_data(as_text=True)
    assert f'href="{css_url()}"' in html
    assert "<script" not in html
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [css_url()]


def test_pages_are_never_reused_unchecked(client, demo):
    anonymous = client.get("/login")
    assert anonymous.headers["Cache-Control"] == "private, no-cache"
    login(client, SCHOOL)
    assert client.get("/cabinet", follow_redirects=True).headers["Cache-Control"] == (
        "private, no-store"
    )


@pytest.mark.parametrize(
    ("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_html_is_compressed_when_the_browser_accepts_it(client, encoding, decode):
    plain = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    packed = client.get("/login", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    # The CSRF token differs per request; the rest of the page is the same.
    token = re.compile(rb'value="[^"]{40,}"')
    assert token.sub(b"", decode(packed.data)) == token.sub(b"", plain.data)


def test_the_stylesheet_is_compressed(client):
    response = client.get(css_url(), headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == CSS.read_bytes()


def test_a_pdf_download_is_sent_as_it_is(client, demo):
    """PDF, DOCX, XLSX are compressed formats already: never compressed again."""
    document = documents_of("08-UMC")[0]
    upload(document, SCHOOL)
    login(client, SCHOOL)
    url = f"/documents/{document.id}/versions/1/file"
    with client.get(url, headers={"Accept-Encoding": BROWSER}) as pdf:
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert "Content-Encoding" not in pdf.headers
        assert pdf.data.startswith(PDF[:8])


def test_an_xlsx_export_is_sent_as_it_is(client, demo):
    login(client, "admin@ekspertiza.local")
    with client.get("/peer/overview.xlsx", headers={"Accept-Encoding": BROWSER}) as xlsx:
        assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
        assert "Content-Encoding" not in xlsx.headers


def _template_classes() -> tuple[set[str], set[str]]:
    """Class names written in templates, and prefixes of the ones built from a variable."""
    names: set[str] = set()
    prefixes: set[str] = set()
    # Markup written by Python too (the inline SVG charts of the objectivity report, dashboards).
    for template in [*TEMPLATES, ROOT / "webapp" / "common" / "charts.py"]:
        text = template.read_text(encoding="utf-8")
        for value in re.findall(r'class="([^"]*)"', text):
            for prefix in re.findall(r"([a-z][a-z0-9-]*-)\{\{", value):
                prefixes.add(prefix)
            value = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value)
            names.update(re.findall(r"[a-z][a-z0-9_-]*", value))
        # classes chosen in expressions: {{ 'table-danger' if r.overdue }}, class="form-control"
        # passed to a form field, {'queued': 'secondary'} after a "text-bg-" prefix
        for block in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text, flags=re.S):
            for literal in re.findall(r"'([^']*)'|\"([^\"]*)\"", block):
                names.update(re.findall(r"[a-z][a-z0-9_-]*", " ".join(literal)))
    return names, prefixes


def test_the_stylesheet_holds_only_classes_the_templates_use():
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    selectors = set(re.findall(r"\.([a-zA-Z][a-zA-Z0-9_-]*)", re.sub(r"\{[^}]*\}", "", css)))
    names, prefixes = _template_classes()
    unused = {s for s in selectors if s not in names and not any(s.startswith(p) for p in prefixes)}
    assert unused == set(), f"CSS classes no template uses: {sorted(unused)}"


def test_the_stylesheet_stays_small():
    assert len(CSS.read_bytes()) < 16 * 1024
    assert len(gzip.compress(CSS.read_bytes())) < 5 * 1024
