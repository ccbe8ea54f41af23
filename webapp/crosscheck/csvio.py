"""Read works.csv and experts.csv with clear errors; write the result files.

Files are read by ``webapp.tabular`` (CSV in UTF-8 or Windows-1251 with ``,`` or ``;``, or XLSX;
a header row with at least the required columns, others ignored; at most ``MAX_ROWS`` data rows).
Package grades must be ВПР grades (4–8, 10, 11); expert grades may be any school grade 1–11
(grades without ВПР are accepted and match nothing). Lists inside a cell are ``;``-separated.
Problems are written in the current language (Russian in the CLI; the campaign's lists, read in a
request by ``lists``, share these texts).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext

from webapp.tabular import (
    MAX_ERRORS,
    Limits,
    Sheet,
    TabularError,
    TabularRejected,
    write_csv,
    write_json,
)
from workflows.assignment.crosscheck.model import (
    SCHOOL_GRADES,
    VPR_GRADES,
    Expert,
    Package,
    Result,
)

MAX_ROWS = 500_000  # more than any one region has
MAX_BYTES = 200 * 1024 * 1024
LIMITS = Limits(max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
MAX_AMOUNT = 100_000
WORKS_COLUMNS = ("package_id", "school_id", "municipality_id", "subject", "grade", "works")
EXPERT_COLUMNS = ("expert_id", "school_id", "municipality_id", "subjects", "grades", "capacity")

Cells = dict[str, str]
Parse = Callable[[Sheet, int, Cells, dict[str, int]], object]


def read_input(works: str | Path, experts: str | Path) -> tuple[list[Package], list[Expert]]:
    """Read and check both files; raise TabularRejected listing what is wrong."""
    packages = _read(works, WORKS_COLUMNS, _package)
    staff = _read(experts, EXPERT_COLUMNS, _expert)
    _same_municipality([packages, staff])
    return packages[0], staff[0]


def write_result(result: Result, out_dir: str | Path) -> list[Path]:
    """Write assignments.csv, unassigned.csv and summary.json into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(
            out / "assignments.csv",
            ["package_id", "expert_id", "works", "role"],
            ((a.package_id, a.expert_id, a.works, a.role) for a in result.assignments),
        ),
        write_csv(
            out / "unassigned.csv",
            ["package_id", "works", "role", "reason"],
            ((u.package_id, u.works, u.role, u.reason) for u in result.unassigned),
        ),
        write_json(out / "summary.json", result.summary),
    ]


def _read(path: str | Path, columns: tuple[str, ...], parse: Parse) -> tuple[list, list[int], str]:
    sheet, seen, out, lines = Sheet(path, columns, limits=LIMITS), {}, [], []
    for row in sheet.rows():
        item = parse(sheet, row.number, row.cells, seen)
        if item is not None:
            out.append(item)
            lines.append(row.number)
    sheet.check()
    return out, lines, sheet.name


def _text(sheet: Sheet, line: int, row: Cells, column: str) -> str | None:
    if not row[column]:
        sheet.fail(line, column, gettext("пустое значение"))
        return None
    return row[column]


def _amount(sheet: Sheet, line: int, row: Cells, column: str) -> int | None:
    raw = row[column]
    try:
        value = int(raw)
    except ValueError:
        sheet.fail(line, column, not_integer(raw))
        return None
    if value < 0:
        sheet.fail(line, column, gettext("отрицательное число %(value)s", value=value))
        return None
    if value > MAX_AMOUNT:
        message = gettext(
            "слишком большое число %(value)s (допустимо до %(limit)s)",
            value=value,
            limit=MAX_AMOUNT,
        )
        sheet.fail(line, column, message)
        return None
    return value


def _grade(sheet: Sheet, line: int, column: str, raw: str, allowed: frozenset[int]) -> int | None:
    try:
        grade = int(raw)
    except ValueError:
        grade = None
    if grade in allowed:
        return grade
    sheet.fail(line, column, unknown_grade(raw, allowed == VPR_GRADES))
    return None


def unknown_grade(raw: str, vpr: bool) -> str:
    """The problem of a grade outside the allowed ones (ВПР grades or any school grade)."""
    if vpr:
        return gettext("неизвестный класс «%(value)s»: ВПР пишут в 4–8, 10 и 11 классах", value=raw)
    return gettext("неизвестный класс «%(value)s»: допустимы классы от 1 до 11", value=raw)


def not_integer(raw: str) -> str:
    return gettext("«%(value)s» — не целое число", value=raw)


def repeated(value: str, first: int) -> str:
    """The problem of a value that must be unique in its file."""
    return gettext("«%(value)s» повторяется (впервые в строке %(first)s)", value=value, first=first)


def empty_list() -> str:
    """The problem of an empty ``;``-separated list."""
    return gettext("пустой список (значения разделяются точкой с запятой)")


def _unique(sheet: Sheet, line: int, column: str, value: str, seen: dict[str, int]) -> bool:
    if value in seen:
        sheet.fail(line, column, repeated(value, seen[value]))
        return False
    seen[value] = line
    return True


def _package(sheet: Sheet, line: int, row: Cells, seen: dict[str, int]) -> Package | None:
    ids = [_text(sheet, line, row, c) for c in WORKS_COLUMNS[:4]]
    grade = _grade(sheet, line, "grade", row["grade"], VPR_GRADES)
    works = _amount(sheet, line, row, "works")
    if None in ids or grade is None or works is None:
        return None
    if not _unique(sheet, line, "package_id", ids[0], seen):
        return None
    return Package(ids[0], ids[1], ids[2], ids[3].lower(), grade, works)


def _list(sheet: Sheet, line: int, row: Cells, column: str) -> list[str] | None:
    items = [x.strip() for x in row[column].split(";") if x.strip()]
    if not items:
        sheet.fail(line, column, empty_list())
        return None
    return items


def _expert(sheet: Sheet, line: int, row: Cells, seen: dict[str, int]) -> Expert | None:
    ids = [_text(sheet, line, row, c) for c in EXPERT_COLUMNS[:3]]
    subjects = _list(sheet, line, row, "subjects")
    raw_grades = _list(sheet, line, row, "grades") or []
    grades = [_grade(sheet, line, "grades", g, SCHOOL_GRADES) for g in raw_grades]
    capacity = _amount(sheet, line, row, "capacity")
    if None in ids or not subjects or not grades or None in grades or capacity is None:
        return None
    if not _unique(sheet, line, "expert_id", ids[0], seen):
        return None
    return Expert(
        ids[0], ids[1], ids[2], frozenset(s.lower() for s in subjects), frozenset(grades), capacity
    )


def _same_municipality(tables: list[tuple[list, list[int], str]]) -> None:
    """A school must sit in one municipality across both files."""
    first: dict[str, tuple[str, str, int]] = {}
    errors: list[TabularError] = []
    for rows, lines, name in tables:
        for item, line in zip(rows, lines, strict=True):
            known = first.setdefault(item.school_id, (item.municipality_id, name, line))
            if known[0] != item.municipality_id and len(errors) < MAX_ERRORS:
                message = gettext(
                    "школа «%(school)s» уже указана в муниципалитете «%(first)s» "
                    "(%(file)s, строка %(row)s), здесь — «%(municipality)s»",
                    school=item.school_id,
                    first=known[0],
                    file=known[1],
                    row=known[2],
                    municipality=item.municipality_id,
                )
                errors.append(TabularError(line, "municipality_id", message, name))
    if errors:
        raise TabularRejected(errors)
