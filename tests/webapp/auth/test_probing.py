"""Defects found by probing from outside (issue 12), each pinned by a test that failed before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import app_config
from tests.support import login
from tests.webapp.helpers import SCHOOL, user
from webapp import create_app
from webapp.auth import services as auth_services
from webapp.extensions import db


def test_next_with_cr_lf_falls_back_to_the_start_page(app, demo, client):
    response = client.post(
        "/login?next=/cabinet%0d%0aSet-Cookie:%20x=1",
        data={"email": SCHOOL, "password": "demo-pass"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Set-Cookie: x" not in str(response.headers)


def test_inactive_account_is_hashed_like_any_other(app, demo, monkeypatch):
    user(SCHOOL).active = False
    db.session.commit()
    calls = []
    real = auth_services.User.check_password

    def counting(self, password):
        calls.append(self.email)
        return real(self, password)

    monkeypatch.setattr(auth_services.User, "check_password", counting)
    assert auth_services.authenticate(SCHOOL, "demo-pass") is None
    assert calls == [SCHOOL]


@pytest.fixture
def limited_app(database_url, tmp_path):
    app = create_app(
        app_config(
            database_url, tmp_path / "uploads", LOGIN_RATE_LIMIT="3 per minute", PROXY_FIX_HOPS=1
        )
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _attempt(client, email: str, address: str):
    return client.post(
        "/login",
        data={"email": email, "password": "wrong"},
        headers={"X-Forwarded-For": address},
    )


def test_behind_the_proxy_each_client_has_its_own_bucket(limited_app):
    from webapp.demo.services import load_demo

    load_demo("demo-pass")
    client = limited_app.test_client()
    for n in range(3):
        assert _attempt(client, f"nobody{n}@x.ru", "10.0.0.1").status_code == 200
    assert _attempt(client, "nobody9@x.ru", "10.0.0.1").status_code == 429
    # Another client behind the same proxy is not locked out by the first one.
    assert _attempt(client, "someone@x.ru", "10.0.0.2").status_code == 200


def test_one_account_is_limited_whatever_address_tries_it(limited_app):
    from webapp.demo.services import load_demo

    load_demo("demo-pass")
    client = limited_app.test_client()
    for n in range(3):
        assert _attempt(client, SCHOOL, f"10.0.1.{n}").status_code == 200
    refused = _attempt(client, SCHOOL.upper(), "10.0.1.9")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Слишком много попыток" in refused.get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize(
    "path",
    [
        "/documents/2147483648",
        "/documents/2147483648/review",
        "/documents/1/versions/2147483648/file",
        "/schools/99999999999999999999",
    ],
)
def test_ids_beyond_the_column_are_not_found(app, demo, client, path):
    login(client, SCHOOL)
    assert client.get(path).status_code == 404


def test_error_page_renders_while_the_database_is_gone(app, demo, client, database_url):
    login(client, SCHOOL)
    db.session.remove()
    db.engine.dispose()
    Path(database_url.removeprefix("sqlite:///")).unlink()
    response = client.get(client.get("/cabinet").headers["Location"])
    assert response.status_code == 503
    assert "Сервис временно недоступен" in response.get_data(as_text=True)
