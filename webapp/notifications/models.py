"""In-app notifications; each row is also the outbox entry for its e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        UniqueConstraint("transition_log_id", "user_id"),
        CheckConstraint(
            "email_state in ('pending', 'sending', 'sent', 'failed', 'digest', 'digested', "
            "'inapp')",
            name="email_state",
        ),
        CheckConstraint("kind in ('action', 'changed', 'reminder', 'peer', 'digest')", name="kind"),
        Index("ix_notifications_digest_wait", "user_id", "email_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    transition_log_id: Mapped[int | None] = mapped_column(ForeignKey("transition_logs.id"))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    link: Mapped[str | None] = mapped_column(String(300))  # a site path, when not the document
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the notification is about (webapp/notifications/preferences.py): chooses the delivery.
    kind: Mapped[str] = mapped_column(String(16), default="changed", server_default="changed")
    # Set from the recipient's choice for the kind when first flushed (preferences.py).
    email_state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_last_error: Mapped[str | None] = mapped_column(String(500))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    transition_log = relationship("TransitionLog")
    document = relationship("Document")


class NotificationPreference(db.Model):
    """How one user wants one kind of notification delivered (no row = the kind's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        CheckConstraint("delivery in ('instant', 'digest', 'inapp')", name="delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    delivery: Mapped[str] = mapped_column(String(16))
