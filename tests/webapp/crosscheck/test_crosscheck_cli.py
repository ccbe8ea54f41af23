"""``flask crosscheck assign``: files in, files out, clear Russian errors with exit status 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.workflows.assignment.crosscheck.checker import check
from webapp import create_app
from webapp.crosscheck.csvio import read_input
from workflows.assignment.crosscheck import Assignment, Options, Result, Role, Unassigned

WORKS = """package_id,school_id,municipality_id,subject,grade,works,comment
P1,S1,M1,math,5,12,first
P2,S2,M1,math,5,7,
P3,S3,M2,Russian,6,9,
P4,S1,M1,russian,6,4,
"""
EXPERTS = """expert_id,school_id,municipality_id,subjects,grades,capacity
E1,S1,M1,math;russian,5;6;7,20
E2,S2,M1,math,4;5,15
E3,S3,M2,math; physics,5,10
E4,S2,M1,russian,6,8
"""


@pytest.fixture
def runner():
    return create_app({"TESTING": True}).test_cli_runner()


def _files(tmp_path: Path, works: str | bytes = WORKS, experts: str = EXPERTS) -> list[str]:
    w, e = tmp_path / "works.csv", tmp_path / "experts.csv"
    if isinstance(works, bytes):
        w.write_bytes(works)
    else:
        w.write_text(works, encoding="utf-8")
    e.write_text(experts, encoding="utf-8")
    return ["--works", str(w), "--experts", str(e), "--out", str(tmp_path / "out")]


def _assign(runner, args: list[str]):
    return runner.invoke(args=["crosscheck", "assign", *args])


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_assign_writes_valid_results(runner, tmp_path):
    args = _files(tmp_path)
    result = _assign(runner, [*args, "--no-reciprocal", "--second-check", "0,25"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assigned, unassigned = _read(out / "assignments.csv"), _read(out / "unassigned.csv")
    assert list(assigned[0]) == ["package_id", "expert_id", "works", "role"]
    with (out / "unassigned.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "package_id,works,role,reason"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    packages, experts = read_input(tmp_path / "works.csv", tmp_path / "experts.csv")
    rebuilt = Result(
        [
            Assignment(r["package_id"], r["expert_id"], int(r["works"]), Role(r["role"]))
            for r in assigned
        ],
        [
            Unassigned(r["package_id"], int(r["works"]), Role(r["role"]), r["reason"])
            for r in unassigned
        ],
        summary,
    )
    opts = Options(no_reciprocal=True, second_check=0.25)
    assert check(rebuilt, packages, experts, opts) == []
    assert "Первая проверка: размещено" in result.output
    for key in ("run_time_s", "total_time_s", "peak_memory_mib", "subjects", "experts_per_package"):
        assert key in summary


def test_assign_accepts_scope_and_excel_bom(runner, tmp_path):
    args = _files(tmp_path, works=("\ufeff" + WORKS).encode("utf-8"))
    result = _assign(runner, [*args, "--scope", "other-municipality"])
    assert result.exit_code == 0, result.output
    rows = _read(tmp_path / "out" / "assignments.csv")
    assert {r["package_id"] for r in rows} <= {"P1", "P2", "P3", "P4"}


def _bad(runner, tmp_path, **files) -> str:
    result = _assign(runner, _files(tmp_path, **files))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "assignments.csv").exists()
    return result.output


def test_missing_column_names_file_and_column(runner, tmp_path):
    works = WORKS.replace(",works,comment", ",comment")
    assert "works.csv, строка 1: нет обязательных столбцов: works" in _bad(
        runner, tmp_path, works=works
    )


def test_unknown_grade_names_row_and_column(runner, tmp_path):
    works = WORKS.replace("P2,S2,M1,math,5,7", "P2,S2,M1,math,9,7")
    out = _bad(runner, tmp_path, works=works)
    assert "works.csv, строка 3, столбец grade: неизвестный класс «9»" in out


def test_expert_grade_outside_school_is_unknown(runner, tmp_path):
    experts = EXPERTS.replace("math,4;5,15", "math,4;12,15")
    out = _bad(runner, tmp_path, experts=experts)
    assert "experts.csv, строка 3, столбец grades: неизвестный класс «12»" in out


def test_negative_capacity(runner, tmp_path):
    experts = EXPERTS.replace("math,4;5,15", "math,4;5,-15")
    out = _bad(runner, tmp_path, experts=experts)
    assert "experts.csv, строка 3, столбец capacity: отрицательное число -15" in out


def test_duplicate_ids(runner, tmp_path):
    works = WORKS.replace("P3,S3", "P1,S3")
    out = _bad(runner, tmp_path, works=works)
    assert "works.csv, строка 4, столбец package_id: «P1» повторяется (впервые в строке 2)" in out


def test_not_a_number(runner, tmp_path):
    works = WORKS.replace("math,5,7", "math,5,семь")
    assert "столбец works: «семь» — не целое число" in _bad(runner, tmp_path, works=works)


def test_school_in_two_municipalities(runner, tmp_path):
    experts = EXPERTS.replace("E4,S2,M1", "E4,S2,M9")
    out = _bad(runner, tmp_path, experts=experts)
    assert "experts.csv, строка 5, столбец municipality_id: школа «S2»" in out


def test_semicolon_and_cp1251_files_are_read(runner, tmp_path):
    works = WORKS.replace(",", ";").replace("first", "первый").encode("cp1251")
    result = _assign(runner, _files(tmp_path, works=works))
    assert result.exit_code == 0, result.output
    assert {r["package_id"] for r in _read(tmp_path / "out" / "assignments.csv")} <= {
        "P1",
        "P2",
        "P3",
        "P4",
    }


def test_not_utf8(runner, tmp_path):
    works = WORKS.replace("first", "café").encode("latin-1")
    assert "works.csv: файл не в кодировке UTF-8" in _bad(runner, tmp_path, works=works)


def test_empty_file(runner, tmp_path):
    assert "works.csv: файл пуст" in _bad(runner, tmp_path, works="")


def test_million_rows_are_refused(runner, tmp_path):
    body = "".join(f"P{i},S{i % 50},M1,math,5,3\n" for i in range(1_000_000))
    works = "package_id,school_id,municipality_id,subject,grade,works\n" + body
    assert "works.csv: в файле больше 500 000 строк данных" in _bad(runner, tmp_path, works=works)


def test_missing_file_and_options(runner, tmp_path):
    result = _assign(
        runner, ["--works", str(tmp_path / "nope.csv"), "--experts", "x", "--out", "o"]
    )
    assert result.exit_code == 2
    assert "nope.csv: файл не найден" in result.output
    result = _assign(runner, ["--experts", "x"])
    assert result.exit_code == 2
    assert "--works" in result.output and "--out" in result.output


@pytest.mark.parametrize(
    ("option", "value", "text"),
    [
        ("--scope", "region", "--scope: неизвестное значение"),
        ("--second-check", "1.5", "доля от 0 до 1"),
    ],
)
def test_bad_options(runner, tmp_path, option, value, text):
    result = _assign(runner, [*_files(tmp_path), option, value])
    assert result.exit_code == 2
    assert text in result.output
