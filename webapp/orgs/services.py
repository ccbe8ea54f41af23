"""Shared parts of the organisation and user imports (columns, look-ups); the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School

ORG_COLUMNS = (
    "region_code",
    "region_name",
    "time_zone",
    "municipality",
    "school_code",
    "school_name",
    "short_name",
    "settlement",
    "pupils",
    "low_results",
    "project_500plus",
    "objectivity_control",
)
ORG_REQUIRED = (
    "region_code",
    "region_name",
    "municipality",
    "school_code",
    "school_name",
    "settlement",
    "pupils",
)
USER_COLUMNS = (
    "email",
    "full_name",
    "role",
    "region_code",
    "municipality",
    "school_code",
    "password",
    "curator_schools",
)
USER_REQUIRED = ("email", "full_name", "role")
CHUNK = 500

T = TypeVar("T")


def name_key(name: str) -> str:
    """How municipality names are compared: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


def in_chunks(items: Iterable[T], size: int = CHUNK) -> Iterable[list[T]]:
    """Split ``items`` into lists of at most ``size`` (bounded IN lists)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def schools_by_code(codes: Iterable[str]) -> dict[str, School]:
    """Existing schools with these codes, their municipalities loaded."""
    found: dict[str, School] = {}
    for chunk in in_chunks(sorted(set(codes))):
        stmt = select(School).where(School.code.in_(chunk)).options(joinedload(School.municipality))
        found.update((s.code, s) for s in db.session.scalars(stmt))
    return found


def municipalities_by_key() -> dict[tuple[str, str], Municipality]:
    """Every municipality keyed by (region code, name key)."""
    rows = db.session.execute(select(Municipality, Region.code).join(Region))
    return {(code, name_key(m.name)): m for m, code in rows}
