"""Deadlines end with the day, in the zone of the school that must meet them (no Flask here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Moscow"
END_OF_DAY = time(23, 59, 59)


def end_of_day(day: date, zone_name: str) -> datetime:
    """23:59:59 of ``day`` in the zone, as an aware UTC instant."""
    local = datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone_name or DEFAULT_ZONE))
    return local.astimezone(UTC)


def local_day(at: datetime, zone_name: str) -> date:
    """The calendar day of the instant ``at`` in the zone."""
    return at.astimezone(ZoneInfo(zone_name or DEFAULT_ZONE)).date()


def deadline_after(at: datetime, days: int, zone_name: str) -> datetime:
    """The end of the day ``days`` calendar days after ``at``'s local day, in that zone."""
    return end_of_day(local_day(at, zone_name) + timedelta(days=days), zone_name)
