"""Time-limited, single-use links to set a password (an invitation or a reset).

The token is signed (itsdangerous) and carries the user's id and a fingerprint of the current
password hash: setting a password changes the hash, so every link issued before stops working
(single use, and an older reset link dies with a newer password). Nothing is stored.
"""

from __future__ import annotations

import enum
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import generate_password_hash

from webapp.auth.models import User
from webapp.extensions import db


class Purpose(enum.StrEnum):
    INVITE = "invite"
    RESET = "reset"


class TokenProblem(enum.StrEnum):
    INVALID = "invalid"  # forged, garbled, for another purpose, or already used
    EXPIRED = "expired"


MAX_AGE_KEYS = {Purpose.INVITE: "INVITE_TOKEN_MAX_AGE", Purpose.RESET: "RESET_TOKEN_MAX_AGE"}
DEFAULT_MAX_AGE = {Purpose.INVITE: 7 * 24 * 3600, Purpose.RESET: 2 * 3600}


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"password-{purpose}")


def fingerprint(user: User) -> str:
    """A short digest of the password hash: changes whenever the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def max_age(purpose: Purpose) -> int:
    return int(current_app.config.get(MAX_AGE_KEYS[purpose], DEFAULT_MAX_AGE[purpose]))


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": fingerprint(user)})


def check_token(token: str, purpose: Purpose) -> tuple[User | None, TokenProblem | None]:
    """The user the link is for, or the reason it cannot be used."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except SignatureExpired:
        return None, TokenProblem.EXPIRED
    except BadSignature:
        return None, TokenProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None, TokenProblem.INVALID
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or data.get("fp") != fingerprint(user):
        return None, TokenProblem.INVALID
    return user, None


def unusable_password_hash() -> str:
    """A hash of a random secret nobody knows: an invited user cannot sign in before setting one."""
    return generate_password_hash(secrets.token_urlsafe(32), method="pbkdf2:sha256:1000")


def set_new_password(user: User, password: str) -> None:
    """Store the password and end every session of the user; the caller commits."""
    user.set_password(password)
    user.session_version += 1
    db.session.flush()
