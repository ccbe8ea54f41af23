"""Writing diary entries and reading them by school and by curator (always scoped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.diary.models import (
    AGREEMENTS_MAX,
    PARTICIPANTS_MAX,
    TOPICS_MAX,
    DiaryEntry,
    DiaryFormat,
)
from webapp.diary.permissions import can_write_diary, diary_scope
from webapp.extensions import db
from webapp.orgs.models import School


class DiaryRefused(Exception):
    """A value the diary does not accept (the message is Russian, shown as is)."""


@dataclass(frozen=True)
class EntryInput:
    held_on: date
    format: str
    participants: str
    topics: str
    agreements: str = ""
    follow_up_on: date | None = None


def _check(data: EntryInput) -> None:
    if data.format not in {f.value for f in DiaryFormat}:
        raise DiaryRefused("Неизвестный формат встречи.")
    if not data.participants.strip() or not data.topics.strip():
        raise DiaryRefused("Укажите участников и темы.")
    if len(data.participants) > PARTICIPANTS_MAX:
        raise DiaryRefused("Участники: не длиннее 1000 символов.")
    if len(data.topics) > TOPICS_MAX:
        raise DiaryRefused("Темы: не длиннее 4000 символов.")
    if len(data.agreements) > AGREEMENTS_MAX:
        raise DiaryRefused("Договорённости: не длиннее 4000 символов.")
    if data.follow_up_on is not None and data.follow_up_on < data.held_on:
        raise DiaryRefused("Дата контроля не раньше даты встречи.")


def add_entry(school: School, curator: User, data: EntryInput) -> DiaryEntry:
    """A curator of the school writes an entry; the caller commits."""
    if not can_write_diary(curator, school):
        raise PermissionError("only a curator of the school writes its diary")
    _check(data)
    entry = DiaryEntry(
        school_id=school.id,
        curator_id=curator.id,
        held_on=data.held_on,
        format=data.format,
        participants=data.participants.strip(),
        topics=data.topics.strip(),
        agreements=data.agreements.strip(),
        follow_up_on=data.follow_up_on,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _scoped(user: User):
    return (
        select(DiaryEntry)
        .join(School, School.id == DiaryEntry.school_id)
        .where(diary_scope(user))
        .options(joinedload(DiaryEntry.school), joinedload(DiaryEntry.curator))
        .order_by(DiaryEntry.held_on.desc(), DiaryEntry.id.desc())
    )


def school_entries(user: User, school_id: int, limit: int = 500) -> list[DiaryEntry]:
    stmt = _scoped(user).where(DiaryEntry.school_id == school_id).limit(limit)
    return list(db.session.scalars(stmt))


def visible_entries(
    user: User, *, curator_id: int | None = None, limit: int = 500
) -> list[DiaryEntry]:
    """Entries in the user's scope, optionally those of one curator."""
    stmt = _scoped(user)
    if curator_id is not None:
        stmt = stmt.where(DiaryEntry.curator_id == curator_id)
    return list(db.session.scalars(stmt.limit(limit)))


def visible_entry(user: User, entry_id: int) -> DiaryEntry | None:
    return db.session.scalars(_scoped(user).where(DiaryEntry.id == entry_id)).first()
