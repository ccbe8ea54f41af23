"""Sign-in, sessions, CSRF, rate limiting and headers."""

from __future__ import annotations

from tests.support import csrf_token, login
from tests.webapp.helpers import SCHOOL, user
from webapp.extensions import db


def test_passwords_are_hashed(app, demo):
    stored = user(SCHOOL).password_hash
    assert "demo-pass" not in stored and stored.startswith("pbkdf2:")


def test_wrong_password_message_in_russian(app, demo, client):
    response = client.post("/login", data={"email": SCHOOL, "password": "wrong"})
    assert response.status_code == 200
    assert "Неверный адрес электронной почты или пароль" in response.get_data(as_text=True)


def test_open_redirect_after_login_is_refused(app, demo, client):
    response = client.post(
        "/login?next=//evil.example/x", data={"email": SCHOOL, "password": "demo-pass"}
    )
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session_for_a_copied_cookie(app, demo, client):
    login(client, SCHOOL)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/cabinet").status_code == 302
    assert db.session.get(type(user(SCHOOL)), user(SCHOOL).id).session_version == 2


def test_forms_need_csrf_token(csrf_app, demo):
    client = csrf_app.test_client()
    assert client.post("/login", data={"email": SCHOOL, "password": "demo-pass"}).status_code == 400
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": SCHOOL, "password": "demo-pass", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    refused = client.post("/logout")
    assert refused.status_code == 400 and "Форма устарела" in refused.get_data(as_text=True)


def test_login_is_rate_limited(app, demo):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    codes = [
        client.post("/login", data={"email": SCHOOL, "password": "bad"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert "Слишком много попыток" in client.post(
        "/login", data={"email": SCHOOL, "password": "bad"}
    ).get_data(as_text=True)


def test_security_headers_and_cookie_flags(app, demo, client):
    response = login(client, SCHOOL)
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]
    page = client.get("/cabinet", follow_redirects=True)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["Cache-Control"] == "private, no-store"
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
