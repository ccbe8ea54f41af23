"""Write tables (CSV or XLSX) that a spreadsheet cannot turn into formulas; stream large ones.

Formula injection: a spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (a tab or carriage return in front is skipped, so those count too), and a crafted value
such as ``=HYPERLINK(...)`` runs when the coordinator opens the file. Following OWASP's advice
("CSV Injection"), every *text* cell starting with one of these characters gets a single quote
``'`` in front; spreadsheets show the quote-prefixed text as text. Numbers are written as numbers
and never escaped, so ``-2`` the integer stays a number while ``"-2"`` the string becomes ``'-2``:
whoever needs a negative value as a number passes an int or float. The price is that a program
reading the file back sees the quote on such strings; ids of our own never start with these
characters. The same rule holds in XLSX, where openpyxl would otherwise store ``=...`` as a
formula.

Both writers take any iterable of rows and keep nothing in memory: CSV goes line by line and
XLSX through openpyxl's ``write_only`` workbook.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE = "Лист1"


def escape_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would read as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    path: str | Path,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """Write an escaped CSV file (UTF-8, ``,`` by default)."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        write_csv_to(handle, header, rows, delimiter=delimiter)
    return path


def write_csv_to(
    handle: TextIO, header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ","
) -> None:
    """Write escaped CSV rows to an open text handle (opened with ``newline=""``)."""
    writer = csv.writer(handle, delimiter=delimiter)
    writer.writerow([escape_cell(v) for v in header])
    writer.writerows([escape_cell(v) for v in row] for row in rows)


def write_xlsx(
    path: str | Path, header: Sequence[str], rows: Iterable[Sequence], *, title: str = SHEET_TITLE
) -> Path:
    """Write an escaped one-sheet workbook, streaming (openpyxl ``write_only``)."""
    path = Path(path)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([_xlsx_cell(v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    book.save(path)
    return path


def _xlsx_cell(value: object) -> object:
    """Escaped, and without the control characters XLSX cannot hold."""
    value = escape_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write_json(path: str | Path, data: object) -> Path:
    """Write readable UTF-8 JSON (Russian stays Russian) with a final newline."""
    path = Path(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
