"""The curator's diary: one row per contact with a school (visit, online meeting, phone call)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class DiaryFormat(enum.StrEnum):
    VISIT = "visit"
    ONLINE = "online"
    PHONE = "phone"


FORMAT_LABELS = {
    DiaryFormat.VISIT: "Выезд в школу",
    DiaryFormat.ONLINE: "Онлайн-встреча",
    DiaryFormat.PHONE: "Телефонный разговор",
}

# Server-side limits (the form and the service both enforce them).
PARTICIPANTS_MAX = 1000
TOPICS_MAX = 4000
AGREEMENTS_MAX = 4000


class DiaryEntry(db.Model):
    __tablename__ = "diary_entries"
    __table_args__ = (
        CheckConstraint("format in ('visit', 'online', 'phone')", name="format"),
        CheckConstraint("follow_up_on is null or follow_up_on >= held_on", name="follow_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    curator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(8))
    participants: Mapped[str] = mapped_column(String(PARTICIPANTS_MAX))
    topics: Mapped[str] = mapped_column(Text)
    agreements: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school = relationship("School")
    curator = relationship("User")
