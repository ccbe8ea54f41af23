"""End-to-end benchmark of a cross-check campaign in the product (not collected by pytest).

    .venv/bin/python -m tests.benchmarks.bench_crosscheck_product [--schools 1000] \
        [--works 10:25] [--experts 5:8] [--second 0.0] [--scope any] [--no-reciprocal]

Creates a private PostgreSQL database (``TEST_PG_ADMIN_DSN``), migrates it, adds one region of
``--schools`` schools in 30 municipalities and a regional coordinator, writes seeded CSV lists
(``tests/webapp/crosscheck/generated.py``), then times in this process what a coordinator does:
the three imports through ``services.import_list`` (the platform's reader, all-or-nothing
checks, bulk insert, commit), and the assignment job through ``tasks.jobs.run_job`` (engine,
score sheets written, campaign transition, commit). Prints the phases, the total, the peak RSS of
the process and the figures of the result, and drops the database.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

from tests import pg_admin
from tests.conftest import app_config, migrate
from tests.webapp.crosscheck import generated
from webapp import create_app
from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School

TARGET_SECONDS = 60.0
TARGET_MIB = 1536


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_region(schools: int) -> tuple[Region, list[str], User]:
    region = Region(code="B1", name="Бенчмарк-регион")
    munis = [Municipality(region=region, name=f"Район {i}") for i in range(30)]
    codes = []
    for i in range(schools):
        code = f"B1-{i:05d}"
        db.session.add(
            School(code=code, municipality=munis[i % 30], name=f"Школа {i}", short_name=f"Ш{i}")
        )
        codes.append(code)
    db.session.flush()
    coordinator = User(email="bench@example.ru", full_name="Координатор (бенчмарк)")
    coordinator.set_password("x" * 12)
    coordinator.memberships.append(
        Membership(role=RoleCode.REGIONAL_COORDINATOR, region_id=region.id)
    )
    db.session.add(coordinator)
    db.session.commit()
    return region, codes, coordinator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--works", default="10:25", help="works per school, subject and grade")
    parser.add_argument("--experts", default="5:8", help="experts per school")
    parser.add_argument("--second", type=float, default=0.0)
    parser.add_argument("--scope", default="any")
    parser.add_argument("--no-reciprocal", action="store_true")
    args = parser.parse_args()
    low, high = (int(x) for x in args.works.split(":"))
    e_low, e_high = (int(x) for x in args.experts.split(":"))

    from tasks import jobs as job_tasks
    from webapp.crosscheck import assignment, services
    from webapp.crosscheck.models import CrossCheckCampaign, ScoreSheet

    name = f"ekspertiza_bench_{uuid.uuid4().hex[:8]}"
    url = pg_admin.create_database(name)
    folder = Path(tempfile.mkdtemp(prefix="bench-crosscheck-"))
    try:
        migrate(url, folder)
        app = create_app(app_config(url, folder / "uploads", TESTING=False))
        with app.app_context():
            region, codes, coordinator = build_region(args.schools)
            works_path, n_works = generated.works_csv(folder, codes, (low, high))
            experts_path, n_experts = generated.experts_csv(folder, codes, (e_low, e_high))
            tasks_path = generated.tasks_csv(folder)
            print(f"region: {args.schools} schools, {n_works} works, {n_experts} experts")
            subjects = tuple(sorted({s for s, _ in generated.skills()}))
            grades = tuple(sorted({g for _, g in generated.skills()}))
            campaign = services.create_campaign(
                coordinator,
                region.id,
                None,
                services.Settings(
                    title="Бенчмарк",
                    scope=args.scope,
                    no_reciprocal=args.no_reciprocal,
                    second_share=args.second,
                    subjects=subjects,
                    grades=grades,
                ),
            )
            db.session.commit()
            phases: list[tuple[str, float]] = []
            started = time.perf_counter()
            cpu_started = cpu_seconds()
            for kind, path in (
                ("tasks", tasks_path),
                ("works", works_path),
                ("experts", experts_path),
            ):
                t = time.perf_counter()
                services.import_list(campaign.id, kind, path, coordinator)
                db.session.commit()
                phases.append((f"import {kind}", time.perf_counter() - t))
            t = time.perf_counter()
            job = assignment.start_assignment(campaign.id, coordinator)
            db.session.commit()
            state = job_tasks.run_job(job.id, assignment.run_assignment)
            phases.append(("assignment job", time.perf_counter() - t))
            total = time.perf_counter() - started
            cpu = cpu_seconds() - cpu_started
            db.session.expire_all()
            campaign = db.session.get(CrossCheckCampaign, campaign.id)
            sheets = db.session.scalar(select(func.count()).select_from(ScoreSheet))
            engine = (campaign.summary or {}).get("engine", {})
            for phase, seconds in phases:
                print(f"  {phase:<16} {seconds:7.2f} s")
            print(f"job: {state}; campaign: {campaign.state}; sheets: {sheets}")
            totals = engine.get("totals", {})
            for role in ("primary", "second"):
                t_role = totals.get(role) or {}
                if t_role.get("demand"):
                    print(
                        f"  {role}: demand {t_role['demand']}, unassigned {t_role['unassigned']} "
                        f"(proven minimum {t_role['minimum_unassigned']})"
                    )
            load = engine.get("load") or {}
            if load:
                print(
                    f"  max load {load['max_ratio']:.4f} (bound {load['lower_bound']:.4f}); "
                    f"engine run {engine.get('run_time_s')} s"
                )
            print(
                f"TOTAL {total:.1f} s wall, {cpu:.1f} s CPU of this process "
                f"(target < {TARGET_SECONDS:.0f} s); "
                f"peak RSS {peak_mib():.0f} MiB (target < {TARGET_MIB} MiB)"
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        pg_admin.drop_database(name)


if __name__ == "__main__":
    main()
