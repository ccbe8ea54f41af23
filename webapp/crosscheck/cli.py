"""Command line of the crosscheck engine: ``flask crosscheck assign``."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.crosscheck.csvio import read_input, write_result
from webapp.tabular import TabularRejected, reject
from workflows.assignment.crosscheck import Options, Result, Scope, solve
from workflows.assignment.crosscheck.report import peak_memory_mib

crosscheck_cli = AppGroup("crosscheck", help="crosscheck commands")

BAD_INPUT = 2


def _options(scope: str, no_reciprocal: bool, second_check: str) -> Options:
    try:
        scope_value = Scope(scope.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Scope)
        message = f"--scope: неизвестное значение «{scope}» (допустимо: {choices})."
        raise reject(message) from None
    try:
        share = float(second_check.replace(",", "."))
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise reject(f"--second-check: нужна доля от 0 до 1 (например 0.1), а не «{second_check}».")
    return Options(scope=scope_value, no_reciprocal=no_reciprocal, second_check=share)


def _required(**paths: str | None) -> dict[str, str]:
    missing = [f"--{name}" for name, value in paths.items() if not value]
    if missing:
        raise reject(f"Не указаны обязательные параметры: {', '.join(missing)}.")
    return {name: str(value) for name, value in paths.items()}


def _out_dir(path: str) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise reject(f"--out: «{path}» — это файл, а нужна папка для результатов.")
    return out


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _percent(value: float) -> str:
    return _number(value * 100) + " %"


def _report(result: Result, out: Path) -> None:
    s = result.summary
    first, load, per = s["totals"]["primary"], s["load"], s["experts_per_package"]
    click.echo(
        f"Первая проверка: размещено {first['assigned']} работ из {first['demand']}, "
        f"не размещено {first['unassigned']} (нижняя граница — {first['minimum_unassigned']})."
    )
    if "second" in s["totals"]:
        second = s["totals"]["second"]
        click.echo(f"Вторая проверка: размещено {second['assigned']} из {second['demand']}.")
    click.echo(
        f"Наибольшая загрузка эксперта: {_percent(load['max_ratio'])} "
        f"(доказанная нижняя граница {_percent(load['lower_bound'])})."
    )
    mean = f"{per['mean']:.2f}".replace(".", ",")
    click.echo(f"Экспертов на пакет: в среднем {mean}, максимум {per['max']}.")
    click.echo(
        f"Результаты в {out}: assignments.csv, unassigned.csv, summary.json "
        f"({_number(s['total_time_s'])} с, пик памяти {s['peak_memory_mib']:.0f} МиБ)."
    )


@crosscheck_cli.command("assign")
@click.option("--works", "works", help="works.csv: пакеты работ")
@click.option("--experts", "experts", help="experts.csv: эксперты")
@click.option("--out", "out", help="папка для результатов")
@click.option(
    "--scope", default="any", show_default=True, help="any | same-municipality | other-municipality"
)
@click.option("--no-reciprocal", is_flag=True, help="запретить взаимную проверку школ")
@click.option(
    "--second-check", default="0", show_default=True, help="доля работ на вторую проверку"
)
def assign(
    works: str | None,
    experts: str | None,
    out: str | None,
    scope: str,
    no_reciprocal: bool,
    second_check: str,
) -> None:
    """Распределить работы ВПР по экспертам других школ."""
    started = time.perf_counter()
    try:
        paths = _required(works=works, experts=experts, out=out)
        options = _options(scope, no_reciprocal, second_check)
        out_dir = _out_dir(paths["out"])
        packages, staff = read_input(paths["works"], paths["experts"])
    except TabularRejected as exc:
        click.echo("Ошибка во входных данных:\n" + str(exc), err=True)
        click.get_current_context().exit(BAD_INPUT)
    result = solve(packages, staff, options)
    result.summary["total_time_s"] = round(time.perf_counter() - started, 3)
    result.summary["peak_memory_mib"] = peak_memory_mib()
    try:
        write_result(result, out_dir)
    except OSError as exc:
        click.echo(f"Не удаётся записать результаты в {out_dir}: {exc.strerror}.", err=True)
        click.get_current_context().exit(1)
    _report(result, out_dir)
