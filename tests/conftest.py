"""Shared fixtures: the app on SQLite (default) or PostgreSQL, demo data, signed-in clients."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from tests import pg_admin as pg
from webapp import create_app
from webapp.extensions import db

CI = os.environ.get("CI", "").lower() == "true"


def app_config(database_url: str, upload_dir: Path, **extra: object) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(upload_dir),
        "MAX_UPLOAD_MB": 2,
        "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SUPPRESS_SEND": True,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


def migrate(database_url: str, tmp: Path) -> None:
    import flask_migrate

    app = create_app(app_config(database_url, tmp))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file migrated once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("sqlite")
    path = folder / "template.db"
    migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory) -> str:
    """A private PostgreSQL database migrated once per session (fails under CI if absent)."""
    if not pg.available():
        if CI:
            pytest.fail(f"PostgreSQL is not reachable at {pg.ADMIN_URL} (CI=true)")
        pytest.skip("PostgreSQL is not reachable")
    name = f"ekspertiza_test_{uuid.uuid4().hex[:8]}"
    url = pg.create_database(name)
    migrate(url, tmp_path_factory.mktemp("pgmig"))
    yield url
    pg.drop_database(name)


@pytest.fixture
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
        pg.truncate_all(url)
        return url
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(app_config(database_url, tmp_path / "uploads"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(app) -> dict[str, dict]:
    """Load the demo world; returns logins keyed by e-mail."""
    from webapp.demo.services import load_demo

    return {row["email"]: row for row in load_demo("demo-pass")}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(database_url, tmp_path):
    """An app with CSRF protection on, as in production."""
    app = create_app(app_config(database_url, tmp_path / "uploads", WTF_CSRF_ENABLED=True))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
