"""Every revision upgrades and downgrades; the migrated schema matches the models."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import app_config
from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def empty_url(backend, request, tmp_path):
    if backend == "postgresql":
        from tests import pg_admin

        request.getfixturevalue("pg_url")  # fails under CI when PostgreSQL is missing
        name = f"ekspertiza_mig_{tmp_path.name[-8:].replace('-', '_')}"
        pg_admin.drop_database(name)
        url = pg_admin.create_database(name)
        yield url
        pg_admin.drop_database(name)
    else:
        yield f"sqlite:///{tmp_path / 'mig.db'}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_upgrade_downgrade_upgrade_and_no_drift(empty_url, tmp_path):
    app = create_app(app_config(empty_url, tmp_path / "uploads"))
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        db.engine.dispose()
