"""Benchmark of the ВПР expert's score entry and the objectivity report with a region loaded.

Seeds a private PostgreSQL database (migrated like the tests) with one region of ``--schools``
schools in ``--municipalities`` municipalities, a campaign in ``checking`` with 10 subject ×
grade pairs of 10 tasks (2 points each), ``--works`` works (their schools' own points drawn
per school around a school level), ``--experts`` experts each with an account, a first check
of every work and a second check of 10 % (experts of other schools, round robin within
capacity); 40 % of the sheets submitted with points, 10 % in progress. Rows go in with
``COPY``; then ``VACUUM (ANALYZE)``.

Timed through the real app (``app.test_client()``, signed in through the login form), each
``--requests`` times after ``--warmup``:

* the expert's list ``/expert`` (the expert with the most sheets),
* one sheet's points grid ``/expert/sheets/<id>``,
* the grid's autosave ``POST /expert/sheets/<id>/autosave`` (a sheet in progress),
* ``GET /api/v1/expert/works`` (that expert, bearer token),
* the objectivity report of one school (computed in the request), as the regional coordinator;
* the whole region's report: the first view (which starts the report job), the job itself run
  in this process as a worker would (wall and CPU time, size of the stored result), then
  ``--report-requests`` (default 5) views served from the stored result.

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_expert_screens [--works 300000 --experts 6600]

Exit code 0 when the score-entry screens' p95 is under ``--target-ms`` (default 150).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from werkzeug.security import generate_password_hash

from tests.benchmarks.bench_screens import (
    HASH_METHOD,
    PASSWORD,
    create_and_migrate,
    libpq_dsn,
    make_app,
)

PAIRS = [(s, g) for s in ("math", "rus") for g in (4, 5, 6, 7, 8)]
TASKS = 10


def parse_args(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--schools", type=int, default=3000)
    p.add_argument("--municipalities", type=int, default=40)
    p.add_argument("--works", type=int, default=300_000)
    p.add_argument("--experts", type=int, default=6600)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--report-requests", type=int, default=5)
    p.add_argument("--target-ms", type=float, default=150.0)
    p.add_argument("--database", default="ekspertiza_bench_xc")
    p.add_argument("--seed", type=int, default=9)
    return p.parse_args(argv)


def copy(cur, table: str, columns: list[str], rows) -> int:
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def seed(url: str, args) -> dict:
    rnd = random.Random(args.seed)
    now = datetime.now(UTC)
    pw = generate_password_hash(PASSWORD, method=HASH_METHOD)
    counts = {}
    with psycopg.connect(libpq_dsn(url)) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO regions (id, code, name) VALUES (1, 'B1', 'Регион (бенчмарк)')")
        copy(
            cur,
            "municipalities",
            ["id", "region_id", "name"],
            ((m, 1, f"Район {m}") for m in range(1, args.municipalities + 1)),
        )
        school_muni = {s: 1 + (s - 1) % args.municipalities for s in range(1, args.schools + 1)}
        copy(
            cur,
            "schools",
            [
                "id",
                "code",
                "municipality_id",
                "name",
                "short_name",
                "settlement",
                "pupils",
                "is_low_results",
                "is_500plus",
                "objectivity_control",
            ],
            (
                (s, f"B-{s}", m, f"Школа {s}", f"Школа {s}", "urban", 500, False, False, False)
                for s, m in school_muni.items()
            ),
        )
        users = [(1, "coord@bench", "Координатор", pw, True, 1, now)]
        members = [(1, 1, "regional_coordinator", 1, None, None)]
        copy(
            cur,
            "users",
            [
                "id",
                "email",
                "full_name",
                "password_hash",
                "active",
                "session_version",
                "created_at",
            ],
            users,
        )
        copy(
            cur,
            "memberships",
            ["id", "user_id", "role", "region_id", "municipality_id", "school_id"],
            members,
        )
        cur.execute(
            "INSERT INTO crosscheck_campaigns (id, region_id, title, scope, no_reciprocal,"
            " second_share, created_at, run, state, lock_version, state_changed_at,"
            " state_changed_by, checking_deadline) VALUES (1, 1, 'ВПР (бенчмарк)', 'any', false,"
            " 0.1, %s, 1, 'checking', 1, %s, 'бенчмарк', %s)",
            (now, now, now + timedelta(days=10)),
        )
        copy(
            cur,
            "crosscheck_subject_rules",
            ["id", "campaign_id", "subject", "grade", "threshold", "mark_scale"],
            ((i, 1, s, g, 2, json.dumps([6, 11, 16])) for i, (s, g) in enumerate(PAIRS, 1)),
        )
        copy(
            cur,
            "crosscheck_tasks",
            ["id", "campaign_id", "subject", "grade", "number", "max_points"],
            (
                (i * TASKS + n, 1, s, g, n, 2)
                for i, (s, g) in enumerate(PAIRS)
                for n in range(1, TASKS + 1)
            ),
        )
        # experts: round robin over schools, each with an account
        experts = []
        for e in range(1, args.experts + 1):
            school = 1 + (e * 7) % args.schools
            subject = PAIRS[e % len(PAIRS)][0]
            experts.append((e, school, subject))
        copy(
            cur,
            "users",
            [
                "id",
                "email",
                "full_name",
                "password_hash",
                "active",
                "session_version",
                "created_at",
            ],
            ((1 + e, f"expert{e}@bench", f"Эксперт {e}", pw, True, 1, now) for e, _, _ in experts),
        )
        copy(
            cur,
            "memberships",
            ["id", "user_id", "role", "region_id", "municipality_id", "school_id"],
            ((1 + e, 1 + e, "expert", None, None, s) for e, s, _ in experts),
        )
        copy(
            cur,
            "crosscheck_experts",
            [
                "id",
                "campaign_id",
                "school_id",
                "full_name",
                "email",
                "subjects",
                "grades",
                "capacity",
                "user_id",
                "source",
                "created_at",
            ],
            (
                (
                    e,
                    1,
                    s,
                    f"Эксперт {e}",
                    f"expert{e}@bench",
                    json.dumps([subj]),
                    json.dumps([4, 5, 6, 7, 8]),
                    100,
                    1 + e,
                    "list",
                    now,
                )
                for e, s, subj in experts
            ),
        )
        by_subject = {
            subj: [(e, s) for e, s, su in experts if su == subj] for subj in ("math", "rus")
        }
        # works: per school a level, points drawn around it
        works, sheets = [], []
        per_school = max(1, args.works // args.schools)
        wid = sid = 0
        cursor = {subj: 0 for subj in by_subject}
        for school in range(1, args.schools + 1):
            level = rnd.uniform(0.3, 0.9)
            for k in range(per_school):
                subject, grade = PAIRS[(school + k) % len(PAIRS)]
                wid += 1
                points = [min(2, max(0, round(rnd.gauss(level * 2, 0.7)))) for _ in range(TASKS)]
                works.append((wid, 1, school, subject, grade, f"P{wid:07d}", json.dumps(points)))
                roles = ["first"] + (["second"] if wid % 10 == 0 else [])
                used = {school}
                for role in roles:
                    pool = by_subject[subject]
                    while True:
                        e, es = pool[cursor[subject] % len(pool)]
                        cursor[subject] += 1
                        if es not in used:
                            break
                    used.add(es)
                    sid += 1
                    fate = rnd.random()
                    if fate < 0.4:
                        state, pts, sub = (
                            "submitted",
                            [max(0, p - (rnd.random() < 0.2)) for p in points],
                            now,
                        )
                    elif fate < 0.5:
                        state, pts, sub = "in_progress", points[:5] + [None] * 5, None
                    else:
                        state, pts, sub = "assigned", None, None
                    sheets.append(
                        (
                            sid,
                            1,
                            wid,
                            e,
                            role,
                            None if pts is None else json.dumps(pts),
                            1,
                            state,
                            1,
                            now,
                            sub,
                            now,
                            "",
                        )
                    )
        counts["works"] = copy(
            cur,
            "crosscheck_works",
            [
                "id",
                "campaign_id",
                "school_id",
                "subject",
                "grade",
                "participant_code",
                "school_points",
            ],
            works,
        )
        counts["score_sheets"] = copy(
            cur,
            "score_sheets",
            [
                "id",
                "campaign_id",
                "work_id",
                "expert_id",
                "role",
                "points",
                "run",
                "state",
                "lock_version",
                "created_at",
                "submitted_at",
                "state_changed_at",
                "state_changed_by",
            ],
            sheets,
        )
        counts["experts"] = len(experts)
        for table, top in (
            ("users", 1 + args.experts),
            ("memberships", 1 + args.experts),
            ("crosscheck_works", wid),
            ("score_sheets", sid),
            ("crosscheck_experts", args.experts),
            ("crosscheck_campaigns", 1),
            ("schools", args.schools),
            ("municipalities", args.municipalities),
            ("regions", 1),
            ("crosscheck_tasks", len(PAIRS) * TASKS + TASKS),
            ("crosscheck_subject_rules", len(PAIRS)),
        ):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", (top,))
        conn.commit()
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return counts


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def main(argv=None) -> int:
    args = parse_args(argv)
    upload = Path(tempfile.mkdtemp(prefix="bench-xc-"))
    started = time.perf_counter()
    url = create_and_migrate(args.database, upload)
    counts = seed(url, args)
    print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")
    app = make_app(url, upload)
    app.config["JOBS_DISPATCH"] = False  # the report job runs in this process, timed
    with app.app_context():
        from sqlalchemy import text

        from webapp.extensions import db

        expert_id, user_email = db.session.execute(
            text(
                "SELECT e.id, e.email FROM crosscheck_experts e"
                " JOIN score_sheets s ON s.expert_id = e.id"
                " GROUP BY e.id, e.email ORDER BY count(*) DESC, e.id LIMIT 1"
            )
        ).one()
        n_sheets = db.session.scalar(
            text("SELECT count(*) FROM score_sheets WHERE expert_id = :e"), {"e": expert_id}
        )
        sheet_id = db.session.scalar(
            text(
                "SELECT id FROM score_sheets WHERE expert_id = :e AND state = 'in_progress'"
                " ORDER BY id LIMIT 1"
            ),
            {"e": expert_id},
        )
        if sheet_id is None:
            sheet_id = db.session.scalar(
                text(
                    "SELECT id FROM score_sheets WHERE expert_id = :e AND state = 'assigned'"
                    " ORDER BY id LIMIT 1"
                ),
                {"e": expert_id},
            )
        school_id = db.session.scalar(
            text("SELECT school_id FROM crosscheck_works ORDER BY id LIMIT 1")
        )
        db.session.remove()
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user_email, "password": PASSWORD}).status_code == 302
    )
    token = client.post(
        "/api/v1/auth/token", json={"email": user_email, "password": PASSWORD}
    ).json["token"]
    coord = app.test_client()
    assert (
        coord.post("/login", data={"email": "coord@bench", "password": PASSWORD}).status_code == 302
    )
    rnd = random.Random(1)

    def get(c, u, **kw):
        def call():
            r = c.get(u, **kw)
            assert r.status_code == 200, (u, r.status_code)

        return call

    def autosave():
        pts = [rnd.randint(0, 2) for _ in range(5)] + [None] * 5
        r = client.post(f"/expert/sheets/{sheet_id}/autosave", json={"points": pts})
        assert r.status_code == 200, r.text

    screens = [
        ("expert list /expert", get(client, "/expert"), args.requests),
        (
            "points grid /expert/sheets/<id>",
            get(client, f"/expert/sheets/{sheet_id}"),
            args.requests,
        ),
        ("autosave POST", autosave, args.requests),
        (
            "API GET /api/v1/expert/works",
            get(client, "/api/v1/expert/works", headers={"Authorization": f"Bearer {token}"}),
            args.requests,
        ),
        (
            "school report (coordinator)",
            get(coord, f"/crosschecks/1/objectivity?school_id={school_id}"),
            args.report_requests,
        ),
    ]
    print(f"\nexpert {user_email}: {n_sheets} sheets; sheet {sheet_id}\n")
    print(f"| screen | n | median ms | p95 ms | p95 < {args.target_ms:g} ms |")
    print("|---|---:|---:|---:|:-:|")
    ok = True
    for name, fn, n in screens:
        timed(fn, min(args.warmup, n))
        times = timed(fn, n)
        good = p95(times) < args.target_ms
        if "report" not in name:
            ok &= good
        verdict = "yes" if good else "no"
        median = statistics.median(times)
        print(f"| {name} | {n} | {median:.1f} | {p95(times):.1f} | {verdict} |")
    region_report(app, coord, args)
    return 0 if ok else 1


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def region_report(app, coord, args) -> None:
    """The region's report: the first view starts its job; the job runs here (as a worker
    would); then the page is served from the stored result."""
    from tasks.jobs import run_job
    from webapp.crosscheck.report_jobs import run_report

    url = "/crosschecks/1/objectivity"
    started = time.perf_counter()
    first = coord.get(url)
    first_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == 200 and 'id="report-job"' in first.text, first.status_code
    with app.app_context():
        from sqlalchemy import text

        from webapp.extensions import db

        job_id = db.session.scalar(
            text("SELECT max(id) FROM jobs WHERE kind = 'crosscheck.objectivity'")
        )
        wall, cpu = time.perf_counter(), cpu_seconds()
        state = run_job(job_id, run_report)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        size = db.session.scalar(
            text("SELECT length(result::text) FROM jobs WHERE id = :j"), {"j": job_id}
        )
        db.session.remove()
    times = timed(get(coord, url), args.report_requests)
    print(
        f"\nregion report: first view (starts the job) {first_ms:.1f} ms; job {state} in "
        f"{wall:.1f} s wall, {cpu:.1f} s CPU of this process; stored result {size / 1e6:.1f} MB; "
        f"then {args.report_requests} views: median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms; peak RSS {peak_mib():.0f} MiB"
    )


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def get(c, u, **kw):
    def call():
        r = c.get(u, **kw)
        assert r.status_code == 200, (u, r.status_code)

    return call


if __name__ == "__main__":
    sys.exit(main())
