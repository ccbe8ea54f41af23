"""Ekspertiza: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from webapp.config import INSTANCE_DIR, load_config

logging.getLogger("transitions").setLevel(logging.WARNING)


def create_app(overrides: dict | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(load_config())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from webapp import extensions as ext

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(Path(__file__).parent.parent / "migrations"),
                         render_as_batch=True)
    ext.csrf.init_app(app)
    ext.bootstrap.init_app(app)
    ext.mail.init_app(app)
    ext.limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    pass


def _register_cli(app: Flask) -> None:
    from webapp.crosscheck.cli import crosscheck_cli
    from webapp.expertise.cli import expertise_cli

    app.cli.add_command(crosscheck_cli)
    app.cli.add_command(expertise_cli)
