"""Authentication: password check, session ids, API tokens."""

from __future__ import annotations

import functools

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.auth.models import User, password_hash_method
from webapp.extensions import db


@functools.cache
def _dummy_hash(method: str) -> str:
    """A real hash to check against, so unknown e-mails take as long as wrong passwords."""
    return generate_password_hash("not-a-password", method=method)


UNREAD_KEY = "ekspertiza.unread_notifications"


def find_user_by_email(email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return db.session.scalars(stmt).first()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    # Always hash: an inactive account answers as slowly as any other.
    password_ok = user.check_password(password)
    if not user.active or not password_ok:
        return None
    if user.password_needs_rehash():
        user.set_password(password)  # the caller commits with the sign-in
        db.session.flush()
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login loader: ``id:version``; a bumped version revokes every older session."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = _user_with_memberships(int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _user_with_memberships(user_id: int) -> User | None:
    """The user, its memberships and its unread notification count in one statement.

    The count is kept for this request (in its WSGI environ, which dies with the request, unlike
    ``g`` in tests): the menu shows it on every page, and reading it here saves a round trip.
    """
    from webapp.notifications.models import Notification

    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    stmt = select(User, unread).where(User.id == user_id).options(joinedload(User.memberships))
    row = db.session.execute(stmt).unique().first()
    if row is None:
        return None
    if has_request_context():
        request.environ[UNREAD_KEY] = row[1] or 0
    return row[0]


def end_all_sessions(user: User) -> None:
    """Invalidate every cookie and API token of the user; the caller commits."""
    user.session_version += 1
    db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def issue_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "sv": user.session_version})


def user_from_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    return load_session_user(f"{data.get('uid')}:{data.get('sv')}")
