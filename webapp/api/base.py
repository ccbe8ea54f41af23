"""The API's machinery: the smorest ``Api``, a blueprint with bearer auth and error docs."""

from __future__ import annotations

import functools
from collections.abc import Callable

import flask_smorest
from flask import g, request
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from webapp.api.errors import MESSAGES, handle_http_error
from webapp.api.schemas import MAX_ID, ErrorSchema
from webapp.auth.models import User
from webapp.auth.services import user_from_token
from webapp.documents.models import Document
from webapp.documents.queries import document_or_404
from webapp.extensions import csrf

ID = "api_id"


class IdConverter(IntegerConverter):
    """Path ids: any digits match (every method then answers 404, not 405); see ``known_id``."""


def id_schema(converter: IdConverter) -> dict:
    """How path ids appear in the spec: PostgreSQL ``integer`` ids."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


SECURITY = [{"bearer": []}]


class Parser(FlaskParser):
    """webargs' parser, but malformed JSON is a 422 like every other invalid body."""

    DEFAULT_VALIDATION_STATUS = 422

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, exc=error, messages={"json": ["Invalid JSON body."]})


class Api(flask_smorest.Api):
    """flask-smorest's Api whose errors keep our shape and stay inside the API blueprints."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # document each status instead of a catch-all

    def _register_error_handlers(self) -> None:
        """Not app-wide: HTML pages keep their own error pages (see ``Blueprint``)."""


class Blueprint(flask_smorest.Blueprint):
    """A resource of /api/v1: CSRF-exempt, JSON errors, bearer auth as a documented decorator."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register_error_handler(HTTPException, handle_http_error)
        csrf.exempt(self)

    def errors(self, *statuses: int) -> Callable:
        """Document the error statuses a view can answer with."""

        def decorator(view: Callable) -> Callable:
            for status in statuses:
                view = self.alt_response(
                    status, schema=ErrorSchema, description=str(MESSAGES[status])
                )(view)
            return view

        return decorator

    def authenticated(self, view: Callable) -> Callable:
        """Require ``Authorization: Bearer <token>``; the user is ``g.api_user``."""

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.api_user = bearer_user()
            if g.api_user is None:
                abort(401)
            return view(*args, **kwargs)

        return self.errors(401)(self.doc(security=SECURITY)(wrapper))

    def document(
        self, allowed: Callable[[User, Document], bool] | None = None, refusal: str = ""
    ) -> Callable:
        """Replace the ``document_id`` path argument by the visible document (404, then 403)."""

        def decorator(view: Callable) -> Callable:
            @functools.wraps(view)
            def wrapper(*args, document_id: int, **kwargs):
                document = document_or_404(g.api_user, known_id(document_id))
                if allowed is not None and not allowed(g.api_user, document):
                    abort(403, message=refusal)
                return view(*args, document=document, **kwargs)

            statuses = (403, 404) if allowed is not None else (404,)
            return self.errors(*statuses)(wrapper)

        return decorator


def known_id(value: int) -> int:
    """The id, or 404 when PostgreSQL's ``integer`` columns could not hold it (no query made)."""
    if not 1 <= value <= MAX_ID:
        abort(404)
    return value


def bearer_user() -> User | None:
    """The user of a valid bearer token, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_from_token(token.strip())
