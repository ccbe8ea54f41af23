"""One pairing run from CSV files to output files; shared by the CLI and the benchmark."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from pathlib import Path

from webapp.expertise.csvio import read_history, read_schools, write_alternates, write_reviews
from webapp.tabular import TabularRejected, reject, write_json
from workflows.assignment.expertise.engine import pair_schools
from workflows.assignment.expertise.model import PairingOptions, PairingResult

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NO_PAIRING = 3  # proven infeasible, or not found within the engine's limits


@dataclass
class RunOutcome:
    """Exit code, a one-paragraph message (Russian) and the summary written."""

    exit_code: int
    message: str
    summary: dict | None = None


def run_pairing(
    schools_path: str | Path,
    history_path: str | Path | None,
    k: int,
    no_reciprocal: bool,
    out_dir: str | Path,
    options: PairingOptions | None = None,
) -> RunOutcome:
    """Read the inputs, pair, write reviews.csv, alternates.csv and summary.json."""
    started = time.perf_counter()
    opts = options or PairingOptions()
    try:
        _check_numbers(k, opts)
        schools = read_schools(schools_path)
        history = read_history(history_path, schools) if history_path else []
        out = _out_dir(out_dir)
    except TabularRejected as exc:
        return RunOutcome(EXIT_BAD_INPUT, str(exc))
    result = pair_schools(schools, history, k, no_reciprocal, opts)
    summary = _summary(result, schools_path, history_path, no_reciprocal, started)
    _write(out, result, summary)
    return RunOutcome(_exit_code(result), _message(result, summary, out), summary)


def _check_numbers(k: int, opts: PairingOptions) -> None:
    for name, value, least in (
        ("--k", k, 1),
        ("--alternates", opts.alternates, 0),
        ("--candidates", opts.candidates, 1),
        ("--seed", opts.seed, 0),
    ):
        if value < least:
            raise reject(f"параметр {name}: нужно целое число не меньше {least}, получено {value}")


def _out_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise reject(f"{out}: не удаётся создать папку для результатов ({exc.strerror})") from None
    return out


def _summary(result: PairingResult, schools_path, history_path, no_reciprocal, started) -> dict:
    summary = dict(result.stats)
    summary["reason"] = result.reason
    summary["no_reciprocal"] = no_reciprocal
    summary["input"] = {"schools": str(schools_path), "history": history_path and str(history_path)}
    summary["run_time_seconds"] = round(time.perf_counter() - started, 3)
    summary["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return summary


def _write(out: Path, result: PairingResult, summary: dict) -> None:
    reviews, alternates = out / "reviews.csv", out / "alternates.csv"
    if result.ok:
        write_reviews(reviews, result.reviews)
        write_alternates(alternates, result.alternates)
    else:  # no stale pairs from an earlier run may remain next to a failure summary
        reviews.unlink(missing_ok=True)
        alternates.unlink(missing_ok=True)
    write_json(out / "summary.json", summary)


def _exit_code(result: PairingResult) -> int:
    return EXIT_OK if result.ok else EXIT_NO_PAIRING


def _message(result: PairingResult, summary: dict, out: Path) -> str:
    if not result.ok:
        return f"Распределение не построено: {result.reason} Подробности: {out / 'summary.json'}"
    sim = summary["similarity"]
    return (
        f"Готово: {summary['schools']} школ, {summary['reviews']} рецензий (k={summary['k']}). "
        f"Средняя схожесть рисков {sim['mean']:.4f} при доказанной верхней границе "
        f"{sim['upper_bound_mean']:.4f}; минимальная {sim['min']:.3f}; "
        f"совпадение типа поселения {summary['settlement_match_share']:.1%}. "
        f"Время {summary['run_time_seconds']} с. Файлы: {out}"
    )
