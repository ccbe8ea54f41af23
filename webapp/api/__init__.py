"""The JSON API under /api/v1 (flask-smorest): one module per resource, spec from schemas."""

from __future__ import annotations

from importlib.util import find_spec

from flask import Flask

from webapp.api.base import ID, Api, IdConverter, id_schema

SETTINGS = {
    "API_TITLE": "Ekspertiza API",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # No OPENAPI_SWAGGER_UI_PATH / REDOC / RAPIDOC: their pages load scripts from a CDN.
}
INFO = {"description": "Документы школ 500+: версии, переходы, чек-листы, история, задачи."}
BEARER = {"type": "http", "scheme": "bearer", "description": "Токен из POST /api/v1/auth/token"}


def init_api(app: Flask) -> Api:
    """Bind a new ``Api`` to the app and register every resource of /api/v1."""
    from webapp.api import (
        auth,
        crosschecks,
        documents,
        expert_works,
        pairings,
        peer_assignments,
        remarks,
        reviews,
    )

    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    app.url_map.converters[ID] = IdConverter
    api = Api(app, spec_kwargs={"info": INFO})
    api.register_converter(IdConverter, id_schema)
    api.spec.components.security_scheme("bearer", BEARER)
    resources = [
        auth.bp,
        documents.bp,
        reviews.bp,
        remarks.bp,
        peer_assignments.bp,
        pairings.bp,
        crosschecks.bp,
        expert_works.bp,
    ]
    if find_spec("webapp.jobs") is not None:
        from webapp.api import jobs

        resources.append(jobs.bp)
    for bp in resources:
        api.register_blueprint(bp)
    return api
