"""The one writer: formula injection escaped in CSV and XLSX, numbers untouched, streaming."""

from __future__ import annotations

import csv
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl

from webapp.tabular import write_csv, write_xlsx

HOSTILE = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "plain", "a=b"]
ESCAPED = ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", "plain", "a=b"]


def test_csv_escapes_text_cells_that_start_a_formula(tmp_path):
    path = write_csv(tmp_path / "out.csv", ["value", "number"], [[v, -2] for v in HOSTILE])
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["value", "number"]
    assert [row[0] for row in rows[1:]] == ESCAPED
    assert {row[1] for row in rows[1:]} == {"-2"}  # the integer -2 is a number: left alone
    raw = path.read_text(encoding="utf-8")
    assert '\n"=HYPERLINK' not in raw and "\n=" not in raw and "\n+1" not in raw


def test_xlsx_escapes_text_cells_and_stores_no_formula(tmp_path):
    path = write_xlsx(tmp_path / "out.xlsx", ["value", "number"], [[v, -2] for v in HOSTILE])
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    book = openpyxl.load_workbook(path)  # not data_only: a formula would show as "=..."
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("value", "number")
    values = [row[0] for row in rows[1:]]
    assert values[:5] + values[6:] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTAB",
                                       "plain", "a=b"]  # fmt: skip
    assert values[5] in ("'\rCR", "'\nCR")  # XML turns a bare CR into LF
    assert {row[1] for row in rows[1:]} == {-2}
    assert all(cell.data_type == "s" for cell in book.active["A"])


def test_csv_bytes_on_disk(tmp_path):
    write_csv(tmp_path / "a.csv", ["x", "y"], [["=1", 2], ["школа", -3.5]], delimiter=";")
    assert (tmp_path / "a.csv").read_bytes() == "x;y\r\n'=1;2\r\nшкола;-3.5\r\n".encode()


def _rows(n: int):
    return ((i, f"школа {i}", "-x") for i in range(n))


def _peak(write, path: Path, rows: int) -> int:
    tracemalloc.start()
    try:
        write(path, ["id", "name", "note"], _rows(rows))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_200k_row_csv_streams_in_little_memory(tmp_path):
    # the 200 000 rows as Python lists alone would take tens of MB
    assert _peak(write_csv, tmp_path / "big.csv", 200_000) < 2 * 1024 * 1024
    with (tmp_path / "big.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 200_001


def test_xlsx_streams_in_little_memory(tmp_path):
    # tracemalloc makes openpyxl ~10x slower, so 10 000 rows here (200 000 take ~6 s untraced);
    # an ordinary (not write_only) workbook peaks at about 10 MB for these rows
    assert _peak(write_xlsx, tmp_path / "big.xlsx", 10_000) < 2 * 1024 * 1024
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    assert sum(1 for _ in book.active.iter_rows(values_only=True)) == 10_001
    book.close()
