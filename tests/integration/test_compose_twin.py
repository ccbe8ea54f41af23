"""The compose stack's native twin plays the document journey over HTTP.

``scripts/compose_twin.py`` starts what ``docker-compose.yml`` runs (migrate, gunicorn with its
settings, two workers, one beat) against a fresh PostgreSQL database and Redis, with aiosmtpd
in place of the ``mail`` service. Then, as a new installation would be used: the first admin is
created with ``create-admin`` and signs in, the demo data is loaded with ``flask demo``, a school
uploads and submits a document, the curator is e-mailed through a worker, starts the review,
fills the checklist, accepts and approves, and the school is e-mailed. Every form is sent with
its CSRF token, as a browser would. Under CI=true a missing PostgreSQL or Redis fails.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
import redis
import requests

from scripts import compose_twin
from tests import pg_admin as pg
from tests.conftest import CI
from tests.integration.conftest import wait_for
from tests.support import PDF

pytestmark = pytest.mark.integration

PASSWORD = "demo-pass-twin"
ADMIN_EMAIL, ADMIN_PASSWORD = "first.admin@example.org", "Первый-админ-2026!"
SCHOOL = "school.08-umc@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"
MAIL_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def twin(tmp_path_factory, smtp_server):
    if not pg.available():
        if CI:
            pytest.fail(f"PostgreSQL is not reachable at {pg.ADMIN_URL} (CI=true)")
        pytest.skip("PostgreSQL is not reachable")
    try:
        redis.Redis.from_url(compose_twin.REDIS_BASE, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if CI:
            pytest.fail(f"Redis is not reachable at {compose_twin.REDIS_BASE} (CI=true): {exc}")
        pytest.skip(f"Redis is not reachable at {compose_twin.REDIS_BASE}")
    name = f"ekspertiza_twin_{uuid.uuid4().hex[:8]}"
    url = compose_twin.create_database(name)
    log_dir = tmp_path_factory.mktemp("twin")
    running = compose_twin.start(database_url=url, smtp_port=smtp_server[0], log_dir=log_dir)
    try:
        yield running
    finally:
        running.stop()
        client = redis.Redis.from_url(compose_twin.REDIS_BASE)
        for key in client.scan_iter(f"*{running.queue}*"):
            client.delete(key)
        client.close()
        compose_twin.drop_database(name)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def lock_version(html: str) -> str:
    return re.search(r'name="lock_version" value="(\d+)"', html).group(1)


class Browser:
    """A cookie-keeping HTTP client that sends each form with the page's CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.http = requests.Session()

    def get(self, path: str, expect: int = 200) -> str:
        response = self.http.get(self.base + path, timeout=60)
        assert response.status_code == expect, (path, response.status_code, response.text[:800])
        return response.text

    def post(self, path: str, page: str, data: dict, files=None, expect: int = 302) -> str:
        data = {"csrf_token": csrf(page), **data}
        response = self.http.post(
            self.base + path, data=data, files=files, allow_redirects=False, timeout=60
        )
        assert response.status_code == expect, (path, response.status_code, response.text[:800])
        return response.headers.get("Location", "")

    def login(self, email: str, password: str) -> None:
        page = self.get("/login")
        self.post("/login", page, {"email": email, "password": password})


def test_compose_twin_serves_the_document_journey(twin, mailbox):
    # The services run as compose says: gunicorn with 4 workers, two Celery workers, one beat.
    assert set(twin.processes) == {"web", "worker-1", "worker-2", "beat"}
    assert all(p.poll() is None for p in twin.processes.values())
    assert "Booting worker" in twin.log("web")

    # A fresh installation: the first administrator, then the same command again.
    created = twin.flask(
        "create-admin",
        "--email",
        ADMIN_EMAIL,
        "--name",
        "Первый администратор",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert f"Администратор {ADMIN_EMAIL} создан." in created.stdout
    again = twin.flask(
        "create-admin",
        "--email",
        ADMIN_EMAIL,
        "--name",
        "X",
        "--password-stdin",
        stdin="Другой-пароль-2026!\n",
    )
    assert again.returncode == 0 and "уже есть" in again.stdout
    admin = Browser(twin.base_url)
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.get("/overview")  # an administrator's screen answers 200

    demo = twin.flask("demo", "--password", PASSWORD, "--without-peer-stage", "--json")
    assert demo.returncode == 0, demo.stderr
    assert {SCHOOL, CURATOR} <= {row["email"] for row in json.loads(demo.stdout)}

    # The school uploads a file and submits its first document. News of its own document
    # («Мой документ изменился») goes to the daily digest by default: it asks for it at once.
    school = Browser(twin.base_url)
    school.login(SCHOOL, PASSWORD)
    settings = school.get("/notifications/settings")
    school.post(
        "/notifications/settings",
        settings,
        {
            "action": "instant",
            "peer": "instant",
            "reminder": "instant",
            "changed": "instant",
            "time_zone": "",
        },
    )
    cabinet = school.get("/cabinet")
    document_id = re.search(r'href="/documents/(\d+)"', cabinet).group(1)
    page = school.get(f"/documents/{document_id}")
    school.post(
        f"/documents/{document_id}/versions",
        page,
        {},
        files={"file": ("Концепция.pdf", PDF, "application/pdf")},
    )
    page = school.get(f"/documents/{document_id}")
    assert "Концепция.pdf" in page
    mailbox.clear()
    school.post(
        f"/documents/{document_id}/transitions",
        page,
        {"trigger": "submit", "lock_version": lock_version(page)},
    )

    # The curator hears of it by e-mail, delivered by one of the twin's workers.
    (to_curator,) = wait_for(lambda: mailbox.to(CURATOR), MAIL_TIMEOUT, "the curator's e-mail")
    assert to_curator["Subject"].startswith("[Экспертиза] ")

    curator = Browser(twin.base_url)
    curator.login(CURATOR, PASSWORD)
    assert f"/documents/{document_id}" in curator.get("/queue")
    page = curator.get(f"/documents/{document_id}")
    curator.post(
        f"/documents/{document_id}/transitions",
        page,
        {"trigger": "start_review", "lock_version": lock_version(page)},
    )
    review = curator.get(f"/documents/{document_id}/review")
    statuses = re.findall(r'name="(status_\d+)"', review)
    assert statuses
    curator.post(
        f"/documents/{document_id}/review",
        review,
        {
            **dict.fromkeys(statuses, "met"),
            "verdict": "approve",
            "comment": "",
            "lock_version": lock_version(review),
            "action": "verdict",
        },
    )
    page = curator.get(f"/documents/{document_id}")
    curator.post(
        f"/documents/{document_id}/transitions",
        page,
        {"trigger": "approve", "lock_version": lock_version(page)},
    )

    # The school sees the approval and gets its e-mail.
    assert "Утверждён" in school.get(f"/documents/{document_id}")
    (approved,) = wait_for(
        lambda: [m for m in mailbox.to(SCHOOL) if m["Subject"].endswith(": Утверждён")],
        MAIL_TIMEOUT,
        "the school's e-mail of the approval",
    )
    assert approved["Subject"].startswith("[Экспертиза] ")
    for name in ("worker-1", "worker-2"):
        assert "Traceback" not in twin.log(name), twin.log(name)[-3000:]
