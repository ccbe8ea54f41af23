"""Reading import files (CSV or XLSX, told apart by content) into rows, with Russian problems.

Nothing here touches the database. Every problem names the row as a spreadsheet user sees it
(the header is row 1) and the column, so the whole file can be fixed in one go.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO, TypeVar

import openpyxl

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit; stops crafted sheets with absurd row numbers
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
EXTENSIONS = (".csv", ".txt", ".xlsx")

T = TypeVar("T")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TRUE = frozenset({"1", "да", "д", "true", "истина", "yes", "y", "+"})
_FALSE = frozenset({"", "0", "нет", "н", "false", "ложь", "no", "n", "-"})
_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[\w.!#$%&'*+/=?^`{|}~-]{1,64}(?<!\.)@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file; ``row`` counts like a spreadsheet (header = 1)."""

    message: str
    row: int | None = None
    column: str | None = None

    def render(self, filename: str) -> str:
        """The problem as one Russian line naming the file, row and column."""
        where = [filename]
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец {self.column}")
        return f"{', '.join(where)}: {self.message}"


class ImportRejected(Exception):
    """The file cannot be imported as a whole; nothing may be written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the import file")
        self.problems = list(problems)


def reject(message: str, row: int | None = None, column: str | None = None) -> ImportRejected:
    """A rejection with a single problem."""
    return ImportRejected([Problem(message, row, column)])


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet number and the stripped text of each known column."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """The data rows of a file and the known columns its header has."""

    columns: frozenset[str]
    rows: list[Row]


def read_table(path: Path, known: Sequence[str], required: Sequence[str]) -> Table:
    """Read a CSV or XLSX file, enforce the limits and check the header row."""
    raw = _read_rows(path)
    if not raw or not any(raw[0]):
        raise reject("файл пуст или первая строка (заголовок) пустая")
    header = _header(raw[0], known, required)
    rows = _data_rows(raw[1:], header)
    if not rows:
        raise reject("в файле нет строк с данными (только заголовок)")
    return Table(frozenset(c for c in header if c), rows)


def _read_rows(path: Path) -> list[list[str]]:
    """All rows of the file as text cells, the format found by content, not by name."""
    if path.suffix.lower() not in EXTENSIONS:
        raise reject(f"неподдерживаемый тип файла «{path.suffix}»: нужен .csv или .xlsx")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise reject(f"файл больше {MAX_BYTES // 2**20} МБ: разбейте его на части")
        with path.open("rb") as fh:
            head = fh.read(8)
            fh.seek(0)
            if head.startswith(_ZIP_MAGIC):
                return _xlsx_rows(fh)
            if head.startswith(_OLE_MAGIC):
                raise reject(_OLE_FILE)
            if path.suffix.lower() == ".xlsx":
                raise reject(_NOT_XLSX)
            return _csv_rows(fh.read(MAX_BYTES + 1))
    except FileNotFoundError as exc:
        raise reject("файл не найден") from exc
    except PermissionError as exc:
        raise reject("нет прав на чтение файла") from exc
    except OSError as exc:
        raise reject("файл не удалось прочитать") from exc


_OLE_FILE = (
    "старый формат Excel (.xls) или книга с паролем на открытие: сохраните её как .xlsx без "
    "пароля или как CSV UTF-8"
)
_NOT_XLSX = (
    "файл назван .xlsx, но это не книга Excel (возможно, текст или HTML): сохраните его как .xlsx"
)


def _csv_rows(data: bytes) -> list[list[str]]:
    """Decode UTF-8 (BOM or not), pick ``;`` or ``,`` from the header and parse strictly."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise reject("файл не в кодировке UTF-8: сохраните его как «CSV UTF-8»") from exc
    if "\0" in text:
        raise reject("файл не похож на CSV (двоичные данные): нужен .csv или .xlsx")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        return _collect(([v.strip() for v in values] for values in reader), rows)
    except csv.Error as exc:  # the row being read when parsing broke
        raise reject(f"ошибка разбора CSV ({exc})", row=len(rows) + 1) from exc


def _xlsx_rows(fh: BinaryIO) -> list[list[str]]:
    """Read the first sheet's cached values; any parser failure means a corrupt file."""
    _check_zip(fh)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            return _sheet_rows(fh)
    except ImportRejected:
        raise
    except Exception as exc:  # untrusted input: the parser fails in many ways
        raise reject("файл повреждён или не является книгой Excel (.xlsx)") from exc


def _sheet_rows(fh: BinaryIO) -> list[list[str]]:
    """Rows of the first worksheet as text; formulas give their last computed value."""
    book = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a wrong <dimension> would silently cut rows off
        return _collect(_sheet_values(sheet.iter_rows(min_row=1, values_only=True)), [])
    finally:
        book.close()


def _check_zip(fh: BinaryIO) -> None:
    """Refuse archives that are not workbooks, are encrypted or unpack to too much."""
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise reject("файл повреждён: архив .xlsx не читается") from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise reject("это не книга Excel (.xlsx): нужен .csv или .xlsx")
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise reject("файл .xlsx слишком велик в распакованном виде")
    if any(info.flag_bits & 0x1 for info in infos):
        raise reject("файл .xlsx защищён паролем: снимите защиту")
    fh.seek(0)


def _sheet_values(rows: Iterable[tuple[object, ...]]) -> Iterator[list[str]]:
    """Cell texts row by row, refusing sheets longer than Excel allows."""
    for number, values in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            raise _too_many_rows()
        yield [cell_text(v) for v in values]


def _collect(rows: Iterable[list[str]], collected: list[list[str]]) -> list[list[str]]:
    """Gather rows, refusing more than MAX_ROWS non-empty data rows (the header does not count)."""
    filled = 0
    for values in rows:
        collected.append(values)
        filled += any(values)
        if filled > MAX_ROWS + 1:
            raise _too_many_rows()
    return collected


def _too_many_rows() -> ImportRejected:
    limit = f"{MAX_ROWS:,}".replace(",", " ")
    return reject(f"в файле больше {limit} строк данных: разбейте его на части")


def cell_text(value: object) -> str:
    """The text of a spreadsheet cell: integral floats lose ``.0``, dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _header(values: list[str], known: Sequence[str], required: Sequence[str]) -> list[str]:
    """Header names by position ('' for unknown ones); duplicates and gaps are problems."""
    names = [v.strip().lstrip("\ufeff").lower() for v in values]
    problems = [
        Problem(f"столбец «{name}» повторяется", row=1, column=name)
        for index, name in enumerate(names)
        if name and name in names[:index]
    ]
    missing = [c for c in required if c not in names]
    if missing:
        problems.append(Problem(f"нет обязательных столбцов: {', '.join(missing)}", row=1))
    if problems:
        raise ImportRejected(problems)
    return [name if name in known else "" for name in names]


def _data_rows(raw: list[list[str]], header: list[str]) -> list[Row]:
    """Non-empty rows mapped by column; a CSV row wider than the header is a problem."""
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, values in enumerate(raw, start=2):
        if not any(values):
            continue
        if any(values[len(header) :]):
            problems.append(Problem(_WIDE_ROW.format(len(values), len(header)), row=number))
        cells = {name: value for name, value in zip(header, values, strict=False) if name}
        rows.append(Row(number, {name: cells.get(name, "") for name in header if name}))
    if problems:
        raise ImportRejected(problems)
    return rows


_WIDE_ROW = (
    "в строке {} значений, а в заголовке {} столбцов: возможно, в тексте есть разделитель "
    "без кавычек"
)


class Cells:
    """Typed access to one row; every bad value is recorded as a problem and gives None."""

    def __init__(self, row: Row, problems: list[Problem]) -> None:
        self.row = row
        self.problems = problems

    def fail(self, column: str, message: str) -> None:
        """Record a problem in ``column`` of this row."""
        self.problems.append(Problem(message, self.row.number, column))

    def has(self, column: str) -> bool:
        """Whether the file has this column at all."""
        return column in self.row.cells

    def text(self, column: str, max_len: int, *, required: bool = False) -> str:
        """The stripped text; empty when absent; too long or missing-but-required fail."""
        value = " ".join(self.row.cells.get(column, "").split())
        if required and not value:
            self.fail(column, "значение не заполнено")
        elif len(value) > max_len:
            self.fail(column, f"слишком длинное значение ({len(value)} символов, можно {max_len})")
        return value

    def parsed(self, column: str, parse: Callable[[str], T | None], error: str) -> T | None:
        """Apply ``parse`` to the cell; None from it is reported with ``error``."""
        raw = self.row.cells.get(column, "")
        value = parse(raw)
        if value is None:
            self.fail(column, error.format(raw) if raw else "значение не заполнено")
        return value


def parse_flag(raw: str) -> bool | None:
    """1/0, да/нет, true/false (any case); empty is false; anything else None."""
    value = raw.strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def parse_count(raw: str, maximum: int) -> int | None:
    """A non-negative integer up to ``maximum`` ("1 250" allowed), else None."""
    value = re.sub(r"\s", "", raw)
    if not value.isdecimal() or not value.isascii() or int(value) > maximum:
        return None
    return int(value)


def parse_email(raw: str) -> str | None:
    """The lower-cased e-mail if it looks valid and fits the column, else None."""
    value = raw.strip().lower()
    return value if len(value) <= 254 and _EMAIL.fullmatch(value) else None


def iter_codes(raw: str) -> Iterator[str]:
    """Codes from a list separated by ``;``, ``,`` or spaces."""
    return (code for code in re.split(r"[;,\s]+", raw) if code)
