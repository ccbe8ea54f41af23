"""API tokens: exchange an e-mail and password for a bearer token."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from flask_smorest import abort

from webapp.api.base import Blueprint
from webapp.api.schemas import TokenRequest, TokenResponse
from webapp.auth.services import authenticate, issue_token
from webapp.extensions import db, limiter

bp = Blueprint("api_tokens", __name__, url_prefix="/api/v1/auth", description="Токены доступа")


@bp.post("/token")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@bp.arguments(TokenRequest)
@bp.response(200, TokenResponse)
@bp.errors(401, 429)
def token(credentials: dict) -> dict:
    """Выдать токен по адресу электронной почты и паролю."""
    user = authenticate(credentials["email"], credentials["password"])
    if user is None:
        abort(401, message=gettext("Неверный адрес электронной почты или пароль."))
    db.session.commit()  # a rehashed password (authenticate) is stored
    return {"token": issue_token(user)}
