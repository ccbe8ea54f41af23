"""Load benchmark: locust against the compose web settings on the 3,000-school database.

1. Seeds (or, with ``--reuse``, reuses) the PostgreSQL database of ``bench_screens`` (3,000
   schools, 30,000 documents, 100,000 versions).
2. Starts gunicorn exactly as the ``web`` service of ``docker-compose.yml`` runs it (4 sync
   workers, its timeout and forwarded-IP settings), bound to a loopback port, with the compose
   environment pointed at that database (``scripts/compose_twin.py`` builds both).
3. Runs locust headless (``tests/benchmarks/locustfile.py``: school cabinet → document page,
   curator queue → document → review screen, coordinator overview; 1–3 s between actions) for
   each number of users, bounded in time, statistics reset once every user is spawned.
4. Prints requests/s, p50/p95/p99 per screen and the errors, the CPU the web server used per
   request and the machine's load average, as Markdown for docs/benchmarks.md.

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_load [--users 100,200,400] [--run-time 60]
        [--reuse] [--keep] [--database ekspertiza_load]

The exit code is 1 when a target is missed (200 users p95 < 200 ms, 400 users p95 < 500 ms,
no errors at any level). See docs/load.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg

from scripts import compose_twin
from tests import pg_admin
from tests.benchmarks import bench_screens

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"
TARGETS_MS = {200: 200.0, 400: 500.0}  # p95 of all requests at that many users


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="100,200,400", help="comma-separated user counts")
    parser.add_argument("--run-time", type=int, default=60, help="seconds measured per level")
    parser.add_argument("--spawn-rate", type=float, default=40.0, help="users started per second")
    parser.add_argument("--database", default="ekspertiza_load")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--port", type=int, default=0, help="web port (0: a free one)")
    parser.add_argument("--seed", type=int, default=500)
    return parser.parse_args(argv)


def accounts(url: str) -> dict:
    """The benchmark's accounts by journey: every school, curators with a queue, coordinators."""
    dsn = bench_screens.libpq_dsn(url)
    with psycopg.connect(dsn) as conn:
        query = "select email from users where email like 'school.%' order by id"
        schools = [r[0] for r in conn.execute(query)]
        curators = [
            r[0]
            for r in conn.execute(
                "select u.email from users u join curator_schools cs on cs.curator_id = u.id "
                "join documents d on d.school_id = cs.school_id "
                "where d.state in ('submitted', 'curator_review') "
                "group by u.email order by u.email"
            )
        ]
        coordinators = [
            r[0]
            for r in conn.execute(
                "select email from users where email like 'coord.%' or email like 'admin@%' "
                "order by email"
            )
        ]
    return {
        "password": bench_screens.PASSWORD,
        "school": schools,
        "curator": curators,
        "coordinator": coordinators,
    }


def start_web(url: str, port: int, log_dir: Path) -> tuple[subprocess.Popen, str, str]:
    """gunicorn as compose's ``web`` runs it; returns the process, its URL and its queue."""
    compose = compose_twin.load_compose()
    queue = f"load-{uuid.uuid4().hex[:8]}"
    env = compose_twin.twin_environment(
        compose,
        database_url=url,
        redis_url=compose_twin.REDIS_BASE,
        queue=queue,
        smtp_port=compose_twin.free_port(),
        upload_dir=log_dir / "uploads",
        secret_key=uuid.uuid4().hex,
        extra={
            # Every locust user signs in from 127.0.0.1: the per-address limit would refuse them.
            "LOGIN_RATE_LIMIT": "1000000 per minute",
            # The seeded hashes use this method: no rehash on the benchmark's sign-ins.
            "PASSWORD_HASH_METHOD": bench_screens.HASH_METHOD,
        },
    )
    port = port or compose_twin.free_port()
    log = (log_dir / "web.log").open("wb")
    process = subprocess.Popen(
        compose_twin.web_command(compose, port),
        cwd=compose_twin.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not compose_twin._answers(f"{base}/login"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not start:\n{(log_dir / 'web.log').read_text()}")
        time.sleep(0.3)
    return process, base, queue


def server_cpu(process: subprocess.Popen) -> float:
    """CPU seconds of the gunicorn master and its workers so far."""
    parent = psutil.Process(process.pid)
    total = 0.0
    for proc in [parent, *parent.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database`` (by process id).

    gunicorn's pooled connections keep their backends for the whole run, so the difference of
    two snapshots over the backends alive at the end is the database's CPU for the run.
    """
    seconds = {}
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] and proc.info["name"].startswith("postgres") and database in cmdline:
            try:
                times = proc.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            seconds[proc.pid] = times.user + times.system
    return seconds


def run_level(users: int, args, base: str, accounts_file: Path, out: Path, web) -> dict:
    """One locust run; returns its rows and the machine figures."""
    prefix = out / f"u{users}"
    command = [
        str(compose_twin.BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.run_time + int(users / args.spawn_rate) + 1}s",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--reset-stats",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    env = {**os.environ, "BENCH_ACCOUNTS": str(accounts_file)}
    load_before = os.getloadavg()
    cpu_before, pg_before = server_cpu(web), postgres_cpu(args.database)
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    cpu = server_cpu(web) - cpu_before
    pg_after = postgres_cpu(args.database)
    pg_cpu = sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items())
    (out / f"u{users}.log").write_text(result.stdout + result.stderr)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    failures = []
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.exists():
        with failures_path.open(encoding="utf-8") as handle:
            failures = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {
        "users": users,
        "rows": rows,
        "failures": failures,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "web_cpu_ms_per_request": 1000 * cpu / max(int(total["Request Count"]), 1),
        "pg_cpu_ms_per_request": 1000 * pg_cpu / max(int(total["Request Count"]), 1),
        "wall": wall,
        "exit": result.returncode,
    }


def fmt(value: str) -> str:
    return f"{float(value):.0f}" if value not in ("", "N/A") else "–"


def print_level(level: dict) -> bool:
    """The Markdown table of one level; True when its targets are met."""
    users = level["users"]
    print(
        f"\n### {users} users (load average before {level['load_before'][0]:.2f}, "
        f"after {level['load_after'][0]:.2f}; web CPU {level['web_cpu_ms_per_request']:.1f} ms "
        f"and PostgreSQL CPU {level['pg_cpu_ms_per_request']:.1f} ms per request)\n"
    )
    print("| Screen | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ordered = sorted(level["rows"], key=lambda r: (r["Name"] == "Aggregated", r["Name"]))
    for row in ordered:
        name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"| {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | "
            f"{fmt(row['50%'])} | {fmt(row['95%'])} | {fmt(row['99%'])} | "
            f"{fmt(row['Max Response Time'])} | {row['Failure Count']} |"
        )
    for failure in level["failures"]:
        print(f"\nerror: {failure['Name']}: {failure['Error']} ×{failure['Occurrences']}")
    total = next(r for r in level["rows"] if r["Name"] == "Aggregated")
    ok = int(total["Failure Count"]) == 0 and level["exit"] in (0, 1)
    target = TARGETS_MS.get(users)
    if target is not None:
        p95 = float(total["95%"])
        met = p95 < target
        print(f"\ntarget p95 < {target:g} ms: {'met' if met else '**missed**'} ({p95:.0f} ms)")
        ok = ok and met
    return ok


def main(argv=None) -> int:
    args = parse_args(argv)
    levels = [int(n) for n in args.users.split(",") if n.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    screen_args = bench_screens.parse_args(["--database", args.database, "--seed", str(args.seed)])
    if args.reuse:
        url = bench_screens.database_url(args.database)
    else:
        url, phases = bench_screens.seed_database(screen_args, work / "uploads")
        print("Seeding:", ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    accounts_file = work / "accounts.json"
    found = accounts(url)
    accounts_file.write_text(json.dumps(found))
    print(
        f"Accounts: {len(found['school'])} schools, {len(found['curator'])} curators with a "
        f"queue, {len(found['coordinator'])} coordinators; {os.cpu_count()} CPUs; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; results in {work}"
    )
    web, base, _queue = start_web(url, args.port, work)
    ok = True
    try:
        for users in levels:
            level = run_level(users, args, base, accounts_file, work, web)
            ok = print_level(level) and ok
            sys.stdout.flush()
    finally:
        web.terminate()
        web.wait(timeout=30)
        if not args.keep and not args.reuse:
            pg_admin.drop_database(args.database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
