"""Users and their scoped roles."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class RoleCode(enum.StrEnum):
    ADMIN = "admin"
    REGIONAL_COORDINATOR = "regional_coordinator"
    MUNICIPAL_COORDINATOR = "municipal_coordinator"
    CURATOR = "curator"
    SCHOOL = "school"
    EXPERT = "expert"
    OBSERVER = "observer"


ROLE_LABELS = {
    RoleCode.ADMIN: "Федеральный оператор",
    RoleCode.REGIONAL_COORDINATOR: "Региональный координатор",
    RoleCode.MUNICIPAL_COORDINATOR: "Муниципальный координатор",
    RoleCode.CURATOR: "Куратор",
    RoleCode.SCHOOL: "Школа",
    RoleCode.EXPERT: "Эксперт",
    RoleCode.OBSERVER: "Наблюдатель",
}

# scrypt with N=2**14, r=8, p=1: about 45 ms of CPU and 16 MB per hash on this project's
# machines (Werkzeug's default N=2**15 costs about 100 ms). See docs/load.md.
DEFAULT_PASSWORD_HASH_METHOD = "scrypt:16384:8:1"  # noqa: S105  (a method, not a secret)


def password_hash_method() -> str:
    """The configured hashing method with its parameters (``PASSWORD_HASH_METHOD``)."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_PASSWORD_HASH_METHOD
    return DEFAULT_PASSWORD_HASH_METHOD


_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in RoleCode)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    # The user's language for e-mails (ru/en), stored when a signed-in user switches (?lang=).
    locale: Mapped[str] = mapped_column(String(2), default="ru", server_default="ru")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The zone the user chose to see times in; empty = the zone of their organisation's region.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Session id carries the session version, so logout everywhere revokes old cookies."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """The stored hash was made with other parameters than the configured ones.

        Werkzeug writes the method with its parameters before the first ``$``
        (``scrypt:16384:8:1$salt$hash``) and ``check_password_hash`` reads them from there, so
        every older hash stays verifiable; a successful sign-in then stores a new one.
        """
        return self.password_hash.split("$", 1)[0] != password_hash_method()

    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))


class Membership(db.Model):
    """A role held by a user within a scope (region, municipality or school)."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(f"role in ({_ROLE_VALUES})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
