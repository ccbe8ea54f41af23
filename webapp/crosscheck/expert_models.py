"""Invitations of ВПР experts: a time-limited, single-use link to set a password.

Only the SHA-256 of the token is stored here; the token itself travels in the invitation e-mail
(the notification row that carries it is the outbox, see docs/crosscheck-experts.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class ExpertInvitation(db.Model):
    __tablename__ = "crosscheck_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
