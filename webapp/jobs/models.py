"""The ``jobs`` table: one row per background job, polled by its page."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.common.time import UTCDateTime, utcnow
from webapp.extensions import db


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})

STATE_LABELS = {
    JobState.QUEUED: "В очереди",
    JobState.RUNNING: "Выполняется",
    JobState.SUCCEEDED: "Готово",
    JobState.FAILED: "Ошибка",
    JobState.CANCELLED: "Отменено",
}

_STATE_VALUES = ", ".join(f"'{s.value}'" for s in JobState)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"state in ({_STATE_VALUES})", name="state"),
        CheckConstraint("progress >= 0 and progress <= 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(300), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    cancellable: Mapped[bool] = mapped_column(default=True)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last progress write
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED
