"""Ekspertiza: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.common.routing import DatabaseId
from webapp.config import INSTANCE_DIR, ROOT, load_config

logging.getLogger("transitions").setLevel(logging.WARNING)


def create_app(overrides: dict | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(load_config())
    if overrides:
        app.config.update(overrides)
    if app.config.get("PROXY_FIX_HOPS"):
        # Behind the reverse proxy the client's address comes from X-Forwarded-For.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.url_map.converters["int"] = DatabaseId
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    _init_extensions(app)
    from webapp.common.assets import init_assets, init_compression

    init_assets(app)
    init_compression(app)
    _register_blueprints(app)
    _register_cli(app)
    from webapp.common.web import register_web_hooks

    register_web_hooks(app)
    app.before_request(remember_locale)
    from webapp.workflow.errors import register_workflow_errors

    register_workflow_errors(app)
    _connect_subscribers()
    from webapp.notifications.dispatch import register_dispatch

    register_dispatch(app)
    from webapp.notifications.preferences import register_routing

    register_routing()
    from webapp.jobs.dispatch import register_job_dispatch

    register_job_dispatch(app)
    return app


def _connect_subscribers() -> None:
    """Features that listen to the workflow layer's signals (connecting twice is harmless)."""
    from webapp.crosscheck import dispatch as crosscheck_dispatch
    from webapp.expertise import subscribers as expertise
    from webapp.notifications import crosscheck as crosscheck_notes
    from webapp.notifications import monitoring as monitoring_notes
    from webapp.notifications import outbox, peer
    from webapp.reviews import services as reviews

    outbox.connect()
    reviews.connect()
    expertise.connect()
    peer.connect()
    crosscheck_dispatch.connect()
    monitoring_notes.connect()
    crosscheck_notes.connect()


def select_locale() -> str:
    """Russian first; English when the user picked it (``?lang=en`` is stored in the session).

    The API has no session: ``?lang=`` or the ``Accept-Language`` header, Russian by default.
    """
    if not has_request_context():
        return None  # a worker or a command: the default (Russian)
    lang = request.args.get("lang")
    if request.path.startswith("/api/"):
        if lang in ("ru", "en"):
            return lang
        return request.accept_languages.best_match(("ru", "en"), default="ru")
    if lang in ("ru", "en"):
        session["lang"] = lang
    return session.get("lang", "ru")


def remember_locale() -> None:
    """A signed-in user who switches language (``?lang=``) keeps it for e-mails (User.locale)."""
    lang = request.args.get("lang")
    if lang not in ("ru", "en") or request.path.startswith("/api/"):
        return
    from flask_login import current_user

    if current_user.is_authenticated and current_user.locale != lang:
        from webapp.extensions import db

        current_user.locale = lang
        db.session.commit()


def _init_extensions(app: Flask) -> None:
    from flask_babel import gettext

    from webapp import extensions as ext
    from webapp import models  # noqa: F401  (registers every table)
    from webapp.auth.services import load_session_user

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), render_as_batch=True)
    ext.csrf.init_app(app)
    ext.mail.init_app(app)
    ext.limiter.init_app(app)
    ext.babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "webapp" / "translations"),
    )
    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message = "Войдите, чтобы продолжить."  # a catalogue id
    ext.login_manager.localize_callback = gettext  # flashed in the request's language
    ext.login_manager.login_message_category = "info"
    ext.login_manager.session_protection = "strong"
    ext.login_manager.user_loader(load_session_user)


def _register_blueprints(app: Flask) -> None:
    from webapp.api import init_api
    from webapp.auth.password import bp as password_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.campaigns.views import bp as campaigns_bp
    from webapp.crosscheck.expert_views import bp as expert_bp
    from webapp.crosscheck.report_views import bp as xc_report_bp
    from webapp.crosscheck.views import bp as crosscheck_bp
    from webapp.dashboards.views import bp as dashboards_bp
    from webapp.diary.views import bp as diary_bp
    from webapp.documents.views import bp as documents_bp
    from webapp.expertise.admin import bp as peer_admin_bp
    from webapp.expertise.views import bp as peer_bp
    from webapp.home import bp as home_bp
    from webapp.jobs.views import bp as jobs_bp
    from webapp.monitoring.views import bp as monitoring_bp
    from webapp.notifications.views import bp as notifications_bp
    from webapp.overview.followup_views import bp as followup_bp
    from webapp.overview.views import bp as overview_bp
    from webapp.reports.views import bp as reports_bp
    from webapp.reviews.views import bp as reviews_bp
    from webapp.roadmaps.views import bp as roadmaps_bp
    from webapp.setup.school import bp as school_risks_bp
    from webapp.setup.views import bp as setup_bp
    from webapp.uploads.views import bp as uploads_bp

    blueprints = (
        home_bp,
        auth_bp,
        documents_bp,
        reviews_bp,
        overview_bp,
        notifications_bp,
        campaigns_bp,
        jobs_bp,
        peer_bp,
        peer_admin_bp,
        uploads_bp,
        password_bp,
        setup_bp,
        school_risks_bp,
        followup_bp,
        expert_bp,
        xc_report_bp,
        crosscheck_bp,
        monitoring_bp,
        diary_bp,
        roadmaps_bp,
        reports_bp,
        dashboards_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)
    init_api(app)


def _register_cli(app: Flask) -> None:
    from webapp.cli import register_cli
    from webapp.crosscheck.cli import crosscheck_cli
    from webapp.expertise.cli import expertise_cli

    register_cli(app)
    app.cli.add_command(crosscheck_cli)
    app.cli.add_command(expertise_cli)
