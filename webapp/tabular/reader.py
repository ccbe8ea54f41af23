"""Read a CSV or XLSX table row by row, with Russian problems naming the file, row and column.

The format is told by content, not by name: a ZIP is vetted (``zipcheck``) and read as a workbook
through openpyxl (``read_only=True, data_only=True``: formulas give their last computed value),
anything else is read as CSV (``textfile`` finds the encoding and the delimiter). Rows are numbered
as a spreadsheet shows them (the header is row 1); empty rows are skipped; cells are stripped text.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import openpyxl
from flask_babel import lazy_gettext

from webapp.tabular.errors import TabularError, TabularRejected, reject
from webapp.tabular.textfile import NotText, detect_delimiter, detect_encoding
from webapp.tabular.zipcheck import ZIP_ERRORS, ZipProblem, ZipRejected, open_vetted

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit; stops crafted sheets with absurd row numbers
MAX_ERRORS = 100
EXTENSIONS = (".csv", ".txt", ".xlsx")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MESSAGES = {
    "suffix": lazy_gettext("неподдерживаемый тип файла «%(suffix)s»: нужен .csv или .xlsx"),
    "size": lazy_gettext("файл больше %(megabytes)s МБ: разбейте его на части"),
    "rows": lazy_gettext("в файле больше %(rows)s строк данных: разбейте его на части"),
    "missing": lazy_gettext("файл не найден"),
    "denied": lazy_gettext("нет прав на чтение файла"),
    "unreadable": lazy_gettext("файл не удалось прочитать"),
    "ole": lazy_gettext(
        "старый формат Excel (.xls) или книга с паролем на открытие: сохраните её как .xlsx "
        "без пароля или как CSV UTF-8"
    ),
    "not_xlsx": lazy_gettext(
        "файл назван .xlsx, но это не книга Excel (возможно, текст или HTML): сохраните "
        "его как .xlsx"
    ),
    "binary": lazy_gettext("файл не похож на CSV (двоичные данные): нужен .csv или .xlsx"),
    "encoding": lazy_gettext(
        "файл не в кодировке UTF-8 или Windows-1251: сохраните его как «CSV UTF-8»"
    ),
    "csv": lazy_gettext("ошибка разбора CSV (%(problem)s)"),
    "zip_corrupt": lazy_gettext("файл повреждён: архив .xlsx не читается"),
    "zip_oversized": lazy_gettext("файл .xlsx слишком велик в распакованном виде"),
    "zip_encrypted": lazy_gettext("файл .xlsx защищён паролем: снимите защиту"),
    "no_workbook": lazy_gettext("это не книга Excel (.xlsx): нужен .csv или .xlsx"),
    "corrupt_book": lazy_gettext("файл повреждён или не является книгой Excel (.xlsx)"),
    "empty": lazy_gettext("файл пуст или первая строка (заголовок) пустая"),
    "no_rows": lazy_gettext("в файле нет строк с данными (только заголовок)"),
    "missing_columns": lazy_gettext("нет обязательных столбцов: %(columns)s"),
    "repeated_column": lazy_gettext("столбец «%(column)s» повторяется"),
    "wide_row": lazy_gettext(
        "в строке %(values)s значений, а в заголовке %(columns)s столбцов: возможно, в тексте есть "
        "разделитель без кавычек"
    ),
    "too_many_errors": lazy_gettext("слишком много ошибок, проверка остановлена"),
}

_ARGUMENTS = {
    "suffix": ("suffix",),
    "size": ("megabytes",),
    "rows": ("rows",),
    "csv": ("problem",),
    "missing_columns": ("columns",),
    "repeated_column": ("column",),
    "wide_row": ("values", "columns"),
}


def _text(key: str, *args: object) -> str:
    """The problem in the user's language (Russian outside a request)."""
    text = str(_MESSAGES[key])
    return text % dict(zip(_ARGUMENTS[key], args, strict=True)) if args else text


@dataclass(frozen=True)
class Limits:
    """How much one file may hold."""

    max_rows: int = MAX_ROWS
    max_bytes: int = MAX_BYTES


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet number and the stripped text of each known column."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """The data rows of a file."""

    rows: list[Row]


class _Refused(Exception):
    """A file-level problem, before the file's name is attached."""

    def __init__(self, key: str, *args: object, row: int | None = None) -> None:
        super().__init__(_text(key, *args))
        self.row = row


def read_table(
    path: Path, known: Sequence[str], required: Sequence[str], limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Read the whole file; every problem of the header and of the rows' shape at once."""
    sheet = Sheet(path, known, required, limits)
    rows = list(sheet.rows())
    sheet.check()
    if not rows:
        raise reject(_text("no_rows"), file=sheet.name)
    return Table(rows)


class Sheet:
    """One file read row by row; cell problems are collected with :meth:`fail`."""

    def __init__(
        self,
        path: str | Path,
        known: Sequence[str],
        required: Sequence[str] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.known, self.limits = tuple(known), limits
        self.required = tuple(known if required is None else required)
        self.errors: list[TabularError] = []

    def fail(self, row: int | None, column: str | None, message: str) -> None:
        """Record a problem; stop the whole check once there are too many."""
        self.errors.append(TabularError(row, column, message, self.name))
        if len(self.errors) >= MAX_ERRORS:
            self.errors.append(TabularError(None, None, _text("too_many_errors"), self.name))
            raise TabularRejected(self.errors)

    def check(self) -> None:
        """Raise TabularRejected if any problem was recorded."""
        if self.errors:
            raise TabularRejected(self.errors)

    def rows(self) -> Iterator[Row]:
        """Yield the non-empty data rows; file-level problems raise TabularRejected at once."""
        try:
            raw = _raw_rows(self.path, self.limits)
            header = self._header(next(raw, []))
            yield from self._data(raw, header)
        except _Refused as exc:
            raise reject(str(exc), row=exc.row, file=self.name) from None

    def _header(self, values: list[str]) -> list[str]:
        """Known column names by position ('' for the others); gaps and repeats are refused."""
        if not any(values):
            raise _Refused("empty")
        names = [" ".join(v.replace("\ufeff", "").split()).lower() for v in values]
        header = [name if name in self.known else "" for name in names]
        errors = [
            TabularError(1, name, _text("repeated_column", name), self.name)
            for index, name in enumerate(header)
            if name and name in header[:index]
        ]
        missing = [c for c in self.required if c not in names]
        if missing:
            message = _text("missing_columns", ", ".join(missing))
            errors.append(TabularError(1, None, message, self.name))
        if errors:
            raise TabularRejected(errors)
        return header

    def _data(self, raw: Iterator[list[str]], header: list[str]) -> Iterator[Row]:
        count = 0
        for number, values in enumerate(raw, start=2):
            if not any(values):
                continue
            count += 1
            if count > self.limits.max_rows:
                raise _Refused("rows", f"{self.limits.max_rows:,}".replace(",", " "))
            if any(values[len(header) :]):
                self.fail(number, None, _text("wide_row", len(values), len(header)))
            cells = {name: value for name, value in zip(header, values, strict=False) if name}
            yield Row(number, {name: cells.get(name, "") for name in header if name})


def _raw_rows(path: Path, limits: Limits) -> Iterator[list[str]]:
    """Every row of the file as stripped text cells, the format found by content."""
    if path.suffix.lower() not in EXTENSIONS:
        raise _Refused("suffix", path.suffix)
    try:
        if path.stat().st_size > limits.max_bytes:
            raise _Refused("size", limits.max_bytes // 2**20)
        with path.open("rb") as fh:
            head = fh.read(8)
            if head.startswith(_ZIP_MAGIC):
                yield from _xlsx_rows(fh)
                return
        if head.startswith(_OLE_MAGIC):
            raise _Refused("ole")
        if path.suffix.lower() == ".xlsx":
            raise _Refused("not_xlsx")
        yield from _csv_rows(path)
    except FileNotFoundError:
        raise _Refused("missing") from None
    except PermissionError:
        raise _Refused("denied") from None
    except OSError:
        raise _Refused("unreadable") from None


def _csv_rows(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV file in UTF-8 or Windows-1251, ``;`` or ``,``, parsed strictly."""
    try:
        encoding = detect_encoding(path)
    except NotText as exc:
        raise _Refused(str(exc)) from None
    with path.open(encoding=encoding, newline="") as handle:
        delimiter = detect_delimiter(handle.readline())
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        number = 0
        try:
            for values in reader:
                number += 1
                yield [v.strip() for v in values]
        except csv.Error as exc:  # the row being read when parsing broke
            raise _Refused("csv", exc, row=number + 1) from None


def _xlsx_rows(fh: BinaryIO) -> Iterator[list[str]]:
    """Rows of the first worksheet as text, after the archive is vetted."""
    _vet_workbook(fh)
    fh.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # a wrong <dimension> would silently cut rows off
    except Exception as exc:  # untrusted input: the parser fails in many ways
        raise _Refused("corrupt_book") from exc
    try:
        yield from _sheet_values(sheet.iter_rows(min_row=1, values_only=True))
    finally:
        book.close()


def _sheet_values(rows: Iterator[tuple[object, ...]]) -> Iterator[list[str]]:
    """Cell texts row by row; parser failures mean a corrupt file."""
    for number in range(1, MAX_SHEET_ROWS + 2):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(rows, None)
        except Exception as exc:
            raise _Refused("corrupt_book") from exc
        if values is None:
            return
        if number > MAX_SHEET_ROWS:
            raise _Refused("rows", f"{MAX_SHEET_ROWS:,}".replace(",", " "))
        yield [_cell_text(v) for v in values]


def _vet_workbook(fh: BinaryIO) -> None:
    """The shared ZIP vetting, then: is it a workbook at all?"""
    try:
        with open_vetted(fh) as archive:
            names = set(archive.namelist())
    except ZipRejected as exc:
        key = {ZipProblem.OVERSIZED: "zip_oversized", ZipProblem.ENCRYPTED: "zip_encrypted"}
        raise _Refused(key.get(exc.problem, "zip_corrupt")) from exc
    except ZIP_ERRORS as exc:
        raise _Refused("zip_corrupt") from exc
    if "xl/workbook.xml" not in names:
        raise _Refused("no_workbook")


def _cell_text(value: object) -> str:
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
