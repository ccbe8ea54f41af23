"""Resumable uploads over a real HTTP server: a connection dropped half way, then resumed.

The first test speaks the protocol over a raw ``http.client`` connection and closes the socket
after half the body; the second drives the upload form in Chromium with the network cut after
two chunks (Playwright aborts the requests) and resumes with «Продолжить».
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from tests.support import PDF
from webapp import create_app
from webapp.config import ROOT
from webapp.extensions import db

SCHOOL = "school.08-umc@ekspertiza.local"
CHUNK = 256 * 1024
OFFSET_TYPE = "application/offset+octet-stream"


def big_pdf(size: int, tag: str) -> bytes:
    """A valid PDF of about ``size`` bytes (comment lines after the header)."""
    line = b"% " + tag.encode() + b" " + b"0123456789abcdef" * 4 + b"\n"
    body = line * (size // len(line))
    return PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n" + body, 1)


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory) -> Iterator[str]:
    """The app (CSRF on, demo world, small chunks and short retries) on a live HTTP server."""
    from webapp.demo.services import load_demo

    folder = tmp_path_factory.mktemp("tus")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    config = app_config(
        f"sqlite:///{database}",
        folder / "uploads",
        WTF_CSRF_ENABLED=True,
        TUS_CHUNK_BYTES=CHUNK,
        TUS_RETRY_DELAYS_MS="0,200",
    )
    app = create_app(config)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.remove()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="tus-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def gunicorn_server(sqlite_template: Path, tmp_path_factory) -> Iterator[str]:
    """The production server of the compose stack (gunicorn, sync workers) on the demo world."""
    from webapp.demo.services import load_demo

    folder = tmp_path_factory.mktemp("tus-gunicorn")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    app = create_app(app_config(f"sqlite:///{database}", folder / "uploads"))
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "UPLOAD_DIR": str(folder / "uploads"),
        "MAX_UPLOAD_MB": "2",
        "NOTIFICATIONS_DISPATCH": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--no-control-socket"]  # the default socket in $HOME would be shared
    process = subprocess.Popen([*command, "webapp:create_app()"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["werkzeug", "gunicorn"])
def any_server(request) -> str:
    return request.getfixturevalue("server" if request.param == "werkzeug" else "gunicorn_server")


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(base: str) -> requests.Session:
    web = requests.Session()
    page = web.get(f"{base}/login", timeout=10).text
    data = {"email": SCHOOL, "password": DEMO_PASSWORD, "csrf_token": csrf(page)}
    assert web.post(f"{base}/login", data=data, timeout=10).status_code == 200
    return web


def draft_without_versions(web: requests.Session, base: str) -> int:
    """The id of a document of the signed-in school that offers the upload form and has no file."""
    school = web.get(f"{base}/cabinet", timeout=10).text
    for document_id in dict.fromkeys(re.findall(r'href="/documents/(\d+)"', school)):
        page = web.get(f"{base}/documents/{document_id}", timeout=10).text
        if 'id="upload-form"' in page and f"/documents/{document_id}/versions/1/file" not in page:
            return int(document_id)
    raise AssertionError("no document of the school is free for an upload")


def test_a_patch_cut_half_way_keeps_its_bytes_and_the_upload_resumes(any_server):
    server = any_server
    web = signed_in(server)
    document_id = draft_without_versions(web, server)
    token = csrf(web.get(f"{server}/documents/{document_id}", timeout=10).text)
    data = big_pdf(1_200_000, "drop")
    half = len(data) // 2
    common = {"Tus-Resumable": "1.0.0", "X-CSRFToken": token}
    created = web.post(
        f"{server}/uploads/tus/",
        headers=common
        | {
            "Upload-Length": str(len(data)),
            "Upload-Metadata": f"document_id {_b64(str(document_id))},filename {_b64('план.pdf')}",
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    path = created.headers["Location"]

    # A PATCH that announces the whole body, sends half of it and loses its connection.
    host = urlsplit(server)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.putrequest("PATCH", path)
    cookie = "; ".join(f"{c.name}={c.value}" for c in web.cookies)
    headers = common | {
        "Upload-Offset": "0",
        "Content-Type": OFFSET_TYPE,
        "Content-Length": str(len(data)),
        "Cookie": cookie,
        "User-Agent": web.headers["User-Agent"],  # the session is bound to it (strong protection)
    }
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(data[:half])
    conn.sock.close()
    conn.close()

    offset = _offset_when_settled(web, server + path, common)
    assert offset == half
    assert (
        f"/documents/{document_id}/versions/1/file"
        not in web.get(f"{server}/documents/{document_id}", timeout=10).text
    )

    rest = web.patch(
        server + path,
        headers=common | {"Upload-Offset": str(offset), "Content-Type": OFFSET_TYPE},
        data=data[offset:],
        timeout=10,
    )
    assert rest.status_code == 204, rest.text
    assert rest.headers["Upload-Offset"] == str(len(data))
    file = web.get(f"{server}/documents/{document_id}/versions/1/file", timeout=10)
    assert file.status_code == 200
    assert hashlib.sha256(file.content).hexdigest() == hashlib.sha256(data).hexdigest()
    assert web.head(server + path, headers=common, timeout=10).status_code == 404


def _offset_when_settled(web: requests.Session, url: str, headers: dict) -> int:
    """HEAD until the server has written what it received (the cut request ends on its own)."""
    deadline, last = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        offset = int(web.head(url, headers=headers, timeout=10).headers["Upload-Offset"])
        if offset == last and offset > 0:
            return offset
        last = offset
        time.sleep(0.2)
    return last


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


@pytest.mark.e2e
def test_the_upload_form_resumes_after_the_network_drops(server, browser, tmp_path):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=server, locale="ru-RU")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    page.goto("/login")
    page.fill("input[name=email]", SCHOOL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-submit")
    web = signed_in(server)
    document_id = draft_without_versions(web, server)

    seen: list[tuple[str, str]] = []
    network = {"up": True, "dropped": False, "patches": 0}

    def route(request_route) -> None:
        request = request_route.request
        seen.append((request.method, request.headers.get("upload-offset", "")))
        if request.method == "PATCH":
            if network["patches"] == 2 and not network["dropped"]:
                network["up"], network["dropped"] = False, True  # the line drops after 2 chunks
            if not network["up"]:
                request_route.abort("internetdisconnected")
                return
            network["patches"] += 1
        request_route.continue_()

    page.route(lambda url: re.search(r"/uploads/tus/[0-9a-f]{32}$", url) is not None, route)
    page.goto(f"/documents/{document_id}")
    data = big_pdf(1_100_000, "browser")
    page.set_input_files(
        "#file", {"name": "программа.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    page.click("#upload-submit")

    resume = page.locator("#upload-resume")
    expect(resume).to_be_visible()
    expect(page.locator("#upload-status")).to_contain_text("Связь прервалась")
    progress = page.locator("#upload-progress-bar")
    assert 0 < int(progress.get_attribute("value") or progress.evaluate("p => p.value")) < 100
    assert [m for m, _o in seen if m == "PATCH"][:2] == ["PATCH", "PATCH"]

    network["up"] = True
    cut = len(seen)
    resume.click()
    expect(page.locator(".alert-success")).to_contain_text("Версия 1 загружена: программа.pdf.")
    after = seen[cut:]
    assert after[0] == ("HEAD", "")  # asks the server where to go on
    assert ("PATCH", str(2 * CHUNK)) in after  # and goes on from the stored offset, not from 0
    assert ("PATCH", "0") not in after
    file = web.get(f"{server}/documents/{document_id}/versions/1/file", timeout=10)
    assert hashlib.sha256(file.content).hexdigest() == hashlib.sha256(data).hexdigest()
    assert errors == []
    context.close()


@pytest.mark.e2e
def test_without_javascript_the_plain_form_still_uploads(server, browser):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=server, locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", SCHOOL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-submit")
    web = signed_in(server)
    document_id = draft_without_versions(web, server)
    tus_requests: list[str] = []
    page.on("request", lambda r: "/uploads/tus/" in r.url and tus_requests.append(r.url))
    page.goto(f"/documents/{document_id}")
    page.set_input_files(
        "#file", {"name": "без-js.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("#upload-submit")
    expect(page.locator(".alert-success")).to_contain_text("загружена: без-js.pdf.")
    assert tus_requests == []
    context.close()


@pytest.mark.e2e
def test_a_refused_file_is_explained_in_russian_on_the_form(server, browser):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=server, locale="ru-RU")
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", SCHOOL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-submit")
    document_id = draft_without_versions(signed_in(server), server)
    page.goto(f"/documents/{document_id}")
    fake = b"MZ\x90\x00" + b"not a document " * 100
    page.set_input_files(
        "#file", {"name": "план.pdf", "mimeType": "application/pdf", "buffer": fake}
    )
    page.click("#upload-submit")
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Тип файла не поддерживается")
    expect(status).to_contain_text("исполняемый файл")
    expect(page.locator("#upload-resume")).to_be_hidden()
    expect(page.locator("#upload-submit")).to_be_enabled()
    assert f"/documents/{document_id}/versions/1/file" not in page.content()
    context.close()
