"""The ``flask orgs import-orgs`` and ``import-users`` commands: formats, validation, atomicity."""

from __future__ import annotations

import csv
import logging
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from webapp import tabular
from webapp.auth.models import Membership, User
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Municipality, Region, School

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)

ORG_HEADER = [
    "region_code",
    "region_name",
    "municipality",
    "school_code",
    "school_name",
    "short_name",
    "settlement",
    "pupils",
    "low_results",
    "project_500plus",
    "objectivity_control",
]
ORG_ROWS = [
    ["38", "Иркутская область", "Заларинский район", "38-001", "МБОУ «СОШ № 1»", "СОШ 1",
     "городская", "512", "да", "1", ""],
    ["38", "Иркутская область", "Заларинский район", "38-002", "МБОУ «Тыретская СОШ»",
     "Тыретская СОШ", "сельская", "1 250", "нет", "true", "1"],
    ["08", "Республика Калмыкия", "Яшкульский район", "08-001", "МКОУ «Яшкульская СОШ»", "",
     "rural", "300", "0", "FALSE", "да"],
]  # fmt: skip
USER_HEADER = [
    "email",
    "full_name",
    "role",
    "region_code",
    "municipality",
    "school_code",
    "password",
    "curator_schools",
]
USER_ROWS = [
    ["admin@example.ru", "Админ А.", "admin", "", "", "", "Secret-pass-1", ""],
    ["Coord@Example.ru", "Координатор К.", "Региональный координатор", "38", "", "", "", ""],
    ["mun@example.ru", "Мун М.", "municipal_coordinator", "38", "заларинский  район", "", "", ""],
    ["curator@example.ru", "Куратор К.", "curator", "", "", "", "", "38-001; 38-002"],
    ["school@example.ru", "Директор Д.", "school", "", "", "38-001", "", ""],
    ["school@example.ru", "", "expert", "38", "Заларинский район", "38-001", "", ""],
    ["obs@example.ru", "Наблюдатель Н.", "observer", "08", "", "", "", ""],
]  # fmt: skip
PUPILS = "нужно целое число обучающихся от 0 до 100000"
TABLES = (Region, Municipality, School, User, Membership, CuratorSchool)


def invoke(app, *args: str | Path):
    """Run ``flask orgs ...`` in-process."""
    return app.test_cli_runner().invoke(args=["orgs", *map(str, args)])


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows([header, *rows])
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for values in [header, *rows]:
        sheet.append(values)
    book.save(path)
    return path


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def school(code: str) -> School:
    db.session.expire_all()
    return db.session.scalar(select(School).where(School.code == code))


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def scopes(email: str) -> set[tuple]:
    """(role, region code, municipality name, school code) of each membership."""
    result = set()
    for m in user(email).memberships:
        region = db.session.get(Region, m.region_id) if m.region_id else None
        muni = db.session.get(Municipality, m.municipality_id) if m.municipality_id else None
        sch = db.session.get(School, m.school_id) if m.school_id else None
        result.add((m.role, region and region.code, muni and muni.name, sch and sch.code))
    return result


def rejected(result, *lines: str) -> list[str]:
    """Check a refusal (exit 2, every given line, the count, no traceback); return the errors."""
    output = result.output.splitlines()
    assert result.exit_code == 2, result.output
    for line in lines:
        assert line in output, result.output
    assert "Traceback" not in result.output
    assert output[-1] == f"Импорт не выполнен: ошибок: {len(output) - 1}; ничего не записано."
    return output[:-1]


@pytest.fixture
def orgs(app, tmp_path) -> Path:
    """The sample organisations, imported."""
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER, ORG_ROWS)
    assert invoke(app, "import-orgs", path).exit_code == 0
    return path


# --- organisations: success ---------------------------------------------------------------


@BOTH
def test_import_orgs_csv_with_bom_and_semicolons_creates_everything(app, tmp_path):
    path = tmp_path / "orgs.csv"
    text = "\n".join(";".join(row) for row in [ORG_HEADER, *ORG_ROWS])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())

    result = invoke(app, "import-orgs", path)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "orgs.csv: импорт выполнен.",
        "  регионы: создано 2, обновлено 0",
        "  муниципалитеты: создано 2",
        "  школы: создано 3, обновлено 0, без изменений 0",
    ]
    s1, s2, s3 = school("38-001"), school("38-002"), school("08-001")
    assert (s1.settlement, s1.pupils, s1.is_low_results, s1.is_500plus) == (
        "urban",
        512,
        True,
        True,
    )
    assert (s2.settlement, s2.pupils, s2.objectivity_control) == ("rural", 1250, True)
    assert (s3.short_name, s3.is_500plus, s3.objectivity_control) == (s3.name, False, True)
    assert s1.municipality_id == s2.municipality_id
    assert s1.municipality.region.name == "Иркутская область"


def test_import_orgs_xlsx_reads_typed_cells(app, tmp_path):
    rows = [[38, "Иркутская область", "Заларинский район", 1001, "СОШ", "СОШ", "urban", 250.0,
             True, 1, None]]  # fmt: skip
    path = write_xlsx(tmp_path / "orgs.xlsx", ORG_HEADER, rows)

    result = invoke(app, "import-orgs", path)

    assert result.exit_code == 0, result.output
    s = school("1001")
    assert (s.pupils, s.is_low_results, s.is_500plus, s.objectivity_control) == (250, 1, 1, 0)
    assert s.municipality.region.code == "38"


def test_import_orgs_xlsx_detected_by_content_under_a_csv_name(app, tmp_path):
    path = write_xlsx(tmp_path / "orgs.xlsx", ORG_HEADER, ORG_ROWS)
    path = path.rename(tmp_path / "orgs.csv")

    assert invoke(app, "import-orgs", path).exit_code == 0
    assert counts()["schools"] == 3


def test_import_orgs_again_is_idempotent(app, orgs):
    before = counts()

    result = invoke(app, "import-orgs", orgs)

    assert result.exit_code == 0
    assert "  школы: создано 0, обновлено 0, без изменений 3" in result.output.splitlines()
    assert counts() == before


def test_import_orgs_updates_schools_and_region_names(app, orgs, tmp_path):
    rows = [[*ORG_ROWS[0][:1], "Иркутская обл.", "ЗАЛАРИНСКИЙ район", *ORG_ROWS[0][3:]]]
    rows[0][7] = "600"
    path = write_csv(tmp_path / "orgs2.csv", ORG_HEADER, rows)

    result = invoke(app, "import-orgs", path)

    assert result.exit_code == 0, result.output
    assert "  регионы: создано 0, обновлено 1" in result.output
    assert "  школы: создано 0, обновлено 1, без изменений 0" in result.output
    assert school("38-001").pupils == 600
    assert counts()["municipalities"] == 2  # matched regardless of case


def test_import_orgs_keeps_leading_equals_as_text(app, tmp_path):
    rows = [[*ORG_ROWS[0][:5], '=HYPERLINK("x")', *ORG_ROWS[0][6:]]]
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER, rows)

    assert invoke(app, "import-orgs", path).exit_code == 0
    assert school("38-001").short_name == '=HYPERLINK("x")'


def test_import_orgs_dry_run_writes_nothing(app, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER, ORG_ROWS)

    result = invoke(app, "import-orgs", "--dry-run", path)

    assert result.exit_code == 0
    assert "школы: создано 3" in result.output
    assert counts()["schools"] == 0


# --- organisations: row errors -------------------------------------------------------------


def _org_row(**changes: str) -> list[str]:
    row = dict(zip(ORG_HEADER, ORG_ROWS[0], strict=True))
    return [changes.get(column, row[column]) for column in ORG_HEADER]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"pupils": "-5"}, f"столбец pupils: «-5» — {PUPILS}"),
        ({"pupils": "12,5"}, f"столбец pupils: «12,5» — {PUPILS}"),
        ({"pupils": ""}, "столбец pupils: значение не заполнено"),
        ({"settlement": "посёлок"},
         "столбец settlement: тип поселения «посёлок»: укажите urban/rural или городская/сельская"),
        ({"low_results": "может"},
         "столбец low_results: «может» — нужно 1/0, да/нет или true/false"),
        ({"school_name": ""}, "столбец school_name: значение не заполнено"),
        ({"school_code": "X" * 33},
         "столбец school_code: слишком длинное значение (33 символов, можно 32)"),
        ({"region_code": "77", "region_name": ""},
         "столбец region_name: регион «77» новый: укажите его название"),
        ({"region_name": "Другая"},
         "столбец region_name: в строке 2 у региона «38» другое название «Иркутская область»"),
        ({"school_code": "38-001"},
         "столбец school_code: школа с кодом «38-001» уже указана в строке 2"),
    ],
)  # fmt: skip
def test_import_orgs_reports_bad_cells_with_row_and_column(app, tmp_path, changes, expected):
    rows = [*ORG_ROWS, _org_row(**{"school_code": "38-009", **changes})]
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER, rows)

    result = invoke(app, "import-orgs", path)

    assert rejected(result) == [f"orgs.csv, строка 5, {expected}"]
    assert counts()["schools"] == 0


@BOTH
def test_import_orgs_failure_leaves_database_unchanged(app, orgs, tmp_path):
    before = counts()
    rows = [_org_row(pupils="999"), _org_row(school_code="NEW-1", municipality="Новый район"),
            _org_row(school_code="NEW-2", region_code="99", region_name="Новый"),
            _org_row(school_code="NEW-3", pupils="много")]  # fmt: skip
    path = write_csv(tmp_path / "bad.csv", ORG_HEADER, rows)

    result = invoke(app, "import-orgs", path)

    rejected(
        result,
        "bad.csv, строка 5, столбец pupils: «много» — нужно целое число обучающихся от 0 до 100000",
    )
    assert counts() == before
    assert school("38-001").pupils == 512


def test_import_orgs_collects_every_error_in_row_order(app, tmp_path):
    rows = [_org_row(pupils="-1", settlement="?"), _org_row(school_code="", school_name="")]
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER, rows)

    result = invoke(app, "import-orgs", path)

    rejected(result)
    assert [line.split(":")[0] for line in result.output.splitlines()[:-1]] == [
        "orgs.csv, строка 2, столбец settlement",
        "orgs.csv, строка 2, столбец pupils",
        "orgs.csv, строка 3, столбец school_name",
        "orgs.csv, строка 3, столбец school_code",
    ]


# --- files: structure, format and limits ---------------------------------------------------


def test_import_reports_missing_required_columns(app, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", ORG_HEADER[:3], [["38", "И", "З"]])

    result = invoke(app, "import-orgs", path)

    rejected(
        result,
        "orgs.csv, строка 1: нет обязательных столбцов: "
        "school_code, school_name, settlement, pupils",
    )


def test_import_reports_duplicate_header(app, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [*ORG_HEADER, "pupils"], [[*ORG_ROWS[0], "1"]])

    rejected(
        invoke(app, "import-orgs", path),
        "orgs.csv, строка 1, столбец pupils: столбец «pupils» повторяется",
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty.csv: файл пуст или первая строка (заголовок) пустая"),
        ("head.csv", ",".join(ORG_HEADER).encode() + b"\n\n",
         "head.csv: в файле нет строк с данными (только заголовок)"),
        ("latin.csv", "région;café".encode("latin-1"),
         "latin.csv: файл не в кодировке UTF-8 или Windows-1251: сохраните его как «CSV UTF-8»"),
        ("nul.csv", b"a,b\x00c\n",
         "nul.csv: файл не похож на CSV (двоичные данные): нужен .csv или .xlsx"),
        ("orgs.pdf", b"%PDF-1.4",
         "orgs.pdf: неподдерживаемый тип файла «.pdf»: нужен .csv или .xlsx"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
         "old.xlsx: старый формат Excel (.xls) или книга с паролем на открытие: "
         "сохраните её как .xlsx без пароля или как CSV UTF-8"),
        ("html.xlsx", b"<html><table><tr><td>1</td></tr></table></html>",
         "html.xlsx: файл назван .xlsx, но это не книга Excel (возможно, текст или HTML): "
         "сохраните его как .xlsx"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200,
         "broken.xlsx: файл повреждён: архив .xlsx не читается"),
        ("quote.csv", ",".join(ORG_HEADER).encode() + b'\n38,"unclosed\n',
         "quote.csv, строка 2: ошибка разбора CSV (unexpected end of data)"),
    ],
)  # fmt: skip
def test_import_refuses_bad_files(app, tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content)

    rejected(invoke(app, "import-orgs", tmp_path / name), expected)


def test_import_refuses_zip_that_is_not_a_workbook(app, tmp_path):
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")

    rejected(
        invoke(app, "import-orgs", path),
        "doc.xlsx: это не книга Excel (.xlsx): нужен .csv или .xlsx",
    )


def test_import_refuses_corrupt_workbook_without_traceback(app, tmp_path):
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-closed")

    rejected(
        invoke(app, "import-orgs", path),
        "bad.xlsx: файл повреждён или не является книгой Excel (.xlsx)",
    )


def test_import_refuses_missing_file(app, tmp_path):
    rejected(invoke(app, "import-orgs", tmp_path / "nope.csv"), "nope.csv: файл не найден")


def test_import_refuses_csv_row_wider_than_header(app, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(",".join(ORG_HEADER) + "\n" + ",".join(ORG_ROWS[0]) + ",лишнее\n")

    rejected(
        invoke(app, "import-orgs", path),
        "orgs.csv, строка 2: в строке 12 значений, а в заголовке 11 столбцов: возможно, в тексте "
        "есть разделитель без кавычек",
    )


def test_import_refuses_more_than_max_rows(app, tmp_path):
    path = tmp_path / "big.csv"
    row = ",".join(ORG_ROWS[0][:3]) + ",{},S,S,urban,1,,,\n"
    with path.open("w") as fh:
        fh.write(",".join(ORG_HEADER) + "\n")
        fh.writelines(row.format(i) for i in range(tabular.MAX_ROWS + 1))

    rejected(
        invoke(app, "import-orgs", path),
        "big.csv: в файле больше 50 000 строк данных: разбейте его на части",
    )


def test_import_refuses_file_over_size_limit(app, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(tabular.MAX_BYTES + 1)  # sparse: costs no disk

    rejected(invoke(app, "import-orgs", path), "huge.csv: файл больше 20 МБ: разбейте его на части")


def test_import_xlsx_formula_without_cached_value_is_empty(app, tmp_path):
    rows = [[*ORG_ROWS[0][:4], '=CONCAT("a","b")', *ORG_ROWS[0][5:]]]
    path = write_xlsx(tmp_path / "orgs.xlsx", ORG_HEADER, rows)

    rejected(
        invoke(app, "import-orgs", path),
        "orgs.xlsx, строка 2, столбец school_name: значение не заполнено",
    )


def test_import_internal_error_is_a_message_not_a_traceback(app, tmp_path, monkeypatch):
    def boom(table):
        raise RuntimeError("boom")

    monkeypatch.setattr("webapp.orgs.cli.import_orgs", boom)
    result = invoke(app, "import-orgs", write_csv(tmp_path / "o.csv", ORG_HEADER, ORG_ROWS))

    assert result.exit_code == 1
    assert (
        result.output
        == "Импорт не выполнен: внутренняя ошибка (RuntimeError); ничего не записано.\n"
    )


# --- users ---------------------------------------------------------------------------------


@BOTH
def test_import_users_creates_users_roles_and_curator_links(app, orgs, tmp_path):
    path = write_csv(tmp_path / "users.csv", USER_HEADER, USER_ROWS)
    creds = tmp_path / "creds.csv"

    result = invoke(app, "import-users", path, "--credentials-out", creds)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "users.csv: импорт выполнен.",
        "  пользователи: создано 6, обновлено 0, без изменений 0",
        "  роли: добавлено 7, закрепления кураторов: добавлено 2",
        f"Пароли новых пользователей (5) записаны в {creds}.",
    ]
    assert user("admin@example.ru").check_password("Secret-pass-1")
    assert scopes("coord@example.ru") == {("regional_coordinator", "38", None, None)}
    assert scopes("mun@example.ru") == {("municipal_coordinator", None, "Заларинский район", None)}
    assert scopes("school@example.ru") == {
        ("school", None, None, "38-001"),
        ("expert", None, None, "38-001"),
    }
    assert scopes("obs@example.ru") == {("observer", "08", None, None)}
    curated = db.session.scalars(
        select(School.code)
        .join(CuratorSchool)
        .where(CuratorSchool.curator_id == user("curator@example.ru").id)
    )
    assert sorted(curated) == ["38-001", "38-002"]
    _check_credentials_file(creds)


def _check_credentials_file(creds: Path) -> None:
    assert creds.stat().st_mode & 0o777 == 0o600
    with creds.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["email", "full_name", "password"]
    assert {r[0] for r in rows[1:]} == {
        "coord@example.ru",
        "mun@example.ru",
        "curator@example.ru",
        "school@example.ru",
        "obs@example.ru",
    }
    for email, _, password in rows[1:]:
        assert len(password) == 12 and user(email).check_password(password)


def test_import_users_xlsx_prints_generated_passwords_but_never_logs_them(
    app, orgs, tmp_path, caplog
):
    rows = [["one@example.ru", "Один", "Эксперт", None, None, "38-002", None, None]]
    path = write_xlsx(tmp_path / "users.xlsx", USER_HEADER, rows)

    with caplog.at_level(logging.DEBUG):
        result = invoke(app, "import-users", path)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-2] == "Пароли новых пользователей (показаны один раз, нигде не сохранены):"
    email, password = lines[-1].split()
    assert email == "one@example.ru" and user(email).check_password(password)
    assert password not in caplog.text


def test_import_users_again_is_idempotent(app, orgs, tmp_path):
    path = write_csv(tmp_path / "users.csv", USER_HEADER, USER_ROWS)
    assert invoke(app, "import-users", path).exit_code == 0
    before, hash_before = counts(), user("admin@example.ru").password_hash

    result = invoke(app, "import-users", path)

    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "  пользователи: создано 0, обновлено 0, без изменений 6",
        "  роли: добавлено 0, закрепления кураторов: добавлено 0",
    ]
    assert counts() == before
    assert user("admin@example.ru").password_hash == hash_before


def test_import_users_adds_roles_to_existing_user_by_email_in_any_case(app, orgs, tmp_path):
    first = write_csv(tmp_path / "u1.csv", USER_HEADER, [USER_ROWS[1]])
    assert invoke(app, "import-users", first).exit_code == 0
    old_hash = user("coord@example.ru").password_hash
    rows = [["COORD@example.RU", "", "observer", "08", "", "", "", ""]]

    result = invoke(app, "import-users", write_csv(tmp_path / "u2.csv", USER_HEADER, rows))

    assert result.exit_code == 0, result.output
    assert "  пользователи: создано 0, обновлено 1, без изменений 0" in result.output
    assert "Пароли" not in result.output
    assert scopes("coord@example.ru") == {
        ("regional_coordinator", "38", None, None),
        ("observer", "08", None, None),
    }
    assert user("coord@example.ru").password_hash == old_hash


def test_import_users_sets_given_password_and_ends_sessions(app, orgs, tmp_path):
    assert (
        invoke(
            app, "import-users", write_csv(tmp_path / "a.csv", USER_HEADER, USER_ROWS[:1])
        ).exit_code
        == 0
    )
    version = user("admin@example.ru").session_version
    rows = [[*USER_ROWS[0][:6], "Another-pass-2", ""]]

    result = invoke(app, "import-users", write_csv(tmp_path / "b.csv", USER_HEADER, rows))

    assert result.exit_code == 0
    assert user("admin@example.ru").check_password("Another-pass-2")
    assert user("admin@example.ru").session_version == version + 1


def _user_row(**changes: str) -> list[str]:
    row = dict(zip(USER_HEADER, ["x@example.ru", "Икс", "admin", "", "", "", "", ""], strict=True))
    return [changes.get(column, row[column]) for column in USER_HEADER]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"email": "not-an-email"},
         "столбец email: некорректный адрес электронной почты «not-an-email»"),
        ({"email": "a@b"}, "столбец email: некорректный адрес электронной почты «a@b»"),
        ({"role": "директор"}, "столбец role: неизвестная роль «директор» (допустимы: admin, "
         "regional_coordinator, municipal_coordinator, curator, school, expert, observer)"),
        ({"role": "observer"},
         "столбец region_code: обязательно для роли «Наблюдатель» (observer)"),
        ({"role": "municipal_coordinator", "region_code": "38"},
         "столбец municipality: обязательно для роли «Муниципальный координатор» "
         "(municipal_coordinator)"),
        ({"role": "school"}, "столбец school_code: обязательно для роли «Школа» (school)"),
        ({"region_code": "38"},
         "столбец region_code: не заполняется для роли «Федеральный оператор» (admin)"),
        ({"role": "regional_coordinator", "region_code": "99"},
         "столбец region_code: регион с кодом «99» не найден"),
        ({"role": "municipal_coordinator", "region_code": "08",
          "municipality": "Заларинский район"},
         "столбец municipality: в регионе «08» нет муниципалитета «Заларинский район»"),
        ({"role": "expert", "school_code": "77-777"},
         "столбец school_code: школа с кодом «77-777» не найдена"),
        ({"role": "school", "school_code": "38-001", "region_code": "08"},
         "столбец region_code: школа «38-001» не относится к региону «08»"),
        ({"role": "curator", "curator_schools": "38-001;NOPE"},
         "столбец curator_schools: школа с кодом «NOPE» не найдена"),
        ({"curator_schools": "38-001"},
         "столбец curator_schools: заполняется только для роли куратора, "
         "а не «Федеральный оператор» (admin)"),
        ({"password": "short"}, "столбец password: пароль должен быть длиной от 8 до 128 символов"),
        ({"full_name": ""}, "столбец full_name: значение не заполнено (новый пользователь)"),
    ],
)  # fmt: skip
def test_import_users_reports_bad_cells_with_row_and_column(app, orgs, tmp_path, changes, expected):
    before = counts()
    rows = [USER_ROWS[0], _user_row(**changes)]
    path = write_csv(tmp_path / "users.csv", USER_HEADER, rows)

    result = invoke(app, "import-users", path)

    assert rejected(result) == [f"users.csv, строка 3, {expected}"]
    assert counts() == before


def test_import_users_message_matches_spreadsheet_row_in_xlsx(app, orgs, tmp_path):
    rows = [list(r) for r in USER_ROWS[:5]] + [_user_row(role="директор")]
    path = write_xlsx(tmp_path / "users.xlsx", USER_HEADER, rows)

    result = invoke(app, "import-users", path)

    rejected(result)
    assert result.output.startswith(
        "users.xlsx, строка 7, столбец role: неизвестная роль «директор»"
    )


def test_import_users_refuses_duplicate_email_and_role(app, orgs, tmp_path):
    rows = [USER_ROWS[1], ["coord@EXAMPLE.ru", "", "regional_coordinator", "08", "", "", "", ""]]
    path = write_csv(tmp_path / "users.csv", USER_HEADER, rows)

    rejected(
        invoke(app, "import-users", path),
        "users.csv, строка 3, столбец role: coord@example.ru с ролью regional_coordinator уже "
        "указан в строке 2",
    )


def test_import_users_refuses_conflicting_names_for_one_person(app, orgs, tmp_path):
    rows = [USER_ROWS[4], [*USER_ROWS[5][:1], "Другой Д.", *USER_ROWS[5][2:]]]
    path = write_csv(tmp_path / "users.csv", USER_HEADER, rows)

    rejected(
        invoke(app, "import-users", path),
        "users.csv, строка 3, столбец full_name: "
        "для school@example.ru в строке 2 указано другое значение",
    )


def test_import_users_refuses_existing_credentials_file(app, orgs, tmp_path):
    creds = tmp_path / "creds.csv"
    creds.write_text("keep me")
    path = write_csv(tmp_path / "users.csv", USER_HEADER, USER_ROWS)

    result = invoke(app, "import-users", path, "--credentials-out", creds)

    assert result.exit_code == 2
    assert "уже существует" in result.output
    assert creds.read_text() == "keep me" and counts()["users"] == 0


def test_import_users_removes_credentials_file_when_commit_fails(app, orgs, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def fail() -> None:
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    creds = tmp_path / "creds.csv"
    monkeypatch.setattr(db.session, "commit", fail)
    result = invoke(
        app,
        "import-users",
        write_csv(tmp_path / "u.csv", USER_HEADER, USER_ROWS),
        "--credentials-out",
        creds,
    )
    monkeypatch.undo()

    assert result.exit_code == 1
    assert "ошибка базы данных" in result.output and "Traceback" not in result.output
    assert not creds.exists()
    assert counts()["users"] == 0


def test_generated_passwords_differ(app):
    from webapp.orgs.user_import import generate_password

    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50 and all(len(p) == 12 and p.isalnum() for p in passwords)


def test_credentials_file_cells_cannot_become_formulas(app, orgs, tmp_path):
    rows = [["f@example.ru", "=cmd|' /C calc'!A0", "admin", "", "", "", "", ""]]
    creds = tmp_path / "creds.csv"

    result = invoke(
        app,
        "import-users",
        write_csv(tmp_path / "u.csv", USER_HEADER, rows),
        "--credentials-out",
        creds,
    )

    assert result.exit_code == 0, result.output
    assert "'=cmd" in creds.read_text(encoding="utf-8-sig")
    assert os.stat(creds).st_mode & 0o077 == 0
