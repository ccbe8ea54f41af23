"""Benchmark of the mutual-expertise pairing engine (run on demand, not collected by pytest).

    .venv/bin/python -m tests.benchmarks.bench_expertise [--sizes 500:2,3000:2,10000:3]

For each size a seeded generator writes schools.csv and history.csv (84 regions of very uneven
size, three risks from a skewed catalogue of ten, last year's pairs as history). The engine runs
in a fresh subprocess through ``run_pairing`` (what `flask expertise pair` calls), so
``peak_memory_mb`` is that run's own peak RSS. The outputs are validated by the independent
checker of the tests. A random valid pairing is produced in the same run for comparison: the
same engine on a copy of the input whose risks, settlement and sizes are shuffled between
schools (regions and history kept), scored with the true attributes.

``--plain`` also solves the plain min-cost-flow baseline of ``tests/benchmarks/plain_flow.py``
(exact flow over all allowed arcs without reciprocity, then swaps against reciprocal pairs) in
this process and prints the engine beside it:

    .venv/bin/python -m tests.benchmarks.bench_expertise --clustered --sizes 10000:2 --plain
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.workflows.assignment.expertise.checker import (
    Problem,
    check_alternates,
    check_reviews,
    load_alternates,
    load_problem,
    load_reviews,
    same_settlement,
    similarity,
)

REGIONS = 84
RISK_WEIGHTS = [0.22, 0.18, 0.14, 0.11, 0.09, 0.08, 0.06, 0.05, 0.04, 0.03]
TARGET_SECONDS = {3000: 10.0, 10000: 30.0}
TARGET_GAP = 0.01
CLUSTERED_SHARE = 0.22


def region_sizes(n: int, rng: random.Random, clustered: bool = False) -> list[int]:
    """84 regions, lognormal weights: a few with hundreds of schools, many with 5-20 at 3,000.

    ``clustered`` gives the first region 22 % of all schools (just under the 1/(k+1) limit).
    """
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(REGIONS)]
    if clustered:
        weights[0] = CLUSTERED_SHARE / (1 - CLUSTERED_SHARE) * sum(weights[1:])
    total = sum(weights)
    sizes = [1 + int((n - REGIONS) * w / total) for w in weights]
    for i in rng.sample(range(REGIONS), n - sum(sizes)):
        sizes[i] += 1
    return sizes


def generate(n: int, k: int, seed: int, folder: Path, clustered: bool = False):
    """Write schools.csv and history.csv for ``n`` schools.

    ``clustered``: one dominant region, and 70 % of each region's schools share that region's
    favourite risk set (an adversarial case for pruning and for the bounds).
    """
    rng = random.Random(seed)
    rows = []
    for region, size in enumerate(region_sizes(n, rng, clustered)):
        favourite = _three_risks(rng)
        for _ in range(size):
            rural = rng.random() < 0.55
            pupils = int(rng.lognormvariate(5.0 if rural else 6.4, 0.6))
            risks = favourite if clustered and rng.random() < 0.7 else _three_risks(rng)
            rows.append(
                [
                    f"S{len(rows):05d}",
                    f"REG{region:02d}",
                    f"REG{region:02d}-M{rng.randrange(6)}",
                    "rural" if rural else "urban",
                    pupils,
                    ";".join(risks),
                ]
            )
    schools = folder / "schools.csv"
    _write(
        schools,
        ["school_id", "region_id", "municipality_id", "settlement", "pupils", "risks"],
        rows,
    )
    history = folder / "history.csv"
    _write(history, ["reviewer_school_id", "reviewed_school_id", "year"], _history(rows, k, rng))
    return schools, history


def _three_risks(rng: random.Random) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < 3:
        code = f"R{rng.choices(range(1, 11), RISK_WEIGHTS)[0]}"
        if code not in chosen:
            chosen.append(code)
    return chosen


def _history(rows, k: int, rng: random.Random) -> list[list]:
    """Last year's pairs: each school reviewed k random schools of other regions."""
    pairs = []
    for row in rows:
        picked = 0
        while picked < k:
            other = rng.choice(rows)
            if other[1] != row[1]:
                pairs.append([row[0], other[0], 2025])
                picked += 1
    return pairs


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def shuffled_copy(schools: Path, folder: Path, seed: int) -> Path:
    """Same ids and regions, but risks, settlement and pupils shuffled between schools."""
    with schools.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    traits = [r[3:] for r in body]
    random.Random(seed).shuffle(traits)
    path = folder / "schools_shuffled.csv"
    _write(path, header, [r[:3] + t for r, t in zip(body, traits, strict=True)])
    return path


def run_child(schools: Path, history: Path, k: int, no_reciprocal: bool, out: Path) -> dict:
    """Run one pairing in a fresh interpreter; return its summary plus the wall time."""
    args = [
        sys.executable,
        "-m",
        "tests.benchmarks.bench_expertise",
        "--child",
        str(schools),
        str(history),
        str(k),
        str(int(no_reciprocal)),
        str(out),
    ]
    started = time.perf_counter()
    cpu_before = _children_cpu()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if done.returncode not in (0, 3):
        raise RuntimeError(done.stderr)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary["wall_seconds_with_startup"] = round(wall, 2)
    summary["cpu_seconds_with_startup"] = round(cpu, 2)
    return summary


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_main(argv: list[str]) -> int:
    """Inside the subprocess: the same call the CLI makes."""
    from webapp.expertise.runner import run_pairing

    schools, history, k, no_reciprocal, out = argv
    outcome = run_pairing(schools, history, int(k), bool(int(no_reciprocal)), out)
    print(outcome.message)
    return outcome.exit_code


def score(problem: Problem, reviews) -> dict:
    """Similarity figures computed by the checker (exact fractions)."""
    sims = [similarity(problem, r, v) for v, r in reviews]
    same = sum(same_settlement(problem, v, r) for v, r in reviews)
    return {
        "mean": float(sum(sims)) / len(sims),
        "min": float(min(sims)),
        "settlement": same / len(reviews),
    }


def bench_size(
    n: int, k: int, no_reciprocal: bool, seed: int, sample: int, clustered: bool, plain=False
):
    """Generate, run engine and random baseline, check everything."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        schools, history = generate(n, k, seed, folder, clustered)
        summary = run_child(schools, history, k, no_reciprocal, folder / "out")
        problem = load_problem(schools, history, k, no_reciprocal)
        reviews = load_reviews(folder / "out" / "reviews.csv")
        alternates = load_alternates(folder / "out" / "alternates.csv")
        errors = check_reviews(problem, reviews)
        alt_errors = check_alternates(problem, reviews, alternates, 5, sample=sample, seed=seed)
        random_out = folder / "random"
        run_child(shuffled_copy(schools, folder, seed), history, k, no_reciprocal, random_out)
        random_reviews = load_reviews(random_out / "reviews.csv")
        random_errors = check_reviews(problem, random_reviews)
        baseline = run_plain(problem) if plain else None
        return {
            "plain": baseline,
            "n": n,
            "k": k,
            "summary": summary,
            "engine": score(problem, reviews),
            "random": score(problem, random_reviews),
            "errors": errors,
            "alternate_errors": alt_errors,
            "random_errors": random_errors,
        }


def run_plain(problem: Problem) -> dict:
    """The plain min-cost-flow baseline, scored and checked like the engine."""
    from tests.benchmarks.plain_flow import plain_flow

    cpu = time.process_time()
    result = plain_flow(problem)
    arcs = len(problem.schools) * problem.k
    out = {
        "seconds": round(result.seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "relaxation_mean": result.relaxation_similarity / arcs,
        "network_arcs": result.arcs,
        "network_nodes": result.nodes,
        "notes": result.notes,
    }
    if result.reviews is None:
        return out | {"mean": None, "errors": ["no pairing"]}
    return out | score(problem, result.reviews) | {"errors": check_reviews(problem, result.reviews)}


def report(rows: list[dict]) -> bool:
    """Print the table and the target verdicts; True if every target is met."""
    print(
        "| schools | k | run s | wall s | peak MB | mean sim | bound | gap | min sim | same settl. "
        "| rules | alternates | random mean | random min | random settl. |"
    )
    print("|" + "---|" * 15)
    for r in rows:
        s, e, rnd = r["summary"], r["engine"], r["random"]
        sim = s["similarity"]
        rules = "valid" if not r["errors"] else f"{len(r['errors'])} violations"
        alts = "valid" if not r["alternate_errors"] else f"{len(r['alternate_errors'])} problems"
        print(
            f"| {r['n']} | {r['k']} | {s['run_time_seconds']:.2f} | "
            f"{s['wall_seconds_with_startup']:.2f} | {s['peak_memory_mb']:.0f} | "
            f"{e['mean']:.5f} | {sim['upper_bound_mean']:.5f} | {sim['gap_to_bound']:.4%} | "
            f"{e['min']:.2f} | {e['settlement']:.1%} | {rules} | {alts} | "
            f"{rnd['mean']:.4f} | {rnd['min']:.2f} | {rnd['settlement']:.1%} |"
        )
    if any(r["plain"] for r in rows):
        _report_plain(rows)
    for r in rows:
        steps = ", ".join(f"{k} {v:.2f}" for k, v in r["summary"]["seconds_by_step"].items())
        print(f"  {r['n']:>6} schools, seconds by step: {steps}")
    return all([_verdict(r) for r in rows])


def _report_plain(rows: list[dict]) -> None:
    print()
    print(
        "| schools | k | engine mean | engine s (cpu) | proven bound | gap | plain flow mean "
        "| plain relaxation (exact, reciprocity relaxed) | plain s (cpu) | engine - plain | "
        "plain rules |"
    )
    print("|" + "---|" * 11)
    for r in rows:
        s, e, b = r["summary"], r["engine"], r["plain"]
        if not b:
            continue
        sim = s["similarity"]
        diff = f"{e['mean'] - b['mean']:+.5f}" if b.get("mean") is not None else "n/a"
        mean = f"{b['mean']:.5f}" if b.get("mean") is not None else "none"
        rules = "valid" if not b["errors"] else f"{len(b['errors'])} violations"
        print(
            f"| {r['n']} | {r['k']} | {e['mean']:.5f} | {s['run_time_seconds']:.2f} "
            f"({s['cpu_seconds_with_startup']:.2f}) | {sim['upper_bound_mean']:.5f} | "
            f"{sim['gap_to_bound']:.4%} | {mean} | {b['relaxation_mean']:.5f} | "
            f"{b['seconds']:.2f} ({b['cpu_seconds']:.2f}) | {diff} | {rules} |"
        )


def _verdict(r: dict) -> bool:
    s = r["summary"]
    checks = {
        "valid pairing": not r["errors"] and not r["random_errors"],
        "alternates valid": not r["alternate_errors"],
        "gap < 1 %": s["similarity"]["gap_to_bound"] < TARGET_GAP,
    }
    if r["plain"]:
        plain = r["plain"].get("mean")
        checks["never below the plain flow"] = plain is None or r["engine"]["mean"] >= plain - 1e-12
        checks["plain flow valid"] = not r["plain"]["errors"]
        bound = s["similarity"]["upper_bound_mean"]  # must hold for the plain (valid) pairing
        checks["bound >= plain flow"] = plain is None or bound >= plain - 1e-9
    if r["n"] in TARGET_SECONDS:
        checks[f"under {TARGET_SECONDS[r['n']]:.0f} s"] = (
            s["run_time_seconds"] < TARGET_SECONDS[r["n"]]
        )
    for name, passed in checks.items():
        print(f"  {r['n']:>6} schools: {name}: {'PASS' if passed else 'FAIL'}")
    for problem in (r["errors"] + r["alternate_errors"] + r["random_errors"])[:5]:
        print(f"    {problem}")
    return all(checks.values())


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the sizes and print the table."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500:2,3000:2,10000:3", help="n:k,n:k,...")
    parser.add_argument("--allow-reciprocal", action="store_true", help="drop --no-reciprocal")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--sample",
        type=int,
        default=300,
        help="schools whose alternates are "
        "also checked for completeness and best-first against all schools",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--clustered", action="store_true", help="dominant region, risks by region")
    parser.add_argument("--plain", action="store_true", help="also run the plain flow baseline")
    args = parser.parse_args(argv)
    rows = []
    for item in args.sizes.split(","):
        n, k = (int(x) for x in item.split(":"))
        no_reciprocal = not args.allow_reciprocal
        rows.append(
            bench_size(n, k, no_reciprocal, args.seed, args.sample, args.clustered, args.plain)
        )
    ok = report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
