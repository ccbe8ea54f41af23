"""Benchmark of the ВПР cross-check engine against a naive greedy; run on demand, not by pytest.

    .venv/bin/python -m tests.benchmarks.bench_crosscheck [--sizes district,region,big]
        [--modes any,no-reciprocal,second-check] [--runs N] [--save bench-out/crosscheck.txt]
    .venv/bin/python -m tests.benchmarks.bench_crosscheck --policies [--sizes region]
        [--save bench-out/crosscheck-policies.txt]

Further modes: same-muni, same-muni-norec, other-muni, same-muni-second, strict (same
municipality, no reciprocal schools, 10 % second check).

``--policies`` prints, for every policy, the engine's unplaced works per role, the proven
bound, the gap and the seconds, next to the plain min-cost-flow model of
``tests/benchmarks/plain_crosscheck.py`` (both of its orientations; built for the
same-municipality policies only) — issue 9 §4. Wall seconds (with CSV) and the CPU seconds of
the worker process (``time.process_time``, steadier on a shared machine); the plain runs of a
policy follow its engine run, so each row group is a paired comparison.

Every run is a fresh subprocess (CSV in, engine, CSV out), so the peak memory is per run. Times
are medians over the runs (5 for the district, 3 for the region, 1 for the big region unless
--runs says otherwise); the naive greedy runs once per size and mode.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.plain_crosscheck import plain_crosscheck
from tests.workflows.assignment.crosscheck.baseline import solve_naive
from tests.workflows.assignment.crosscheck.checker import check, check_rules
from tests.workflows.assignment.crosscheck.synthetic import SIZES, generate, write_inputs
from webapp.crosscheck.csvio import read_input, write_result
from workflows.assignment.crosscheck import Options, Scope, solve
from workflows.assignment.crosscheck.report import peak_memory_mib

MODES = {
    "any": Options(),
    "no-reciprocal": Options(no_reciprocal=True),
    "second-check": Options(second_check=0.1),
    "same-muni": Options(scope=Scope.SAME_MUNICIPALITY),
    "same-muni-norec": Options(scope=Scope.SAME_MUNICIPALITY, no_reciprocal=True),
    "other-muni": Options(scope=Scope.OTHER_MUNICIPALITY),
    "same-muni-second": Options(scope=Scope.SAME_MUNICIPALITY, second_check=0.1),
    "strict": Options(scope=Scope.SAME_MUNICIPALITY, no_reciprocal=True, second_check=0.1),
}
POLICIES = (
    "any",
    "no-reciprocal",
    "second-check",
    "same-muni",
    "same-muni-norec",
    "same-muni-second",
    "other-muni",
    "strict",
)
DEFAULT_MODES = "any,no-reciprocal,second-check"
TARGETS = {"region": (10.0, 1024.0), "big": (30.0, 2048.0)}
DEFAULT_RUNS = {"district": 5, "region": 3, "big": 1}


def _figures(summary: dict) -> dict:
    totals, load = summary["totals"], summary["load"]
    second = totals.get("second", {})
    return {
        "works": totals["primary"]["demand"],
        "experts": totals["experts"],
        "packages": totals["packages"],
        "unassigned": totals["primary"]["unassigned"],
        "minimum": totals["primary"]["minimum_unassigned"],
        "second_unassigned": second.get("unassigned"),
        "second_minimum": second.get("minimum_unassigned"),
        "second_demand": second.get("demand"),
        "ratio": load["max_ratio"],
        "bound": load["lower_bound"],
        "per_package": summary["experts_per_package"]["mean"],
        "per_package_max": summary["experts_per_package"]["max"],
        "reciprocal": summary["reciprocal_school_pairs"],
        "local": summary["same_municipality_share"],
        "spread_p90": load["spread"]["p90"],
    }


def _plain_worker(mode: str, orientation: str, data: str) -> dict:
    """The plain min-cost-flow model in a fresh process; its answer checked by the checker."""
    started, cpu = time.perf_counter(), time.process_time()
    packages, experts = read_input(Path(data) / "works.csv", Path(data) / "experts.csv")
    options = MODES[mode]
    plain = plain_crosscheck(packages, experts, options, orientation=orientation)
    errors = check_rules(plain.result, packages, experts, options)
    return {
        "unassigned": plain.primary_unassigned,
        "second_unassigned": plain.second_unassigned if options.second_check else None,
        "solve_s": round(plain.seconds, 2),
        "total_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_mib": peak_memory_mib(),
        "arcs": plain.arcs,
        "rule_errors": len(errors),
    }


def worker(mode: str, solver: str, data: str) -> dict:
    """One run inside a fresh process: read CSV, solve, write CSV; return the figures."""
    if solver.startswith("plain-"):
        return _plain_worker(mode, solver.removeprefix("plain-"), data)
    started, cpu = time.perf_counter(), time.process_time()
    packages, experts = read_input(Path(data) / "works.csv", Path(data) / "experts.csv")
    solve_started = time.perf_counter()
    run = solve if solver == "engine" else solve_naive
    result = run(packages, experts, MODES[mode])
    solve_time = time.perf_counter() - solve_started
    with tempfile.TemporaryDirectory() as out:
        write_result(result, out)
    figures = _figures(result.summary)
    figures["rule_errors"] = len(check(result, packages, experts, MODES[mode]))
    figures.update(
        solve_s=round(solve_time, 2),
        total_s=round(time.perf_counter() - started, 2),
        cpu_s=round(time.process_time() - cpu, 2),
        peak_mib=peak_memory_mib(),
    )
    return figures


def _run(mode: str, solver: str, data: Path) -> dict:
    command = [sys.executable, "-m", "tests.benchmarks.bench_crosscheck"]
    command += ["--worker", mode, solver, str(data)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for key in ("solve_s", "total_s"):
        out[key] = round(statistics.median(r[key] for r in runs), 2)
    out["peak_mib"] = max(r["peak_mib"] for r in runs)
    return out


def _checks(size: str, mode: str, e: dict) -> list[str]:
    out = []
    if size in TARGETS:
        seconds, mib = TARGETS[size]
        out.append(f"time<{seconds:g}s:{'ok' if e['total_s'] < seconds else 'FAIL'}")
        out.append(f"mem<{mib:g}MiB:{'ok' if e['peak_mib'] < mib else 'FAIL'}")
    out.append(f"unassigned=min:{'ok' if e['unassigned'] == e['minimum'] else 'no'}")
    out.append(f"ratio<=1.01*bound:{'ok' if e['ratio'] <= 1.01 * e['bound'] + 1e-9 else 'FAIL'}")
    if mode == "any":
        out.append(f"exp/pkg<=1.3:{'ok' if e['per_package'] <= 1.3 else 'FAIL'}")
    if "no-reciprocal" in mode or "norec" in mode:
        out.append(f"no reciprocal:{'ok' if e['reciprocal'] == 0 else 'FAIL'}")
    return out


HEADER = (
    f"{'size':9}{'mode':14}{'works':>9}{'experts':>8} | {'solver':7}{'solve s':>8}{'total s':>8}"
    f"{'peak MiB':>9}{'unassigned':>11}{'min':>7}{'2nd unas.':>10}{'2nd min':>8}{'max ratio':>10}"
    f"{'bound':>8}"
    f"{'exp/pkg':>8}{'max':>5}{'recip':>6}{'local':>7}"
)


def _line(size: str, mode: str, solver: str, f: dict) -> str:
    engine = solver == "engine"
    minimum = f["minimum"] if engine else "-"
    bound = f"{f['bound']:.4f}" if engine else "-"
    second = "-" if f["second_unassigned"] is None else f["second_unassigned"]
    second_min = f["second_minimum"] if engine and f["second_minimum"] is not None else "-"
    return (
        f"{size:9}{mode:14}{f['works']:>9}{f['experts']:>8} | {solver:7}{f['solve_s']:>8.2f}"
        f"{f['total_s']:>8.2f}{f['peak_mib']:>9.0f}{f['unassigned']:>11}{minimum!s:>7}"
        f"{second!s:>10}{second_min!s:>8}{f['ratio']:>10.4f}{bound:>8}{f['per_package']:>8.3f}"
        f"{f['per_package_max']:>5}{f['reciprocal']:>6}{f['local']:>7.3f}"
    )


def bench(sizes: list[str], modes: list[str], runs: int) -> list[str]:
    """Run every size and mode; return the table lines."""
    lines = [HEADER, "-" * len(HEADER)]
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            data = Path(tmp) / size
            write_inputs(*generate(SIZES[size], seed=1), data)
            for mode in modes:
                times = runs or DEFAULT_RUNS[size]
                engine = _median([_run(mode, "engine", data) for _ in range(times)])
                naive = _run(mode, "naive", data)
                lines.append(_line(size, mode, "engine", engine))
                lines.append(_line(size, mode, "naive", naive))
                lines.append("    targets: " + "  ".join(_checks(size, mode, engine)))
                print("\n".join(lines[-3:]), flush=True)
    return lines


def _gap(unplaced: int, bound: int, demand: int) -> str:
    """Gap to the proven bound: % of the bound and % of the demand."""
    if unplaced == bound:
        return "0 / 0"
    of_bound = f"{100 * (unplaced - bound) / bound:.1f}" if bound else "inf"
    return f"{of_bound} / {100 * (unplaced - bound) / demand:.2f}"


POLICY_HEADER = (
    f"{'size':9}{'policy':18}{'solver':15}{'seconds':>8}{'cpu s':>7}{'MiB':>6}{'1st unpl.':>10}"
    f"{'bound':>8}{'gap % b/d':>13}{'2nd unpl.':>10}{'bound':>8}{'gap % b/d':>13}{'rules':>6}"
)


def _policy_line(size: str, policy: str, solver: str, f: dict, engine: dict) -> str:
    first_bound, second_bound = engine["minimum"], engine["second_minimum"]
    second = f["second_unassigned"]
    if second is None:
        second_cols = f"{'-':>10}{'-':>8}{'-':>13}"
    else:
        gap2 = _gap(second, second_bound, engine["second_demand"])
        second_cols = f"{second:>10}{second_bound:>8}{gap2:>13}"
    gap1 = _gap(f["unassigned"], first_bound, engine["works"])
    rules = "ok" if f["rule_errors"] == 0 else f"{f['rule_errors']}!"
    return (
        f"{size:9}{policy:18}{solver:15}{f['total_s']:>8.2f}{f['cpu_s']:>7.2f}{f['peak_mib']:>6.0f}"
        f"{f['unassigned']:>10}{first_bound:>8}{gap1:>13}{second_cols}{rules:>6}"
    )


def policies(sizes: list[str], names: list[str]) -> list[str]:
    """Engine against the plain min-cost-flow model, policy by policy (issue 9 §4)."""
    lines = [POLICY_HEADER, "-" * len(POLICY_HEADER)]
    print(lines[0], flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            data = Path(tmp) / size
            write_inputs(*generate(SIZES[size], seed=1), data)
            for policy in names:
                engine = _run(policy, "engine", data)
                rows = [_policy_line(size, policy, "engine (joint)", engine, engine)]
                if MODES[policy].scope == Scope.SAME_MUNICIPALITY:
                    for orientation in ("drop", "parity"):
                        plain = _run(policy, f"plain-{orientation}", data)
                        rows.append(_policy_line(size, "", f"plain {orientation}", plain, engine))
                else:
                    rows.append(f"{'':9}{'':18}plain: not built for this scope")
                lines += rows
                print("\n".join(rows), flush=True)
    return lines


def main() -> None:
    """Parse arguments and run the benchmark (or one worker run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="district,region,big")
    parser.add_argument("--modes", default=DEFAULT_MODES, help=f"any of {', '.join(MODES)}")
    parser.add_argument("--runs", type=int, default=0, help="runs per size (default 5/3/1)")
    parser.add_argument("--save", default="bench-out/crosscheck.txt")
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "SOLVER", "DATA"))
    parser.add_argument("--policies", action="store_true", help="engine vs plain, per policy")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    if args.policies:
        sizes = args.sizes.split(",") if args.sizes != parser.get_default("sizes") else ["region"]
        names = list(POLICIES) if args.modes == DEFAULT_MODES else args.modes.split(",")
        lines = policies(sizes, names)
        save = args.save
        if save == parser.get_default("save"):
            save = "bench-out/crosscheck-policies.txt"
        Path(save).parent.mkdir(parents=True, exist_ok=True)
        Path(save).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"saved to {save}")
        return
    print(HEADER, flush=True)
    lines = bench(args.sizes.split(","), args.modes.split(","), args.runs)
    Path(args.save).parent.mkdir(parents=True, exist_ok=True)
    Path(args.save).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"saved to {args.save}")


if __name__ == "__main__":
    main()
