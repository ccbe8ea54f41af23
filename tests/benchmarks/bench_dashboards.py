"""Benchmark of the dashboards (issue 11 §4) on a PostgreSQL database of realistic size.

Seeds the world of ``bench_screens`` (3,000 schools, 30,000 documents, 100,000 versions with
their histories) and adds, by COPY: 30,000 measures with their evidence checks, 100,000
evidence files (rows only), a roadmap per school, municipality and region (about 28,000 items)
and a municipal coordinator. Then drives the real app through ``app.test_client()`` over every
role's dashboard (the school, a curator of 3 and of 50 schools, the municipal and regional
coordinators, the admin with and without drill-down).

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_dashboards [--schools 3000 --documents 30000
        --versions 100000 --measures 30000 --evidence 100000 --requests 200] [--keep] [--reuse]

The private database is dropped at the end unless ``--keep``; ``--reuse`` measures a kept one.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from werkzeug.security import generate_password_hash

from tests import pg_admin
from tests.benchmarks import bench_screens as base
from tests.benchmarks.bench_screens import DOMAIN, Screen, scalar

EXTRA: dict[str, str] = {
    "users": "id email full_name password_hash active session_version created_at",
    "memberships": "id user_id role region_id municipality_id school_id",
    "measures": (
        "id school_id document_id goal task title deadline responsible indicator target_value "
        "unit created_at created_by_id"
    ),
    "evidence_checks": (
        "id measure_id actual_value state lock_version submitted_at submitted_evidence_count "
        "state_changed_at state_changed_by"
    ),
    "evidence_files": (
        "id check_id number stored_name sha256 size mime kind original_name uploaded_by_id "
        "uploaded_by_name uploaded_at"
    ),
    "roadmaps": (
        "id level school_id municipality_id region_id title created_at confirmed_at confirmed_by"
    ),
    "roadmap_items": (
        "id roadmap_id event planned actual indicator target_value actual_value evidence "
        "evidence_url evidence_file evidence_file_name evidence_file_mime done_at state "
        "lock_version state_changed_at state_changed_by"
    ),
}
EVIDENCE_WEIGHTS = {"draft": 30, "submitted": 20, "accepted": 35, "returned": 10, "not_done": 5}
ITEM_WEIGHTS = {"planned": 30, "in_progress": 15, "done": 45, "removed": 10}
ITEMS = {"school": 8, "municipality": 20, "region": 30}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--documents", type=int, default=30000)
    parser.add_argument("--versions", type=int, default=100000)
    parser.add_argument("--measures", type=int, default=30000)
    parser.add_argument("--evidence", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per screen")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--target-ms", type=float, default=150.0, help="p95 target")
    parser.add_argument("--seed", type=int, default=500)
    parser.add_argument("--database", default="ekspertiza_bench_dashboards")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--all-queries", action="store_true")
    return parser.parse_args(argv)


class Extra:
    """Rows of the extra tables, ids continuing after the base seed's."""

    def __init__(self, start: dict[str, int]) -> None:
        self.rows: dict[str, list[tuple]] = {table: [] for table in EXTRA}
        self.start = start

    def add(self, table: str, *values: object) -> int:
        rows = self.rows[table]
        new_id = self.start.get(table, 0) + len(rows) + 1
        assert len(values) + 1 == len(EXTRA[table].split()), table
        rows.append((new_id, *values))
        return new_id


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate_extra(seed: base.Seed, args: argparse.Namespace, now: datetime) -> Extra:
    rng = random.Random(args.seed + 1)
    extra = Extra({t: len(seed.rows[t]) for t in ("users", "memberships")})
    schools = [row[0] for row in seed.rows["schools"]]
    munis = seed.rows["municipalities"]
    biggest = max(munis, key=lambda m: sum(1 for s in seed.rows["schools"] if s[2] == m[0]))
    password_hash = generate_password_hash(base.PASSWORD, method=base.HASH_METHOD)
    user = extra.add(
        "users", f"mun.bench@{DOMAIN}", "Муниципальный координатор", password_hash,
        True, 1, now,
    )  # fmt: skip
    extra.add("memberships", user, "municipal_coordinator", None, biggest[0], None)
    today = now.date()
    evidence_left = args.evidence
    checks = []
    for n in range(args.measures):
        school = schools[n % len(schools)]
        deadline = today + timedelta(days=rng.randint(-200, 200))
        measure = extra.add(
            "measures", school, None, "Цель", "Задача", f"Мероприятие {n + 1}", deadline,
            "Ответственный", "Показатель", 10.0, "%", now, None,
        )  # fmt: skip
        state = pick(rng, EVIDENCE_WEIGHTS)
        check = extra.add(
            "evidence_checks", measure, None if state == "draft" else 8.0, state, 1,
            None if state == "draft" else now, 0, now, "",
        )  # fmt: skip
        if state != "draft":
            checks.append(check)
    per_check, spare = divmod(evidence_left, max(len(checks), 1))
    for index, check in enumerate(checks):
        for number in range(1, per_check + (index < spare) + 1):
            file_id = len(extra.rows["evidence_files"]) + 1
            extra.add(
                "evidence_files", check, number, f"bench-{file_id:07d}.pdf", "0" * 64, 1000,
                "application/pdf", "pdf", "отчёт.pdf", None, "", now,
            )  # fmt: skip
    owners = [("school", s, None, None) for s in schools]
    owners += [("municipality", None, m[0], None) for m in munis]
    owners += [("region", None, None, r[0]) for r in seed.rows["regions"]]
    for level, school, muni, region in owners:
        roadmap = extra.add(
            "roadmaps", level, school, muni, region, "Дорожная карта", now, None, None
        )
        for k in range(ITEMS[level]):
            state = pick(rng, ITEM_WEIGHTS)
            extra.add(
                "roadmap_items", roadmap, f"Мероприятие {k + 1}", "март", "", "", "", "", "",
                "", None, None, None, now if state == "done" else None, state, 1, now, "",
            )  # fmt: skip
    return extra


def load_extra(url: str, extra: Extra) -> None:
    with psycopg.connect(base.libpq_dsn(url)) as conn, conn.cursor() as cur:
        for table, rows in extra.rows.items():
            names = EXTRA[table].split()
            stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
            )
            with cur.copy(stmt) as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))"
                ).format(sql.Literal(table), sql.Identifier(table))
            )


def seed_database(args: argparse.Namespace, upload_dir: Path) -> tuple[str, dict[str, float]]:
    phases: dict[str, float] = {}
    started = time.perf_counter()
    url = base.create_and_migrate(args.database, upload_dir)
    phases["create + migrate"] = time.perf_counter() - started
    mark = time.perf_counter()
    now = datetime.now(UTC)
    seed = base.generate(args, now)
    extra = generate_extra(seed, args, now)
    phases["generate rows (Python)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    base.load(url, seed)
    load_extra(url, extra)
    rows = sum(len(r) for r in seed.rows.values()) + sum(len(r) for r in extra.rows.values())
    phases[f"COPY {rows:,} rows"] = time.perf_counter() - mark
    mark = time.perf_counter()
    base.vacuum_analyze(url)
    phases["VACUUM ANALYZE"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - started
    return url, phases


def pick_screens() -> list[Screen]:
    """Every role's dashboard, users found in the data."""
    screens = {s.name: s for s in base.pick_screens()}
    coordinator = screens["overview, regional coordinator (1/3 of schools)"].email
    admin = screens["overview, admin (all schools)"].email
    light = screens["queue, curator of 3 schools"].email
    heavy = screens["queue, curator of 50 schools"].email
    big_region = scalar(
        "select region_id from memberships where role = 'regional_coordinator' and user_id = "
        "(select id from users where email = :e)",
        e=coordinator,
    )
    school_id = scalar(
        "select school_id from measures group by school_id order by count(*) desc, school_id "
        "limit 1"
    )
    school_user = scalar(
        "select u.email from users u join memberships ms on ms.user_id = u.id "
        "where ms.role = 'school' and ms.school_id = :s order by u.id limit 1",
        s=school_id,
    )
    mun = f"mun.bench@{DOMAIN}"
    muni = scalar(
        "select municipality_id from memberships where role = 'municipal_coordinator' limit 1"
    )
    return [
        Screen("school", school_user, f"/dashboard/schools/{school_id}"),
        Screen("curator of 3 schools", light, "/dashboard/curator"),
        Screen("curator of 50 schools", heavy, "/dashboard/curator"),
        Screen("municipal coordinator", mun, "/dashboard/territory"),
        Screen("regional coordinator (1/3 of schools)", coordinator, "/dashboard/territory"),
        Screen(
            "regional coordinator, one municipality",
            coordinator,
            f"/dashboard/territory?municipality={muni}",
        ),
        Screen("admin (all regions)", admin, "/dashboard/territory"),
        Screen("admin, big region", admin, f"/dashboard/territory?region={big_region}"),
    ]


def print_counts(url: str) -> None:
    with psycopg.connect(base.libpq_dsn(url)) as conn:
        counts = {
            table: conn.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in ("schools", "documents", *EXTRA)
        }
    print("\nRows:", ", ".join(f"{t} {n:,}" for t, n in counts.items()))


def run(url: str, upload_dir: Path, args: argparse.Namespace):
    from webapp.extensions import db

    app = base.make_app(url, upload_dir)
    with app.app_context():
        recorder = base.SqlRecorder(db.engine)
        screens = pick_screens()
    results = base.measure(app, recorder, screens, args)
    base.print_results(results, args.target_ms)
    base.print_statements(results, recorder, args)
    recorder.engine.dispose()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not pg_admin.available():
        print(f"PostgreSQL is not reachable at {pg_admin.ADMIN_URL}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        upload_dir = Path(tmp)
        url = base.database_url(args.database)
        try:
            if not args.reuse:
                url, phases = seed_database(args, upload_dir)
                print("Seeding:", ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
            print_counts(url)
            results = run(url, upload_dir, args)
        finally:
            if not args.keep:
                pg_admin.drop_database(args.database)
    return 0 if all(r.p95 < args.target_ms for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
