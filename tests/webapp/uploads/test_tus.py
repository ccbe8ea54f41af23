"""The tus 1.0.0 endpoint with the Flask test client: creation, offsets, limits, owners, expiry.

Expected values are written from the protocol text (https://tus.io/protocols/resumable-upload)
and from the Russian messages the plain upload form shows, not read back from the code.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support import PDF, csrf_token, login
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of, pdf_named
from webapp.common.time import utcnow
from webapp.documents.models import Document, DocumentVersion
from webapp.extensions import db
from webapp.uploads import services

ENDPOINT = "/uploads/tus/"
LIMIT = 2 * 1024 * 1024  # MAX_UPLOAD_MB = 2 in the test config
LOCATION = re.compile(r"/uploads/tus/([0-9a-f]{32})")
OFFSET_TYPE = "application/offset+octet-stream"
TOO_LARGE = "Файл больше допустимых 2 МБ."
ONLY_SCHOOL = "Загружать версии может только сама школа."


def metadata(**values: str) -> str:
    return ",".join(
        f"{key} {base64.b64encode(str(value).encode()).decode()}" for key, value in values.items()
    )


def tus(client, method: str, url: str, **headers: str):
    data = headers.pop("data", None)
    headers = {"Tus-Resumable": "1.0.0", **{k.replace("_", "-"): v for k, v in headers.items()}}
    return client.open(url, method=method, headers=headers, data=data)


def create(client, document: Document, length: int, filename: str = "план.pdf"):
    meta = metadata(document_id=document.id, filename=filename)
    return tus(client, "POST", ENDPOINT, Upload_Length=str(length), Upload_Metadata=meta)


def patch(client, url: str, offset: int, data: bytes, content_type: str = OFFSET_TYPE):
    return tus(
        client, "PATCH", url, Upload_Offset=str(offset), Content_Type=content_type, data=data
    )


def partial_files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "tus"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def versions(document: Document) -> list[DocumentVersion]:
    db.session.expire_all()
    stmt = select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    return list(db.session.scalars(stmt))


@pytest.fixture
def draft(app, demo, client) -> Document:
    """A draft document of 08-UMC with its school signed in."""
    login(client, SCHOOL)
    return documents_of("08-UMC")[0]


@pytest.fixture
def started(client, draft):
    """An upload of a 2-part PDF created for ``draft``; yields (url, data)."""
    data = pdf_named("resumable") + b"%" + b"x" * 3000 + b"\n"
    response = create(client, draft, len(data))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.headers["Location"], data


def test_options_announces_the_protocol_and_the_limit(app, client):
    response = client.options(ENDPOINT)
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {
        "creation",
        "termination",
        "expiration",
    }
    assert response.headers["Tus-Max-Size"] == str(LIMIT)


def test_creation_gives_a_random_location_and_stores_nothing_of_the_users_name(app, client, draft):
    response = create(client, draft, 100, filename="../../../etc/passwd")
    assert response.status_code == 201
    upload_id = LOCATION.fullmatch(response.headers["Location"]).group(1)
    assert partial_files(app) == [f"{upload_id}.json", f"{upload_id}.part"]
    assert "Upload-Expires" in response.headers
    head = tus(client, "HEAD", response.headers["Location"])
    assert head.status_code == 200
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("0", "100")
    assert head.headers["Cache-Control"] == "no-store"
    other = create(client, draft, 100)
    assert other.headers["Location"] != response.headers["Location"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_patches_append_head_reports_the_offset_and_the_last_one_adds_the_version(
    app, client, draft, started
):
    url, data = started
    half = len(data) // 2
    first = patch(client, url, 0, data[:half])
    assert first.status_code == 204
    assert first.headers["Upload-Offset"] == str(half)
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == str(half)
    assert versions(draft) == []

    last = patch(client, url, half, data[half:])
    assert last.status_code == 204
    assert last.headers["Upload-Offset"] == str(len(data))
    [version] = versions(draft)
    assert (version.number, version.kind, version.original_name) == (1, "pdf", "план.pdf")
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert partial_files(app) == []
    assert tus(client, "HEAD", url).status_code == 404
    page = client.get(f"/documents/{draft.id}").get_data(as_text=True)
    assert "Версия 1 загружена: план.pdf." in page


def test_wrong_offset_is_409_and_stores_nothing(app, client, started):
    url, data = started
    assert patch(client, url, 0, data[:100]).status_code == 204
    for wrong in (0, 50, 101):
        response = patch(client, url, wrong, data[wrong : wrong + 10])
        assert response.status_code == 409
        assert "Смещение не совпадает: на сервере уже 100 байт." in response.get_data(as_text=True)
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == "100"


def test_declared_length_above_the_limit_is_refused_before_any_byte(app, client, draft):
    response = create(client, draft, LIMIT + 1)
    assert response.status_code == 413
    assert response.get_data(as_text=True) == TOO_LARGE
    assert partial_files(app) == []
    assert create(client, draft, LIMIT).status_code == 201
    empty = create(client, draft, 0)
    assert (empty.status_code, empty.get_data(as_text=True)) == (400, "Файл пустой.")


def test_more_bytes_than_declared_are_refused(app, client, started):
    url, data = started
    response = patch(client, url, 0, data + b"extra")
    assert response.status_code == 413
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == "0"


def test_protocol_errors(app, client, draft, started):
    url, data = started
    no_version = client.open(url, method="HEAD")
    assert no_version.status_code == 412
    assert no_version.headers["Tus-Version"] == "1.0.0"
    assert patch(client, url, 0, data, content_type="application/pdf").status_code == 415
    assert tus(client, "PATCH", url, Content_Type=OFFSET_TYPE, data=b"x").status_code == 400
    assert (
        tus(client, "POST", ENDPOINT, Upload_Metadata=metadata(document_id=draft.id)).status_code
        == 400
    )
    assert (
        tus(client, "POST", ENDPOINT, Upload_Length="5", Upload_Metadata="x !!").status_code == 400
    )
    no_document = tus(client, "POST", ENDPOINT, Upload_Length="5", Upload_Metadata=metadata(a="b"))
    assert no_document.status_code == 400
    assert tus(client, "HEAD", "/uploads/tus/not-an-id").status_code == 404


def test_anonymous_gets_401(app, demo, client):
    assert tus(client, "POST", ENDPOINT, Upload_Length="5").status_code == 401
    assert tus(client, "HEAD", ENDPOINT + "0" * 32).status_code == 401


def test_another_user_gets_404_and_cannot_touch_the_bytes(app, client, draft, started):
    url, data = started
    assert patch(client, url, 0, data[:10]).status_code == 204
    client.post("/logout")
    login(client, CURATOR)  # may see the document, did not start this upload
    assert tus(client, "HEAD", url).status_code == 404
    assert patch(client, url, 10, data[10:]).status_code == 404
    assert tus(client, "DELETE", url).status_code == 404
    client.post("/logout")
    login(client, SCHOOL)
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == "10"
    assert versions(draft) == []


@pytest.mark.parametrize(
    "outsider", ["school.08-sol@ekspertiza.local", "school.38-ver@ekspertiza.local"]
)
def test_creation_for_a_document_out_of_reach_is_404(app, demo, client, outsider):
    document = documents_of("08-UMC")[0]
    login(client, outsider)
    assert create(client, document, 10).status_code == 404
    assert partial_files(app) == []


def test_creation_by_a_curator_or_in_review_is_403_in_russian(app, demo, client):
    document = documents_of("08-UMC")[0]
    login(client, CURATOR)
    response = create(client, document, 10)
    assert (response.status_code, response.get_data(as_text=True)) == (403, ONLY_SCHOOL)
    client.post("/logout")
    bring_to_review(document)
    login(client, SCHOOL)
    response = create(client, document, 10)
    assert response.status_code == 403
    assert "новую версию загрузить нельзя" in response.get_data(as_text=True)
    assert partial_files(app) == []


def _through_the_form(client, document: Document, data: bytes) -> str:
    """The message the plain upload form flashes for ``data``."""
    import io

    client.post(f"/documents/{document.id}/versions", data={"file": (io.BytesIO(data), "план.pdf")})
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    return re.search(r'<div class="alert alert-danger" role="alert">([^<]*)</div>', page).group(1)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"MZ\x90\x00 this is a program, not a PDF", "исполняемый файл"),
        (PDF.replace(b"trailer<<", b"trailer<< /Encrypt 5 0 R"), "защищён паролем"),
    ],
    ids=["fake-pdf", "encrypted-pdf"],
)
def test_a_completed_file_is_checked_exactly_like_the_form(app, client, draft, data, words):
    import html

    expected = html.unescape(_through_the_form(client, draft, data))
    assert words in expected
    url = create(client, draft, len(data)).headers["Location"]
    response = patch(client, url, 0, data)
    assert response.status_code == 422
    assert response.get_data(as_text=True) == expected
    assert versions(draft) == []
    assert partial_files(app) == []


def test_the_same_file_twice_is_one_version(app, client, draft):
    data = pdf_named("twice")
    for _ in range(2):
        url = create(client, draft, len(data)).headers["Location"]
        assert patch(client, url, 0, data).status_code == 204
    assert [v.number for v in versions(draft)] == [1]


def test_termination_removes_the_bytes(app, client, started):
    url, data = started
    assert patch(client, url, 0, data[:10]).status_code == 204
    assert tus(client, "DELETE", url).status_code == 204
    assert partial_files(app) == []
    assert tus(client, "HEAD", url).status_code == 404


def test_expired_uploads_are_swept_and_patch_prolongs(app, client, started):
    url, data = started
    upload_id = LOCATION.fullmatch(url).group(1)
    before = services.partial_store().get(upload_id).expires_at
    assert patch(client, url, 0, data[:10]).status_code == 204
    after = services.partial_store().get(upload_id).expires_at
    assert after > before
    assert services.sweep_partial(utcnow() + timedelta(hours=23)) == 0
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == "10"
    assert services.sweep_partial(utcnow() + timedelta(hours=25)) == 1
    assert partial_files(app) == []
    assert tus(client, "HEAD", url).status_code == 404


def test_an_expired_upload_answers_410_until_swept(app, client, started):
    url, data = started
    upload_id = LOCATION.fullmatch(url).group(1)
    store = services.partial_store()
    store.prolong(store.get(upload_id), utcnow() - timedelta(seconds=1))
    assert tus(client, "HEAD", url).status_code == 410
    assert patch(client, url, 0, data).status_code == 410
    assert versions(documents_of("08-UMC")[0]) == []


def test_the_sweep_task_removes_stale_temp_files_of_the_plain_form(app, demo):
    import os

    from tasks.uploads import sweep

    upload_dir = Path(app.config["UPLOAD_DIR"])
    stale, fresh = upload_dir / ".upload-abc.part", upload_dir / ".upload-def.part"
    for path in (stale, fresh):
        path.write_bytes(b"x")
    old = (utcnow() - timedelta(hours=25)).timestamp()
    os.utime(stale, (old, old))
    assert sweep.run() == 1
    assert (stale.exists(), fresh.exists()) == (False, True)
    assert sweep.run() == 0


def test_csrf_token_travels_in_the_header(csrf_app, demo):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": SCHOOL, "password": "demo-pass", "csrf_token": csrf_token(page)},
    )
    document = documents_of("08-UMC")[0]
    token = csrf_token(client.get(f"/documents/{document.id}").get_data(as_text=True))
    assert create(client, document, len(PDF)).status_code == 400
    meta = metadata(document_id=document.id, filename="a.pdf")
    response = tus(
        client,
        "POST",
        ENDPOINT,
        Upload_Length=str(len(PDF)),
        Upload_Metadata=meta,
        X_CSRFToken=token,
    )
    assert response.status_code == 201
    url = response.headers["Location"]
    assert patch(client, url, 0, PDF).status_code == 400
    done = tus(
        client,
        "PATCH",
        url,
        Upload_Offset="0",
        Content_Type=OFFSET_TYPE,
        X_CSRFToken=token,
        data=PDF,
    )
    assert done.status_code == 204
    assert [v.number for v in versions(document)] == [1]


def test_an_empty_patch_at_the_end_finishes_an_upload_whose_answer_was_lost(app, client, started):
    url, data = started
    upload_id = LOCATION.fullmatch(url).group(1)
    # The bytes are all stored but the request died before the version was recorded.
    (Path(app.config["UPLOAD_DIR"]) / "tus" / f"{upload_id}.part").write_bytes(data)
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == str(len(data))
    response = patch(client, url, len(data), b"")
    assert response.status_code == 204
    [version] = versions(documents_of("08-UMC")[0])
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert partial_files(app) == []


def test_a_failure_to_record_the_version_keeps_the_upload_one_byte_short(
    app, client, draft, started, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    url, data = started
    real = services.finish_upload

    def database_down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(services, "finish_upload", database_down)
    assert patch(client, url, 0, data).status_code == 503
    assert tus(client, "HEAD", url).headers["Upload-Offset"] == str(len(data) - 1)
    assert versions(draft) == []
    monkeypatch.setattr(services, "finish_upload", real)
    assert patch(client, url, len(data) - 1, data[-1:]).status_code == 204
    [version] = versions(draft)
    assert version.sha256 == hashlib.sha256(data).hexdigest()


def test_a_second_request_on_a_held_upload_is_told_to_retry(app, client, started):
    url, data = started
    store = services.partial_store()
    session = store.get(LOCATION.fullmatch(url).group(1))
    with store.locked(session):
        assert patch(client, url, 0, data).status_code == 423
        assert tus(client, "DELETE", url).status_code == 423
    assert patch(client, url, 0, data).status_code == 204


def test_the_script_is_on_the_upload_page_only_and_the_library_is_not_in_the_first_load(
    app, client, draft
):
    page = client.get(f"/documents/{draft.id}").get_data(as_text=True)
    # Static URLs carry the file's content hash (webapp/common/assets.py).
    assert len(re.findall(r'src="/static/js/resumable-upload\.[0-9a-f]+\.js"', page)) == 1
    assert 'data-tus-endpoint="/uploads/tus/"' in page
    assert '<script src="/static/vendor/tus-js-client' not in page  # fetched on the first upload
    script = re.search(
        r'data-tus-script="(/static/vendor/tus-js-client-4\.3\.1\.min[^"]*\.js)"', page
    )
    assert script is not None
    with client.get(script.group(1)) as library:
        assert library.status_code == 200
    assert "resumable-upload.js" not in client.get(f"/schools/{draft.school_id}").get_data(
        as_text=True
    )
    client.post("/logout")
    login(client, CURATOR)
    assert "resumable-upload.js" not in client.get(f"/documents/{draft.id}").get_data(as_text=True)


def test_a_user_keeps_at_most_three_unfinished_uploads(app, client, draft):
    urls = [create(client, draft, 10).headers["Location"] for _ in range(3)]
    assert patch(client, urls[0], 0, b"12345").status_code == 204  # the most recently used
    newest = create(client, draft, 10).headers["Location"]
    alive = [u for u in [*urls, newest] if tus(client, "HEAD", u).status_code == 200]
    assert alive == [urls[0], urls[2], newest]
    assert len(partial_files(app)) == 6
