"""Benchmark of the regional analytical report (DOCX) for a region of 300 schools.

Seeds a private PostgreSQL database with ``bench_screens``' generator (900 schools in 21
regions, the first region holding a third of them: 300 schools; their documents, versions,
transition logs, checklist reviews and notifications), then adds by COPY for *every* school:
measures with their evidence checks and evidence files, curators' diary entries, and a school
roadmap with items (some removed with a reason, each with its change-log rows), plus a
regional roadmap. Then it runs the report job's work for the big region — every figure
(``webapp.reports.regional.build_context``) and the Word file (``wordfile.render``) — several
times and prints wall and CPU time. Target: under 10 s.

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_reports [--schools 900 --runs 5] [--keep]

See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from tests import pg_admin
from tests.benchmarks import bench_screens as base

MEASURES_PER_SCHOOL = 10
FILES_PER_REPORTED = 3
DIARY_PER_SCHOOL = 8
ITEMS_PER_ROADMAP = 15
REMOVED_SHARE = 0.1
EVIDENCE_STATES = ["draft", "submitted", "accepted", "accepted", "returned", "not_done"]
ITEM_STATES = ["planned", "in_progress", "done", "done"]

EXTRA: dict[str, str] = {
    "measures": (
        "id school_id goal task title deadline responsible indicator target_value unit created_at"
    ),
    "evidence_checks": (
        "id measure_id actual_value state lock_version submitted_at submitted_evidence_count "
        "state_changed_at state_changed_by"
    ),
    "evidence_files": (
        "id check_id number stored_name sha256 size mime kind original_name uploaded_by_name "
        "uploaded_at"
    ),
    "diary_entries": (
        "id school_id curator_id held_on format participants topics agreements follow_up_on "
        "created_at"
    ),
    "roadmaps": "id level school_id region_id title created_at",
    "roadmap_items": (
        "id roadmap_id event planned actual indicator target_value actual_value evidence "
        "evidence_url state lock_version state_changed_at state_changed_by"
    ),
    "roadmap_item_logs": "id item_id from_state to_state event actor_name comment at",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=900, help="the big region gets a third")
    parser.add_argument("--documents", type=int, default=0, help="default: 10 per school")
    parser.add_argument("--versions", type=int, default=0, help="default: 33 per 10 documents")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target-s", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=500)
    parser.add_argument("--database", default="ekspertiza_bench_reports")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    args.documents = args.documents or args.schools * 10
    args.versions = args.versions or args.documents * 33 // 10
    return args


class Rows:
    """Rows per extra table with ids after the ones already in the database."""

    def __init__(self, start: dict[str, int]) -> None:
        self.rows: dict[str, list[tuple]] = {t: [] for t in EXTRA}
        self.start = start

    def add(self, table: str, *values: object) -> int:
        new_id = self.start[table] + len(self.rows[table]) + 1
        assert len(values) + 1 == len(EXTRA[table].split()), table
        self.rows[table].append((new_id, *values))
        return new_id


def _schools(cur) -> list[tuple[int, int, int | None]]:
    """(school id, region id, one curator id) of every school."""
    cur.execute(
        "SELECT s.id, m.region_id, min(c.curator_id) FROM schools s "
        "JOIN municipalities m ON m.id = s.municipality_id "
        "LEFT JOIN curator_schools c ON c.school_id = s.id GROUP BY s.id, m.region_id ORDER BY s.id"
    )
    return list(cur.fetchall())


def generate(cur, rng: random.Random, now: datetime) -> Rows:
    start = {}
    for table in EXTRA:
        cur.execute(sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table)))
        start[table] = cur.fetchone()[0]
    rows = Rows(start)
    today = now.date()
    regions = set()
    for school_id, region_id, curator_id in _schools(cur):
        regions.add(region_id)
        _measures(rows, rng, school_id, now, today)
        if curator_id:
            _diary(rows, rng, school_id, curator_id, now, today)
        roadmap = rows.add(
            "roadmaps", "school", school_id, None, f"Дорожная карта {school_id}", now
        )
        _items(rows, rng, roadmap, now)
    for region_id in sorted(regions):
        roadmap = rows.add("roadmaps", "region", None, region_id, "Региональная карта", now)
        _items(rows, rng, roadmap, now)
    return rows


def _measures(rows: Rows, rng, school_id: int, now: datetime, today: date) -> None:
    for k in range(MEASURES_PER_SCHOOL):
        measure = rows.add(
            "measures",
            school_id,
            "Повысить качество обучения",
            "Организовать методическую работу",
            f"Мероприятие {k + 1}",
            today + timedelta(days=rng.randint(-90, 200)),
            "Завуч",
            "Доля учащихся",
            float(rng.randint(10, 90)),
            "%",
            now,
        )
        state = rng.choice(EVIDENCE_STATES)
        reported = state != "draft"
        files = FILES_PER_REPORTED if reported else 0
        check = rows.add(
            "evidence_checks",
            measure,
            float(rng.randint(0, 100)) if reported else None,
            state,
            1,
            now if reported else None,
            files,
            now,
            "bench",
        )
        for n in range(1, files + 1):
            token = f"{rng.getrandbits(128):032x}"
            rows.add(
                "evidence_files",
                check,
                n,
                f"{token[:2]}/{token}",
                "0" * 64,
                1000,
                "application/pdf",
                "pdf",
                f"подтверждение-{n}.pdf",
                "bench",
                now,
            )


def _diary(rows: Rows, rng, school_id: int, curator_id: int, now, today: date) -> None:
    for _ in range(DIARY_PER_SCHOOL):
        held = today - timedelta(days=rng.randint(1, 300))
        rows.add(
            "diary_entries",
            school_id,
            curator_id,
            held,
            rng.choice(["visit", "online", "phone"]),
            "Директор, завуч",
            "Ход реализации антирисковой программы",
            "Прислать отчёт",
            None,
            now,
        )


def _items(rows: Rows, rng, roadmap: int, now: datetime) -> None:
    for k in range(ITEMS_PER_ROADMAP):
        removed = rng.random() < REMOVED_SHARE
        state = "removed" if removed else rng.choice(ITEM_STATES)
        item = rows.add(
            "roadmap_items",
            roadmap,
            f"Мероприятие дорожной карты {k + 1}",
            "март",
            "",
            "Доля педагогов",
            "100",
            "",
            "",
            "",
            state,
            1,
            now,
            "bench",
        )
        rows.add("roadmap_item_logs", item, "new", "planned", "add", "bench", "", now)
        if removed:
            rows.add(
                "roadmap_item_logs",
                item,
                "planned",
                "removed",
                "remove",
                "bench",
                "Школа казённая и финансами не управляет",
                now,
            )


def copy_extra(url: str, rows: Rows) -> int:
    with psycopg.connect(base.libpq_dsn(url)) as conn, conn.cursor() as cur:
        for table, table_rows in rows.rows.items():
            _copy(cur, table, table_rows)
            cur.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), {})").format(
                    sql.Literal(table), sql.Literal(rows.start[table] + max(len(table_rows), 1))
                )
            )
    return sum(len(r) for r in rows.rows.values())


def _copy(cur, table: str, rows: Iterable[tuple]) -> None:
    names = EXTRA[table].split()
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    with cur.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


def seed(args: argparse.Namespace, upload_dir: Path) -> str:
    url, phases = base.seed_database(args, upload_dir)
    print("Seeding (bench_screens):", ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    started = time.perf_counter()
    with psycopg.connect(base.libpq_dsn(url)) as conn, conn.cursor() as cur:
        extra = generate(cur, random.Random(args.seed), datetime.now(UTC))
    count = copy_extra(url, extra)
    base.vacuum_analyze(url)
    print(f"Seeding (reports): {count:,} rows in {time.perf_counter() - started:.1f} s")
    return url


def counts(url: str, region_id: int) -> str:
    queries = {
        "schools": "SELECT count(*) FROM schools s JOIN municipalities m "
        "ON m.id = s.municipality_id WHERE m.region_id = %s",
        "documents": "SELECT count(*) FROM documents d JOIN schools s ON s.id = d.school_id "
        "JOIN municipalities m ON m.id = s.municipality_id WHERE m.region_id = %s",
        "measures": "SELECT count(*) FROM measures x JOIN schools s ON s.id = x.school_id "
        "JOIN municipalities m ON m.id = s.municipality_id WHERE m.region_id = %s",
        "diary entries": "SELECT count(*) FROM diary_entries x JOIN schools s "
        "ON s.id = x.school_id JOIN municipalities m ON m.id = s.municipality_id "
        "WHERE m.region_id = %s",
    }
    with psycopg.connect(base.libpq_dsn(url)) as conn:
        parts = [f"{k} {conn.execute(q, (region_id,)).fetchone()[0]:,}" for k, q in queries.items()]
        totals = {
            t: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
            ).fetchone()[0]
            for t in ("evidence_files", "roadmap_items", "roadmap_item_logs")
        }
    return (
        ", ".join(parts)
        + "; in the database: "
        + ", ".join(f"{k} {v:,}" for k, v in totals.items())
    )


def measure(url: str, upload_dir: Path, args: argparse.Namespace) -> list[float]:
    from sqlalchemy import select

    from webapp.campaigns.models import Campaign
    from webapp.extensions import db
    from webapp.reports import wordfile
    from webapp.reports.regional import build_context

    app = base.make_app(url, upload_dir)
    walls = []
    with app.app_context():
        region_id = 1  # the big region of bench_screens.region_sizes
        campaign_id = db.session.scalar(select(Campaign.id))
        print("Region:", counts(url, region_id))
        for run in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            context = build_context(region_id, campaign_id, today=date.today())
            figures = time.perf_counter() - wall
            data = wordfile.render(context)
            walls.append(time.perf_counter() - wall)
            db.session.rollback()
            print(
                f"run {run + 1}: {walls[-1]:.2f} s wall (figures {figures:.2f} s, Word "
                f"{walls[-1] - figures:.2f} s), {time.process_time() - cpu:.2f} s CPU, "
                f"{len(data) / 1024:.0f} KB, schools {context['participants']['schools_500plus']}"
                f", removed items listed {len(context['roadmap']['removed_rows'])}"
            )
        db.engine.dispose()
    return walls


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not pg_admin.available():
        print(f"PostgreSQL is not reachable at {pg_admin.ADMIN_URL}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        upload_dir = Path(tmp)
        url = base.database_url(args.database)
        try:
            if not args.reuse:
                url = seed(args, upload_dir)
            walls = measure(url, upload_dir, args)
        finally:
            if not args.keep:
                pg_admin.drop_database(args.database)
    median, worst = statistics.median(walls), max(walls)
    verdict = "met" if worst < args.target_s else "MISSED"
    print(
        f"regional report: median {median:.2f} s, max {worst:.2f} s; target {args.target_s} s "
        f"{verdict}"
    )
    return 0 if worst < args.target_s else 1


if __name__ == "__main__":
    sys.exit(main())
