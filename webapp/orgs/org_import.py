"""Import of regions, municipalities and schools: validate every row first, then write."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from webapp.common.time import is_zone
from webapp.extensions import db
from webapp.orgs.importer import Cells, parse_count, parse_flag
from webapp.orgs.models import Municipality, Region, School, Settlement
from webapp.orgs.services import municipalities_by_key, name_key, schools_by_code
from webapp.orgs.zones import zone_for_code
from webapp.tabular import Table, TabularError, TabularRejected, by_row

MAX_PUPILS = 100_000
_FLAGS = {
    "low_results": "is_low_results",
    "project_500plus": "is_500plus",
    "objectivity_control": "objectivity_control",
}
_SETTLEMENTS = {
    **dict.fromkeys(("urban", "городская", "городской", "город"), Settlement.URBAN.value),
    **dict.fromkeys(("rural", "сельская", "сельский", "село"), Settlement.RURAL.value),
}


@dataclass
class SchoolRow:
    """One validated row of the organisations file."""

    number: int
    region_code: str
    region_name: str
    time_zone: str  # empty: keep the region's zone (a new region: its code's zone)
    municipality: str
    code: str
    attrs: dict[str, object]


@dataclass
class OrgSummary:
    """What an organisations import created and changed."""

    regions_created: int = 0
    regions_updated: int = 0
    municipalities_created: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    schools_unchanged: int = 0


def import_orgs(table: Table) -> OrgSummary:
    """Validate every row, then upsert regions, municipalities and schools; flushes only."""
    problems: list[TabularError] = []
    rows = [_school_row(Cells(row, problems)) for row in table.rows]
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    _check_school_codes(rows, problems)
    _check_region_names(rows, regions, problems)
    if problems:
        raise TabularRejected(sorted(problems, key=by_row))
    summary = OrgSummary()
    municipalities = _upsert_places(rows, regions, summary)
    existing = schools_by_code(row.code for row in rows)
    for row in rows:
        municipality = municipalities[(row.region_code, name_key(row.municipality))]
        _upsert_school(row, municipality.id, existing.get(row.code), summary)
    db.session.flush()
    return summary


def _school_row(cells: Cells) -> SchoolRow:
    """Parse one organisations row; problems go to ``cells``."""
    attrs: dict[str, object] = {
        "name": cells.text("school_name", 400, required=True),
        "settlement": cells.parsed("settlement", _SETTLEMENTS.get, _BAD_SETTLEMENT),
        "pupils": cells.parsed(
            "pupils", lambda raw: parse_count(raw, MAX_PUPILS), _BAD_PUPILS, maximum=MAX_PUPILS
        ),
    }
    if short_name := cells.text("short_name", 200):
        attrs["short_name"] = short_name
    for column, attr in _FLAGS.items():
        if cells.has(column):
            attrs[attr] = cells.parsed(column, parse_flag, _BAD_FLAG)
    return SchoolRow(
        number=cells.row.number,
        region_code=cells.text("region_code", 16, required=True),
        region_name=cells.text("region_name", 200),
        time_zone=_zone_cell(cells),
        municipality=cells.text("municipality", 200, required=True),
        code=cells.text("school_code", 32, required=True),
        attrs=attrs,
    )


def _zone_cell(cells: Cells) -> str:
    """An IANA zone such as Asia/Kamchatka, or empty when the column is absent or blank."""
    if not cells.has("time_zone"):
        return ""
    return (
        cells.parsed(
            "time_zone", lambda raw: raw.strip() if _zone_or_blank(raw) else None, _BAD_ZONE
        )
        or ""
    )


def _zone_or_blank(raw: str) -> bool:
    return not raw.strip() or is_zone(raw.strip())


_BAD_ZONE = lazy_gettext(
    "часовой пояс «%(value)s» неизвестен: укажите зону IANA, например Europe/Kaliningrad"
)
_BAD_SETTLEMENT = lazy_gettext(
    "тип поселения «%(value)s»: укажите urban/rural или городская/сельская"
)
_BAD_PUPILS = lazy_gettext("«%(value)s» — нужно целое число обучающихся от 0 до %(maximum)s")
_BAD_FLAG = lazy_gettext("«%(value)s» — нужно 1/0, да/нет или true/false")


def _check_school_codes(rows: list[SchoolRow], problems: list[TabularError]) -> None:
    """A school code may appear on one row only."""
    first: dict[str, int] = {}
    for row in rows:
        if row.code and first.setdefault(row.code, row.number) != row.number:
            message = gettext(
                "школа с кодом «%(code)s» уже указана в строке %(first)s",
                code=row.code,
                first=first[row.code],
            )
            problems.append(TabularError(row.number, "school_code", message))


def _check_region_names(
    rows: list[SchoolRow], regions: dict[str, Region], problems: list[TabularError]
) -> None:
    """One name per region code in the file; a new region must be named somewhere."""
    named: dict[str, SchoolRow] = {}
    for row in rows:
        if not row.region_name:
            continue
        first = named.setdefault(row.region_code, row)
        if first.region_name != row.region_name:
            message = gettext(
                "в строке %(first)s у региона «%(code)s» другое название «%(name)s»",
                first=first.number,
                code=row.region_code,
                name=first.region_name,
            )
            problems.append(TabularError(row.number, "region_name", message))
    for row in rows:
        if row.region_code and row.region_code not in regions and row.region_code not in named:
            message = gettext("регион «%(code)s» новый: укажите его название", code=row.region_code)
            problems.append(TabularError(row.number, "region_name", message))


def _upsert_places(
    rows: list[SchoolRow], regions: dict[str, Region], summary: OrgSummary
) -> dict[tuple[str, str], Municipality]:
    """Create or rename regions, create missing municipalities; flush so they have ids."""
    municipalities = municipalities_by_key()
    for row in rows:
        region = regions.get(row.region_code)
        if region is None:
            zone = row.time_zone or zone_for_code(row.region_code)
            region = Region(code=row.region_code, name=row.region_name, time_zone=zone)
            regions[row.region_code] = region
            db.session.add(region)
            summary.regions_created += 1
        else:
            _update_region(region, row, summary)
        key = (row.region_code, name_key(row.municipality))
        if key not in municipalities:
            municipalities[key] = Municipality(
                region=region, name=" ".join(row.municipality.split())
            )
            db.session.add(municipalities[key])
            summary.municipalities_created += 1
    db.session.flush()
    return municipalities


def _update_region(region: Region, row: SchoolRow, summary: OrgSummary) -> None:
    """A name or zone given for an existing region replaces the stored one."""
    renamed = bool(row.region_name) and region.name != row.region_name
    rezoned = bool(row.time_zone) and region.time_zone != row.time_zone
    if renamed:
        region.name = row.region_name
    if rezoned:
        region.time_zone = row.time_zone
    summary.regions_updated += renamed or rezoned


def _upsert_school(
    row: SchoolRow, municipality_id: int, school: School | None, summary: OrgSummary
) -> None:
    """Create the school or update the attributes the file gives."""
    values = {"municipality_id": municipality_id, **row.attrs}
    if school is None:
        values.setdefault("short_name", str(row.attrs["name"])[:200])
        db.session.add(School(code=row.code, **values))
        summary.schools_created += 1
        return
    changed = {k: v for k, v in values.items() if getattr(school, k) != v}
    for attr, value in changed.items():
        setattr(school, attr, value)
    if changed:
        summary.schools_updated += 1
    else:
        summary.schools_unchanged += 1
