"""Command line of the expertise engine."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from webapp.expertise.runner import EXIT_BAD_INPUT, run_pairing
from workflows.assignment.expertise.model import PairingOptions

expertise_cli = AppGroup("expertise", help="expertise commands")


@expertise_cli.command("pair")
@click.option("--schools", "schools", help="schools.csv: школы, регионы, риски")
@click.option("--history", "history", default=None, help="history.csv: пары прошлых лет")
@click.option("--k", "k", help="сколько рецензий каждая школа даёт и получает")
@click.option("--no-reciprocal", is_flag=True, help="запретить пары, проверяющие друг друга")
@click.option("--out", "out", help="папка для reviews.csv, alternates.csv, summary.json")
@click.option("--alternates", "alternates", default="5", help="запасных рецензентов на школу")
@click.option("--candidates", "candidates", default="16", help="партнёров на школу при отборе")
@click.option("--seed", "seed", default="0", help="зерно случайного выбора среди равных")
def pair_command(
    schools: str | None,
    history: str | None,
    k: str | None,
    no_reciprocal: bool,
    out: str | None,
    alternates: str,
    candidates: str,
    seed: str,
) -> None:
    """Распределить взаимоэкспертизу: кто кого проверяет (exit 2 — ошибка входа, 3 — нельзя)."""
    for name, value in (("--schools", schools), ("--k", k), ("--out", out)):
        if value is None:
            _fail(f"не указан обязательный параметр {name}")
    k_value = _whole(k, "--k")
    options = PairingOptions(
        alternates=_whole(alternates, "--alternates"),
        candidates=_whole(candidates, "--candidates"),
        seed=_whole(seed, "--seed"),
    )
    outcome = run_pairing(schools, history, k_value, no_reciprocal, out, options)
    prefix = "Ошибка: " if outcome.exit_code == EXIT_BAD_INPUT else ""
    click.echo(prefix + outcome.message, err=outcome.exit_code != 0)
    if outcome.exit_code:
        raise click.exceptions.Exit(outcome.exit_code)


def _whole(value: str, name: str) -> int:
    if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
        _fail(f"параметр {name}: нужно целое число, получено «{value}»")
    return int(value)


def _fail(message: str) -> None:
    click.echo(f"Ошибка: {message}", err=True)
    raise click.exceptions.Exit(EXIT_BAD_INPUT)
