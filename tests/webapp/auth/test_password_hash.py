"""Password hash parameters: the configured method, older hashes still verify and get rehashed."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from tests.webapp.helpers import SCHOOL, user
from webapp import create_app
from webapp.auth import services
from webapp.auth.models import password_hash_method
from webapp.extensions import db


def test_default_method_is_scrypt_with_interactive_parameters(tmp_path):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(tmp_path), "PASSWORD_HASH_METHOD": None})
    with app.app_context():
        assert password_hash_method() == "scrypt:16384:8:1"


def test_a_hash_with_older_parameters_verifies_and_is_rehashed_on_sign_in(app, demo, client):
    school = user(SCHOOL)
    school.password_hash = generate_password_hash("demo-pass", method="pbkdf2:sha256:2000")
    db.session.commit()

    response = client.post("/login", data={"email": SCHOOL, "password": "demo-pass"})

    assert response.status_code == 302
    db.session.expire_all()
    stored = user(SCHOOL).password_hash
    assert stored.startswith("pbkdf2:sha256:1000$")  # the tests' configured method
    assert check_password_hash(stored, "demo-pass")


def test_a_wrong_password_leaves_the_old_hash(app, demo, client):
    school = user(SCHOOL)
    old = generate_password_hash("demo-pass", method="pbkdf2:sha256:2000")
    school.password_hash = old
    db.session.commit()

    client.post("/login", data={"email": SCHOOL, "password": "wrong-pass"})

    db.session.expire_all()
    assert user(SCHOOL).password_hash == old


def test_a_current_hash_is_not_rewritten(app, demo, client):
    before = user(SCHOOL).password_hash
    assert client.post("/login", data={"email": SCHOOL, "password": "demo-pass"}).status_code == 302
    db.session.expire_all()
    assert user(SCHOOL).password_hash == before


def test_unknown_e_mail_checks_a_hash_of_the_configured_method(app, demo, monkeypatch):
    seen = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: seen.append(h) or real(h, p))
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1500"

    assert services.authenticate("nobody@example.org", "whatever") is None

    assert len(seen) == 1 and seen[0].startswith("pbkdf2:sha256:1500$")
