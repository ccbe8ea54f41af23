"""Read works.csv and experts.csv with clear Russian errors; write the three result files.

Rules (see docs/crosscheck-engine.md): UTF-8 (a BOM is fine), comma-separated, a header row with
at least the required columns (others are ignored), at most ``MAX_ROWS`` data rows per file.
Package grades must be ВПР grades (4–8, 10, 11); expert grades may be any school grade 1–11
(grades without ВПР are accepted and match nothing).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from workflows.assignment.crosscheck.model import SCHOOL_GRADES, VPR_GRADES, Expert, Package, Result

MAX_ROWS = 500_000
MAX_AMOUNT = 100_000
MAX_ERRORS = 20
WORKS_COLUMNS = ("package_id", "school_id", "municipality_id", "subject", "grade", "works")
EXPERT_COLUMNS = ("expert_id", "school_id", "municipality_id", "subjects", "grades", "capacity")


class InputError(Exception):
    """Bad input: every message names the file and, where it can, the row and column."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class _Sheet:
    """Rows of one CSV file as dicts, with errors collected per file, row and column."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path, self.name, self.columns = path, path.name, columns
        self.errors: list[str] = []

    def fail(self, line: int, column: str, problem: str) -> None:
        """Record a problem with one cell."""
        self.errors.append(f"{self.name}, строка {line}, столбец «{column}»: {problem}")
        if len(self.errors) >= MAX_ERRORS:
            self.errors.append(f"{self.name}: слишком много ошибок, проверка остановлена.")
            raise InputError(self.errors)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line number, row) pairs; raise InputError on file-level problems."""
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                yield from self._rows(csv.reader(handle))
        except FileNotFoundError:
            raise InputError([f"{self.name}: файл не найден ({self.path})."]) from None
        except IsADirectoryError:
            raise InputError([f"{self.name}: это папка, а нужен CSV-файл ({self.path})."]) from None
        except UnicodeDecodeError:
            raise InputError(
                [f"{self.name}: файл не в кодировке UTF-8 (сохраните его как «CSV UTF-8»)."]
            ) from None
        except csv.Error as exc:
            raise InputError([f"{self.name}: не удаётся прочитать CSV ({exc})."]) from None

    def _rows(self, reader) -> Iterator[tuple[int, dict[str, str]]]:
        header = [h.strip().lower() for h in next(reader, [])]
        self._check_header(header)
        where = [(c, header.index(c)) for c in self.columns]
        count = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise InputError([self._too_long()])
            yield reader.line_num, {c: (row[i].strip() if i < len(row) else "") for c, i in where}

    def _too_long(self) -> str:
        limit = f"{MAX_ROWS:,}".replace(",", " ")
        return (
            f"{self.name}: больше {limit} строк данных — больше, чем бывает в одном регионе. "
            "Разделите файл, например по муниципалитетам."
        )

    def _check_header(self, header: list[str]) -> None:
        if not header:
            raise InputError([f"{self.name}: файл пуст — нет строки заголовка."])
        missing = [c for c in self.columns if c not in header]
        if not missing:
            return
        hint = ""
        if len(header) == 1 and ";" in header[0]:
            hint = " Похоже, столбцы разделены точкой с запятой, а нужна запятая."
        need = ", ".join(self.columns)
        raise InputError(
            [f"{self.name}, строка 1: нет столбцов {', '.join(missing)} (нужны: {need}).{hint}"]
        )


def _text(sheet: _Sheet, line: int, row: dict[str, str], column: str) -> str | None:
    if not row[column]:
        sheet.fail(line, column, "пустое значение")
        return None
    return row[column]


def _amount(sheet: _Sheet, line: int, row: dict[str, str], column: str) -> int | None:
    raw = row[column]
    try:
        value = int(raw)
    except ValueError:
        sheet.fail(line, column, f"«{raw}» — не целое число")
        return None
    if value < 0:
        sheet.fail(line, column, f"отрицательное число {value}")
        return None
    if value > MAX_AMOUNT:
        sheet.fail(line, column, f"слишком большое число {value} (допустимо до {MAX_AMOUNT})")
        return None
    return value


def _grade(sheet: _Sheet, line: int, column: str, raw: str, allowed: frozenset[int]) -> int | None:
    try:
        grade = int(raw)
    except ValueError:
        grade = None
    if grade in allowed:
        return grade
    if allowed == VPR_GRADES:
        sheet.fail(line, column, f"неизвестный класс «{raw}»: ВПР пишут в 4–8, 10 и 11 классах")
    else:
        sheet.fail(line, column, f"неизвестный класс «{raw}»: допустимы классы от 1 до 11")
    return None


def _unique(sheet: _Sheet, line: int, column: str, value: str, seen: dict[str, int]) -> bool:
    if value in seen:
        sheet.fail(line, column, f"«{value}» повторяется (впервые в строке {seen[value]})")
        return False
    seen[value] = line
    return True


def _package(sheet: _Sheet, line: int, row: dict[str, str], seen: dict) -> Package | None:
    ids = [_text(sheet, line, row, c) for c in WORKS_COLUMNS[:4]]
    grade = _grade(sheet, line, "grade", row["grade"], VPR_GRADES)
    works = _amount(sheet, line, row, "works")
    if None in ids or grade is None or works is None:
        return None
    if not _unique(sheet, line, "package_id", ids[0], seen):
        return None
    return Package(ids[0], ids[1], ids[2], ids[3].lower(), grade, works)


def _list(sheet: _Sheet, line: int, row: dict[str, str], column: str) -> list[str] | None:
    items = [x.strip() for x in row[column].split(";") if x.strip()]
    if not items:
        sheet.fail(line, column, "пустой список (значения разделяются точкой с запятой)")
        return None
    return items


def _expert(sheet: _Sheet, line: int, row: dict[str, str], seen: dict) -> Expert | None:
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


def _read(path: str | Path, columns: tuple[str, ...], parse) -> tuple[list, list[int], _Sheet]:
    sheet, seen, out, lines = _Sheet(Path(path), columns), {}, [], []
    for line, row in sheet.rows():
        item = parse(sheet, line, row, seen)
        if item is not None:
            out.append(item)
            lines.append(line)
    if sheet.errors:
        raise InputError(sheet.errors)
    return out, lines, sheet


def _same_municipality(tables: list[tuple[list, list[int], _Sheet]]) -> None:
    """A school must sit in one municipality across both files."""
    first: dict[str, tuple[str, str, int]] = {}
    errors: list[str] = []
    for rows, lines, sheet in tables:
        for item, line in zip(rows, lines, strict=True):
            known = first.setdefault(item.school_id, (item.municipality_id, sheet.name, line))
            if known[0] != item.municipality_id and len(errors) < MAX_ERRORS:
                errors.append(
                    f"{sheet.name}, строка {line}, столбец «municipality_id»: школа "
                    f"«{item.school_id}» уже указана в муниципалитете «{known[0]}» "
                    f"({known[1]}, строка {known[2]}), здесь — «{item.municipality_id}»"
                )
    if errors:
        raise InputError(errors)


def read_input(works: str | Path, experts: str | Path) -> tuple[list[Package], list[Expert]]:
    """Read and check both files; raise InputError listing what is wrong."""
    packages = _read(works, WORKS_COLUMNS, _package)
    staff = _read(experts, EXPERT_COLUMNS, _expert)
    _same_municipality([packages, staff])
    return packages[0], staff[0]


def write_result(result: Result, out_dir: str | Path) -> list[Path]:
    """Write assignments.csv, unassigned.csv and summary.json into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "assignments.csv", out / "unassigned.csv", out / "summary.json"]
    with paths[0].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["package_id", "expert_id", "works", "role"])
        writer.writerows((a.package_id, a.expert_id, a.works, a.role) for a in result.assignments)
    with paths[1].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["package_id", "works", "role", "reason"])
        writer.writerows((u.package_id, u.works, u.role, u.reason) for u in result.unassigned)
    text = json.dumps(result.summary, ensure_ascii=False, indent=2)
    paths[2].write_text(text + "\n", encoding="utf-8")
    return paths


def write_inputs(packages: list[Package], experts: list[Expert], out_dir: str | Path) -> list[Path]:
    """Write works.csv and experts.csv (for demos, tests and benchmarks)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "works.csv", out / "experts.csv"]
    with paths[0].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(WORKS_COLUMNS)
        writer.writerows(
            (p.package_id, p.school_id, p.municipality_id, p.subject, p.grade, p.works)
            for p in packages
        )
    with paths[1].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPERT_COLUMNS)
        writer.writerows(
            (
                e.expert_id,
                e.school_id,
                e.municipality_id,
                ";".join(sorted(e.subjects)),
                ";".join(str(g) for g in sorted(e.grades)),
                e.capacity,
            )
            for e in experts
        )
    return paths
