"""Input files of the pairing (read by ``webapp.tabular``) with clear errors, and the outputs.

Problems are written in the current language (``gettext``): the CLI and the pairing job read these
files outside a request, so there they are Russian.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from flask_babel import gettext

from webapp.tabular import Limits, Sheet, reject, write_csv
from workflows.assignment.expertise.model import SETTLEMENTS, HistoryPair, Review, School

SCHOOL_COLUMNS = ("school_id", "region_id", "municipality_id", "settlement", "pupils", "risks")
HISTORY_COLUMNS = ("reviewer_school_id", "reviewed_school_id", "year")
MAX_ROWS = 500_000
LIMITS = Limits(max_rows=MAX_ROWS, max_bytes=200 * 1024 * 1024)
_INT = re.compile(r"[+-]?\d+")


def read_schools(path: Path | str) -> list[School]:
    """Read and validate schools.csv; raise TabularRejected listing what is wrong."""
    sheet = Sheet(path, SCHOOL_COLUMNS, limits=LIMITS)
    schools: list[School] = []
    seen: dict[str, int] = {}
    for row in sheet.rows():
        school = _school(sheet, row.number, row.cells)
        if school is None:
            continue
        if school.school_id in seen:
            text = gettext(
                "школа «%(school)s» уже описана в строке %(first)s",
                school=school.school_id,
                first=seen[school.school_id],
            )
            sheet.fail(row.number, "school_id", text)
            continue
        seen[school.school_id] = row.number
        schools.append(school)
    sheet.check()
    if not schools:
        raise reject(gettext("нет ни одной школы (только заголовок)"), file=sheet.name)
    return schools


def read_history(path: Path | str, schools: Sequence[School]) -> list[HistoryPair]:
    """Read and validate history.csv against the known schools."""
    sheet = Sheet(path, HISTORY_COLUMNS, limits=LIMITS)
    known = {s.school_id for s in schools}
    pairs = []
    for row in sheet.rows():
        line, cells = row.number, row.cells
        reviewer = _required(sheet, line, cells, "reviewer_school_id")
        reviewed = _required(sheet, line, cells, "reviewed_school_id")
        for column, sid in (("reviewer_school_id", reviewer), ("reviewed_school_id", reviewed)):
            if sid is not None and sid not in known:
                message = gettext(
                    "неизвестная школа «%(school)s»: её нет в schools.csv", school=sid
                )
                sheet.fail(line, column, message)
        if reviewer is not None and reviewer == reviewed:
            message = gettext("школа не может проверять сама себя")
            sheet.fail(line, "reviewed_school_id", message)
        year = _integer(sheet, line, cells, "year")
        if reviewer and reviewed and year is not None:
            pairs.append(HistoryPair(reviewer, reviewed, year))
    sheet.check()
    return pairs


def _school(sheet: Sheet, line: int, row: dict[str, str]) -> School | None:
    values = {c: _required(sheet, line, row, c) for c in SCHOOL_COLUMNS[:3]}
    settlement = _settlement(sheet, line, row)
    pupils = _integer(sheet, line, row, "pupils")
    if pupils is not None and pupils < 0:
        message = gettext("число учеников не может быть отрицательным: %(value)s", value=pupils)
        sheet.fail(line, "pupils", message)
        pupils = None
    risks = _risks(sheet, line, row)
    if None in values.values() or settlement is None or pupils is None or risks is None:
        return None
    return School(**values, settlement=settlement, pupils=pupils, risks=risks)


def _settlement(sheet: Sheet, line: int, row: dict[str, str]) -> str | None:
    value = _required(sheet, line, row, "settlement")
    if value is not None and value.lower() not in SETTLEMENTS:
        message = gettext("ожидается urban или rural, получено «%(value)s»", value=value)
        sheet.fail(line, "settlement", message)
        return None
    return value and value.lower()


def _risks(sheet: Sheet, line: int, row: dict[str, str]) -> frozenset[str] | None:
    codes = [c.strip() for c in row["risks"].split(";")]
    codes = [c for c in codes if c]
    if not codes:
        sheet.fail(line, "risks", gettext("пустой список рисков (коды через «;»)"))
        return None
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        message = gettext("риск «%(risk)s» указан дважды", risk=duplicates[0])
        sheet.fail(line, "risks", message)
        return None
    return frozenset(codes)


def _required(sheet: Sheet, line: int, row: dict[str, str], column: str) -> str | None:
    value = row[column]
    if not value:
        sheet.fail(line, column, gettext("пустое значение"))
        return None
    return value


def _integer(sheet: Sheet, line: int, row: dict[str, str], column: str) -> int | None:
    value = _required(sheet, line, row, column)
    if value is not None and not _INT.fullmatch(value):
        message = gettext("ожидается целое число, получено «%(value)s»", value=value)
        sheet.fail(line, column, message)
        return None
    return None if value is None else int(value)


def write_reviews(path: Path, reviews: Sequence[Review]) -> None:
    """Write reviews.csv."""
    header = ["reviewed_school_id", "reviewer_school_id"]
    write_csv(path, header, ((r.reviewed, r.reviewer) for r in reviews))


def write_alternates(path: Path, alternates: dict[str, list[str]]) -> None:
    """Write alternates.csv: ranks start at 1 for each reviewed school."""
    rows = (
        (reviewed, rank, candidate)
        for reviewed, candidates in alternates.items()
        for rank, candidate in enumerate(candidates, start=1)
    )
    write_csv(path, ["reviewed_school_id", "rank", "reviewer_school_id"], rows)
