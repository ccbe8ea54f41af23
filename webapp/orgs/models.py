"""Regions, municipalities, schools and curator links."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import DEFAULT_ZONE
from webapp.extensions import db


class Settlement(enum.StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # IANA zone of the region's capital: times are shown in it, deadlines end at its midnight.
    time_zone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_ZONE, server_default=DEFAULT_ZONE
    )

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="region")


class Municipality(db.Model):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    region: Mapped[Region] = relationship(back_populates="municipalities")
    schools: Mapped[list[School]] = relationship(back_populates="municipality")


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (
        CheckConstraint("settlement in ('urban', 'rural')", name="settlement"),
        CheckConstraint("pupils >= 0", name="pupils"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    name: Mapped[str] = mapped_column(String(400))
    short_name: Mapped[str] = mapped_column(String(200))
    settlement: Mapped[str] = mapped_column(String(8), default=Settlement.URBAN)
    pupils: Mapped[int] = mapped_column(default=0)
    is_low_results: Mapped[bool] = mapped_column(default=False)
    is_500plus: Mapped[bool] = mapped_column(default=False)
    objectivity_control: Mapped[bool] = mapped_column(default=False)

    municipality: Mapped[Municipality] = relationship(back_populates="schools")

    @property
    def region_id(self) -> int:
        return self.municipality.region_id


class CuratorSchool(db.Model):
    """A curator is responsible for a school."""

    __tablename__ = "curator_schools"
    __table_args__ = (UniqueConstraint("curator_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)

    school: Mapped[School] = relationship()
