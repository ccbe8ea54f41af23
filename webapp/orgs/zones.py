"""Time zones of regions and whose zone a viewer sees (DOMAIN: Russia spans eleven zones).

A region's zone is its capital's IANA zone. The import fills it from ``REGION_ZONES`` by the
region's code when the file has no ``time_zone`` column; regions outside the list get Moscow.
"""

from __future__ import annotations

from flask import has_app_context
from flask_babel import gettext
from sqlalchemy import select

from webapp.common.time import DEFAULT_ZONE
from webapp.extensions import db

# Subject code (as in the import's region_code) → the zone of its capital.
REGION_ZONES: dict[str, str] = {
    **dict.fromkeys(
        [
            "01",
            "05",
            "06",
            "07",
            "08",
            "09",
            "10",
            "11",
            "12",
            "13",
            "15",
            "16",
            "20",
            "21",
            "23",
            "26",
            "29",
            "31",
            "32",
            "33",
            "35",
            "36",
            "37",
            "40",
            "44",
            "46",
            "47",
            "48",
            "50",
            "51",
            "52",
            "53",
            "57",
            "58",
            "60",
            "61",
            "62",
            "67",
            "68",
            "69",
            "71",
            "76",
            "77",
            "78",
            "83",
        ],
        "Europe/Moscow",
    ),
    **dict.fromkeys(["02", "45", "56", "59", "66", "72", "74", "86", "89"], "Asia/Yekaterinburg"),
    **dict.fromkeys(["03", "38"], "Asia/Irkutsk"),
    **dict.fromkeys(["04", "22"], "Asia/Barnaul"),
    **dict.fromkeys(["14", "28"], "Asia/Yakutsk"),
    **dict.fromkeys(["17", "19", "24"], "Asia/Krasnoyarsk"),
    **dict.fromkeys(["18", "63"], "Europe/Samara"),
    **dict.fromkeys(["25", "27", "79"], "Asia/Vladivostok"),
    **dict.fromkeys(["91", "92"], "Europe/Simferopol"),
    "30": "Europe/Astrakhan",
    "34": "Europe/Volgograd",
    "39": "Europe/Kaliningrad",
    "41": "Asia/Kamchatka",
    "42": "Asia/Novokuznetsk",
    "43": "Europe/Kirov",
    "49": "Asia/Magadan",
    "54": "Asia/Novosibirsk",
    "55": "Asia/Omsk",
    "64": "Europe/Saratov",
    "65": "Asia/Sakhalin",
    "70": "Asia/Tomsk",
    "73": "Europe/Ulyanovsk",
    "75": "Asia/Chita",
    "87": "Asia/Anadyr",
}


def _(text: str) -> str:
    """Mark for extraction; translated when shown (``place_of``)."""
    return text


# The zones people choose from, west to east, with the place that names each.
ZONE_PLACES = {
    "Europe/Kaliningrad": _("Калининград"),
    "Europe/Moscow": _("Москва"),
    "Europe/Simferopol": _("Симферополь"),
    "Europe/Volgograd": _("Волгоград"),
    "Europe/Kirov": _("Киров"),
    "Europe/Astrakhan": _("Астрахань"),
    "Europe/Samara": _("Самара"),
    "Europe/Saratov": _("Саратов"),
    "Europe/Ulyanovsk": _("Ульяновск"),
    "Asia/Yekaterinburg": _("Екатеринбург"),
    "Asia/Omsk": _("Омск"),
    "Asia/Barnaul": _("Барнаул"),
    "Asia/Novosibirsk": _("Новосибирск"),
    "Asia/Novokuznetsk": _("Новокузнецк"),
    "Asia/Tomsk": _("Томск"),
    "Asia/Krasnoyarsk": _("Красноярск"),
    "Asia/Irkutsk": _("Иркутск"),
    "Asia/Chita": _("Чита"),
    "Asia/Yakutsk": _("Якутск"),
    "Asia/Vladivostok": _("Владивосток"),
    "Asia/Magadan": _("Магадан"),
    "Asia/Sakhalin": _("Сахалин"),
    "Asia/Kamchatka": _("Камчатка"),
    "Asia/Anadyr": _("Анадырь"),
}


def zone_for_code(code: str) -> str:
    """The zone a new region with this code gets when the file names none."""
    return REGION_ZONES.get(code.strip(), DEFAULT_ZONE)


def place_of(zone_name: str | None) -> str:
    """The place that names a zone (empty for zones outside Russia's list), in the current
    language: the viewer's in a request, the recipient's where an e-mail is written under
    ``force_locale`` (tasks and the worker have an app context); Russian without any context."""
    place = ZONE_PLACES.get(zone_name or "", "")
    return gettext(place) if place and has_app_context() else place


def user_zone(user) -> str:
    """The viewer's zone: their own choice, else their organisation's region, else Moscow."""
    if getattr(user, "time_zone", None):
        return user.time_zone
    for membership in getattr(user, "memberships", ()):
        found = _membership_zone(membership)
        if found:
            return found
    if user is not None and getattr(user, "id", None):
        return _curated_zone(user.id) or DEFAULT_ZONE
    return DEFAULT_ZONE


def school_zone(school_id: int) -> str:
    """The zone of the school's region (the zone its deadlines end in)."""
    from webapp.orgs.models import Municipality, Region, School

    stmt = (
        select(Region.time_zone)
        .join(Municipality, Municipality.region_id == Region.id)
        .join(School, School.municipality_id == Municipality.id)
        .where(School.id == school_id)
    )
    return db.session.scalar(stmt) or DEFAULT_ZONE


def _membership_zone(membership) -> str | None:
    from webapp.orgs.models import Municipality, Region

    if membership.school_id:
        return school_zone(membership.school_id)
    if membership.municipality_id:
        stmt = (
            select(Region.time_zone)
            .join(Municipality, Municipality.region_id == Region.id)
            .where(Municipality.id == membership.municipality_id)
        )
        return db.session.scalar(stmt)
    if membership.region_id:
        return db.session.scalar(select(Region.time_zone).where(Region.id == membership.region_id))
    return None


def _curated_zone(user_id: int) -> str | None:
    """A curator has no scope of its own: the zone of the first school it curates."""
    from webapp.orgs.models import CuratorSchool

    stmt = (
        select(CuratorSchool.school_id)
        .where(CuratorSchool.curator_id == user_id)
        .order_by(CuratorSchool.id)
        .limit(1)
    )
    school_id = db.session.scalar(stmt)
    return school_zone(school_id) if school_id else None
