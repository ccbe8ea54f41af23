"""CSV input with precise Russian error messages, and the output files."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from workflows.assignment.expertise.model import SETTLEMENTS, HistoryPair, Review, School

SCHOOL_COLUMNS = ("school_id", "region_id", "municipality_id", "settlement", "pupils", "risks")
HISTORY_COLUMNS = ("reviewer_school_id", "reviewed_school_id", "year")
_INT = re.compile(r"[+-]?\d+")


class InputError(Exception):
    """Bad input; the message names the file, the row and the column."""


def read_schools(path: Path | str) -> list[School]:
    """Read and validate schools.csv."""
    path = Path(path)
    schools: list[School] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, SCHOOL_COLUMNS):
        school = _school(path, line, row)
        if school.school_id in seen:
            earlier = seen[school.school_id]
            text = f"школа «{school.school_id}» уже описана в строке {earlier}"
            raise _error(path, line, "school_id", text)
        seen[school.school_id] = line
        schools.append(school)
    if not schools:
        raise InputError(f"{path}: нет ни одной школы (только заголовок)")
    return schools


def read_history(path: Path | str, schools: Sequence[School]) -> list[HistoryPair]:
    """Read and validate history.csv against the known schools."""
    path = Path(path)
    known = {s.school_id for s in schools}
    pairs = []
    for line, row in _rows(path, HISTORY_COLUMNS):
        reviewer = _required(path, line, row, "reviewer_school_id")
        reviewed = _required(path, line, row, "reviewed_school_id")
        for column, sid in (("reviewer_school_id", reviewer), ("reviewed_school_id", reviewed)):
            if sid not in known:
                raise _error(path, line, column, f"неизвестная школа «{sid}»: её нет в schools.csv")
        if reviewer == reviewed:
            raise _error(path, line, "reviewed_school_id", "школа не может проверять сама себя")
        year = _integer(path, line, row, "year")
        pairs.append(HistoryPair(reviewer, reviewed, year))
    return pairs


def _school(path: Path, line: int, row: dict[str, str]) -> School:
    settlement = _required(path, line, row, "settlement").lower()
    if settlement not in SETTLEMENTS:
        raise _error(
            path, line, "settlement", f"ожидается urban или rural, получено «{row['settlement']}»"
        )
    pupils = _integer(path, line, row, "pupils")
    if pupils < 0:
        raise _error(path, line, "pupils", f"число учеников не может быть отрицательным: {pupils}")
    return School(
        school_id=_required(path, line, row, "school_id"),
        region_id=_required(path, line, row, "region_id"),
        municipality_id=_required(path, line, row, "municipality_id"),
        settlement=settlement,
        pupils=pupils,
        risks=_risks(path, line, row),
    )


def _risks(path: Path, line: int, row: dict[str, str]) -> frozenset[str]:
    codes = [c.strip() for c in row["risks"].split(";")]
    codes = [c for c in codes if c]
    if not codes:
        raise _error(path, line, "risks", "пустой список рисков (коды через «;»)")
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise _error(path, line, "risks", f"риск «{duplicates[0]}» указан дважды")
    return frozenset(codes)


def _required(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = row[column].strip()
    if not value:
        raise _error(path, line, column, "пустое значение")
    return value


def _integer(path: Path, line: int, row: dict[str, str], column: str) -> int:
    value = _required(path, line, row, column)
    if not _INT.fullmatch(value):
        raise _error(path, line, column, f"ожидается целое число, получено «{value}»")
    return int(value)


def _error(path: Path, line: int, column: str, text: str) -> InputError:
    return InputError(f"{path}, строка {line}, столбец «{column}»: {text}")


def _rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {column: value}) for the non-blank data rows."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            positions = _header(path, next(reader, None), columns)
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, _pick(row, positions)
    except FileNotFoundError:
        raise InputError(f"{path}: файл не найден") from None
    except IsADirectoryError:
        raise InputError(f"{path}: это папка, а не файл") from None
    except PermissionError:
        raise InputError(f"{path}: нет прав на чтение") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: файл не в кодировке UTF-8 (байт {exc.start})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: ошибка формата CSV: {exc}") from None


def _header(path: Path, header: list[str] | None, columns: Sequence[str]) -> dict[str, int]:
    if header is None:
        raise InputError(f"{path}: файл пуст, нет строки заголовка")
    names = [h.strip().lower() for h in header]
    for column in columns:
        if column not in names:
            found = ", ".join(n for n in names if n) or "пусто"
            raise InputError(
                f"{path}, строка 1: нет столбца «{column}» (в заголовке: {found}); "
                f"нужны столбцы: {', '.join(columns)}"
            )
        if names.count(column) > 1:
            raise InputError(f"{path}, строка 1: столбец «{column}» указан дважды")
    return {column: names.index(column) for column in columns}


def _pick(row: list[str], positions: dict[str, int]) -> dict[str, str]:
    return {c: row[i] if i < len(row) else "" for c, i in positions.items()}


def write_reviews(path: Path, reviews: Sequence[Review]) -> None:
    """Write reviews.csv."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reviewed_school_id", "reviewer_school_id"])
        writer.writerows((r.reviewed, r.reviewer) for r in reviews)


def write_alternates(path: Path, alternates: dict[str, list[str]]) -> None:
    """Write alternates.csv: ranks start at 1 for each reviewed school."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reviewed_school_id", "rank", "reviewer_school_id"])
        for reviewed, candidates in alternates.items():
            writer.writerows((reviewed, rank, c) for rank, c in enumerate(candidates, start=1))


def write_summary(path: Path, summary: dict) -> None:
    """Write summary.json (UTF-8, readable Russian)."""
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
