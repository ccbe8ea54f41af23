"""`flask expertise pair`: outputs, exit codes and Russian error messages."""

from __future__ import annotations

import json
import random

import pytest

from tests.workflows.assignment.expertise.checker import (
    check_alternates,
    check_reviews,
    load_alternates,
    load_problem,
    load_reviews,
    total_similarity,
)
from webapp import create_app

SCHOOLS_HEADER = "school_id,region_id,municipality_id,settlement,pupils,risks"


@pytest.fixture
def runner():
    return create_app({"TESTING": True}).test_cli_runner()


def _write_inputs(tmp_path, n=90, regions=9, history=True):
    rng = random.Random(11)
    lines = [SCHOOLS_HEADER + ",comment"]
    for i in range(n):
        risks = ";".join(rng.sample([f"R{c}" for c in range(1, 11)], 3))
        settlement = rng.choice(["urban", "rural"])
        pupils = rng.randint(30, 1500)
        lines.append(f"s{i},reg{i % regions},mun{i % 17},{settlement},{pupils},{risks},extra")
    schools = tmp_path / "schools.csv"
    schools.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hist = tmp_path / "history.csv"
    rows = ["reviewer_school_id,reviewed_school_id,year"]
    rows += [f"s{i},s{(i + 1) % n},2025" for i in range(n) if history]
    hist.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return schools, hist


def _pair(runner, *args):
    return runner.invoke(args=["expertise", "pair", *map(str, args)])


@pytest.mark.parametrize("no_reciprocal", [False, True])
def test_pair_writes_valid_outputs(runner, tmp_path, no_reciprocal):
    schools, hist = _write_inputs(tmp_path)
    out = tmp_path / "out"
    flag = ["--no-reciprocal"] if no_reciprocal else []
    result = _pair(runner, "--schools", schools, "--history", hist, "--k", 2, *flag, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Готово" in result.output
    problem = load_problem(schools, hist, 2, no_reciprocal)
    reviews = load_reviews(out / "reviews.csv")
    assert check_reviews(problem, reviews) == []
    assert check_alternates(problem, reviews, load_alternates(out / "alternates.csv"), 5) == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("optimal", "feasible")
    assert summary["reviews"] == len(reviews) == 180
    sim = summary["similarity"]
    assert sim["mean"] == pytest.approx(float(total_similarity(problem, reviews)) / 180)
    assert sim["min"] <= sim["mean"] <= sim["upper_bound_mean"] + 1e-12
    for key in ("settlement_match_share", "run_time_seconds", "peak_memory_mb"):
        assert summary[key] >= 0


def test_alternates_option_changes_list_length(runner, tmp_path):
    schools, _ = _write_inputs(tmp_path, history=False)
    out = tmp_path / "out"
    result = _pair(runner, "--schools", schools, "--k", 1, "--out", out, "--alternates", 2)
    assert result.exit_code == 0, result.output
    lists = load_alternates(out / "alternates.csv")
    assert lists and all(len(rows) == 2 for rows in lists.values())


def test_infeasible_input_exits_3_with_reason_in_summary(runner, tmp_path):
    rows = [SCHOOLS_HEADER] + [f"b{i},big,m,urban,100,a;b;c" for i in range(5)]
    rows += ["x,r1,m,urban,100,a;b;c", "y,r2,m,rural,100,a;b;c"]
    schools = tmp_path / "schools.csv"
    schools.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "reviews.csv").write_text("stale\n", encoding="utf-8")
    result = _pair(runner, "--schools", schools, "--k", 1, "--out", out)
    assert result.exit_code == 3
    assert "больше половины" in result.output and "Traceback" not in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible" and "«big»" in summary["reason"]
    assert not (out / "reviews.csv").exists()


NO_MUNICIPALITY = "school_id,region_id,settlement,pupils,risks\na,r,urban,1,x\n"
TWICE = SCHOOLS_HEADER + "\na,r1,m,urban,1,x\na,r2,m,urban,1,x\n"
BAD_SCHOOLS = [
    (NO_MUNICIPALITY, "нет обязательных столбцов: municipality_id", "строка 1"),
    (TWICE, "уже описана в строке 2", "строка 3"),
    (SCHOOLS_HEADER + "\na,r1,m,town,1,x\n", "urban или rural", "столбец settlement"),
    (SCHOOLS_HEADER + "\na,r1,m,urban,-4,x\n", "отрицательным", "столбец pupils"),
    (SCHOOLS_HEADER + "\na,r1,m,urban,12.5,x\n", "целое число", "столбец pupils"),
    (SCHOOLS_HEADER + "\na,r1,m,urban,1, ; \n", "пустой список рисков", "столбец risks"),
    (SCHOOLS_HEADER + "\na,r1,m,urban,1,x;x\n", "указан дважды", "столбец risks"),
    (SCHOOLS_HEADER + "\n,r1,m,urban,1,x\n", "пустое значение", "столбец school_id"),
    ("", "файл пуст", "schools.csv"),
    (SCHOOLS_HEADER + "\n", "нет ни одной школы", "schools.csv"),
]


@pytest.mark.parametrize(("content", "expected", "where"), BAD_SCHOOLS)
def test_bad_schools_file_exits_2_naming_the_place(runner, tmp_path, content, expected, where):
    schools = tmp_path / "schools.csv"
    schools.write_text(content, encoding="utf-8")
    result = _pair(runner, "--schools", schools, "--k", 1, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert expected in result.output and where in result.output
    assert "schools.csv" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


BAD_HISTORY = [
    ("reviewer_school_id,reviewed_school_id,year\nzz,s1,2025\n", "неизвестная школа «zz»"),
    ("reviewer_school_id,reviewed_school_id,year\ns1,s1,2025\n", "сама себя"),
    ("reviewer_school_id,reviewed_school_id,year\ns1,s2,прошлый\n", "столбец year"),
    ("reviewer_school_id,year\ns1,2025\n", "нет обязательных столбцов: reviewed_school_id"),
]


@pytest.mark.parametrize(("content", "expected"), BAD_HISTORY)
def test_bad_history_file_exits_2(runner, tmp_path, content, expected):
    schools, hist = _write_inputs(tmp_path, n=12, regions=4)
    hist.write_text(content, encoding="utf-8")
    result = _pair(runner, "--schools", schools, "--history", hist, "--k", 1, "--out", tmp_path)
    assert result.exit_code == 2
    assert expected in result.output and "history.csv" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--k", "0"], "--k: нужно целое число не меньше 1"),
        (["--k", "two"], "--k: нужно целое число"),
        ([], "не указан обязательный параметр --k"),
        (["--k", "1", "--alternates", "-1"], "--alternates"),
        (["--k", "1", "--candidates", "0"], "--candidates"),
        (["--k", "1", "--seed", "-3"], "--seed: нужно целое число не меньше 0"),
    ],
)
def test_bad_parameters_exit_2(runner, tmp_path, args, expected):
    schools, _ = _write_inputs(tmp_path, n=12, regions=4)
    result = _pair(runner, "--schools", schools, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert expected in result.output


def test_missing_and_non_utf8_files_exit_2(runner, tmp_path):
    result = _pair(runner, "--schools", tmp_path / "nope.csv", "--k", 1, "--out", tmp_path)
    assert result.exit_code == 2 and "файл не найден" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes((SCHOOLS_HEADER + "\na,r1,m,urban,1,x\xe9\n").encode("latin-1"))
    result = _pair(runner, "--schools", latin, "--k", 1, "--out", tmp_path)
    assert result.exit_code == 2 and "UTF-8" in result.output
