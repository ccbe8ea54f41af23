"""Timezone-aware UTC time helpers, and showing an instant in someone's local time."""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# The zone of the federal operator and of anyone whose organisation names no region.
DEFAULT_ZONE = "Europe/Moscow"
DISPLAY_FORMAT = "%d.%m.%Y %H:%M"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def zone(name: str | None) -> tzinfo:
    """The IANA zone ``name``; Moscow when it is empty or unknown (never raises)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def is_zone(name: str) -> bool:
    """True when ``name`` is an IANA zone this machine knows."""
    return bool(name) and name in _known_zones()


def _known_zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None


def utc_offset(value: datetime, zone_name: str | None) -> str:
    """``UTC+12``, ``UTC+2``, ``UTC+5:30`` for ``value`` in that zone (DST-aware)."""
    offset = value.astimezone(zone(zone_name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_text(value: datetime | None, zone_name: str | None, place: str = "") -> str:
    """``28.11.2026 18:00 (Камчатка, UTC+12)``: the instant in the zone, the zone named."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone(zone_name))
    label = utc_offset(value, zone_name)
    if place:
        label = f"{place}, {label}"
    return f"{local.strftime(DISPLAY_FORMAT)} ({label})"


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; returns aware UTC datetimes on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
