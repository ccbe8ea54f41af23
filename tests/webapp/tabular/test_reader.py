"""The one tabular reader: encodings, delimiters, XLSX, errors with row and column, limits."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from webapp.tabular import DEFAULT_LIMITS, Limits, Sheet, TabularRejected, read_table

COLUMNS = ("code", "name", "pupils")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def cells(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[tuple[int, dict[str, str]]]:
    return [(row.number, row.cells) for row in read_table(path, COLUMNS, COLUMNS, limits).rows]


def errors(path: Path, **kwargs) -> list[str]:
    with pytest.raises(TabularRejected) as caught:
        read_table(path, COLUMNS, COLUMNS, **kwargs)
    return str(caught.value).splitlines()


SCHOOL = {"code": "38-001", "name": "Школа № 1", "pupils": "512"}


@pytest.mark.parametrize(
    "data",
    [
        "code,name,pupils\n38-001,Школа № 1,512\n".encode(),
        "\ufeffcode,name,pupils\r\n38-001,Школа № 1,512\r\n".encode(),
        "code;name;pupils\n38-001;Школа № 1;512\n".encode("cp1251"),
        "\ufeffCODE ; Name;pupils\n 38-001 ; Школа № 1 ;512;\n".encode(),
    ],
    ids=["utf8-comma", "bom-crlf", "cp1251-semicolon", "bom-spaces-case"],
)
def test_csv_encodings_and_delimiters_read_the_same(tmp_path, data):
    assert cells(write(tmp_path / "t.csv", data)) == [(2, SCHOOL)]


def test_semicolon_inside_quotes_of_a_comma_file_stays_in_the_cell(tmp_path):
    path = write(tmp_path / "t.csv", b'code,name,pupils\n38-001,"a;b",1\n')
    assert cells(path) == [(2, {"code": "38-001", "name": "a;b", "pupils": "1"})]


def test_latin1_and_binary_files_are_refused(tmp_path):
    latin = write(tmp_path / "l.csv", "code,name,pupils\n1,café,2\n".encode("latin-1"))
    assert errors(latin) == [
        "l.csv: файл не в кодировке UTF-8 или Windows-1251: сохраните его как «CSV UTF-8»"
    ]
    binary = write(tmp_path / "b.csv", b"code,name\x00,pupils\n")
    assert errors(binary) == ["b.csv: файл не похож на CSV (двоичные данные): нужен .csv или .xlsx"]


def test_xlsx_is_read_with_typed_cells_as_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Code", "name", "pupils", "extra"])
    book.active.append([None, None, None])
    book.active.append(["38-001", "Школа № 1", 512.0, "x"])
    book.save(tmp_path / "t.xlsx")
    assert cells(tmp_path / "t.xlsx") == [(3, SCHOOL)]


def test_blank_rows_keep_spreadsheet_numbering_and_extra_columns_are_ignored(tmp_path):
    path = write(tmp_path / "t.csv", b"note,code,name,pupils\n\n,,,\nx,38-001,S,5\n")
    assert cells(path) == [(4, {"code": "38-001", "name": "S", "pupils": "5"})]


def test_header_problems_name_row_1_and_the_column(tmp_path):
    path = write(tmp_path / "h.csv", b"code,Code,pupils\n1,2,3\n")
    assert errors(path) == [
        "h.csv, строка 1, столбец code: столбец «code» повторяется",
        "h.csv, строка 1: нет обязательных столбцов: name",
    ]


def test_empty_and_header_only_files(tmp_path):
    assert errors(write(tmp_path / "e.csv", b"")) == [
        "e.csv: файл пуст или первая строка (заголовок) пустая"
    ]
    assert errors(write(tmp_path / "h.csv", b"code,name,pupils\n")) == [
        "h.csv: в файле нет строк с данными (только заголовок)"
    ]


def test_bad_rows_are_all_reported_with_row_and_column(tmp_path):
    path = write(tmp_path / "s.csv", b"code,name,pupils\n1,a,x\n2,b,3,extra\n3,,y\n")
    sheet = Sheet(path, COLUMNS)
    for row in sheet.rows():
        if not row.cells["pupils"].isdigit():
            sheet.fail(row.number, "pupils", f"«{row.cells['pupils']}» — не число")
    with pytest.raises(TabularRejected) as caught:
        sheet.check()
    assert [e.render() for e in caught.value.errors] == [
        "s.csv, строка 2, столбец pupils: «x» — не число",
        "s.csv, строка 3: в строке 4 значений, а в заголовке 3 столбцов: возможно, в тексте есть "
        "разделитель без кавычек",
        "s.csv, строка 4, столбец pupils: «y» — не число",
    ]
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (2, "pupils"),
        (3, None),
        (4, "pupils"),
    ]


def test_broken_quote_names_the_row(tmp_path):
    path = write(tmp_path / "q.csv", b'code,name,pupils\n1,a,2\n3,"open,4\n')
    assert errors(path) == ["q.csv, строка 3: ошибка разбора CSV (unexpected end of data)"]


def test_row_limit_counts_data_rows_only(tmp_path):
    body = b"".join(b"%d,n,1\n\n" % i for i in range(5))
    path = write(tmp_path / "r.csv", b"code,name,pupils\n" + body)
    assert len(cells(path, Limits(max_rows=5))) == 5
    assert errors(path, limits=Limits(max_rows=4)) == [
        "r.csv: в файле больше 4 строк данных: разбейте его на части"
    ]


def test_size_limit_and_missing_file_and_wrong_suffix(tmp_path):
    path = write(tmp_path / "big.csv", b"code,name,pupils\n" + b"1,a,2\n" * 200_000)
    assert errors(path, limits=Limits(max_bytes=1024 * 1024)) == [
        "big.csv: файл больше 1 МБ: разбейте его на части"
    ]
    assert errors(tmp_path / "nope.csv") == ["nope.csv: файл не найден"]
    pdf = write(tmp_path / "t.pdf", b"%PDF-1.4")
    assert errors(pdf) == ["t.pdf: неподдерживаемый тип файла «.pdf»: нужен .csv или .xlsx"]


def test_zip_bomb_in_xlsx_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    assert errors(path) == ["bomb.xlsx: файл .xlsx слишком велик в распакованном виде"]


def test_encrypted_and_non_workbook_zips_are_refused(tmp_path):
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert errors(path) == ["doc.xlsx: это не книга Excel (.xlsx): нужен .csv или .xlsx"]
    data = bytearray(path.read_bytes())
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):  # set the encryption flag bit everywhere
        at = data.find(signature)
        flag_at = at + (6 if signature == b"PK\x03\x04" else 8)
        data[flag_at] |= 1
    locked = write(tmp_path / "locked.xlsx", bytes(data))
    assert errors(locked) == ["locked.xlsx: файл .xlsx защищён паролем: снимите защиту"]
