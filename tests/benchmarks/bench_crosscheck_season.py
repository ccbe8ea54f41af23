"""The national season with several workers (issue 9 §8); run on demand, not by pytest.

    .venv/bin/python -m tests.benchmarks.bench_crosscheck_season [--regions 4] [--schools 100] \
        [--workers 1,2]

For each worker count: a fresh PostgreSQL database, ``--regions`` regions of ``--schools``
schools with seeded lists loaded into region-wide campaigns, ``W`` real ``celery worker``
processes (solo pool) on the Redis broker, then the federal operator's season
(``webapp.crosscheck.season.start_season``: one job per region published as one group). Prints
the season's wall time from the commit to the last job finished, the sum of the jobs' own run
times and the parallel speed-up.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests import pg_admin
from tests.conftest import app_config, migrate
from tests.integration.conftest import BROKER_URL
from tests.webapp.crosscheck import generated
from webapp import create_app
from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School

ROOT = Path(__file__).resolve().parents[2]


def user_with(email: str, membership: Membership) -> User:
    person = User(email=email, full_name=email)
    person.set_password("x" * 12)
    person.memberships.append(membership)
    db.session.add(person)
    return person


def build(regions: int, schools: int, folder: Path) -> tuple[User, list[int], int]:
    from webapp.crosscheck import services

    admin = user_with("admin@bench", Membership(role=RoleCode.ADMIN))
    ids, works = [], 0
    for r in range(regions):
        region = Region(code=f"S{r}", name=f"Регион {r}")
        munis = [Municipality(region=region, name=f"Район {r}-{i}") for i in range(10)]
        codes = [f"S{r}-{i:04d}" for i in range(schools)]
        for i, code in enumerate(codes):
            db.session.add(
                School(code=code, municipality=munis[i % 10], name=code, short_name=code)
            )
        db.session.flush()
        coordinator = user_with(
            f"coord{r}@bench", Membership(role=RoleCode.REGIONAL_COORDINATOR, region_id=region.id)
        )
        db.session.flush()
        campaign = services.create_campaign(
            coordinator,
            region.id,
            None,
            services.Settings(
                title=f"Сезон, регион {r}",
                subjects=tuple(sorted({s for s, _ in generated.skills()})),
                grades=tuple(sorted({g for _, g in generated.skills()})),
            ),
        )
        db.session.commit()
        sub = folder / f"r{r}"
        sub.mkdir()
        works_path, n = generated.works_csv(sub, codes, (10, 25), seed=r)
        experts_path, _ = generated.experts_csv(sub, codes, (5, 8), seed=100 + r)
        works += n
        for kind, path in (
            ("tasks", generated.tasks_csv(sub)),
            ("works", works_path),
            ("experts", experts_path),
        ):
            services.import_list(campaign.id, kind, path, coordinator)
            db.session.commit()
        ids.append(campaign.id)
    return admin, ids, works


def start_workers(count: int, url: str, queue: str, folder: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": BROKER_URL,
        "REDIS_URL": BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "UPLOAD_DIR": str(folder / "uploads"),
    }
    processes, logs = [], []
    for i in range(count):
        log = folder / f"worker{i}.log"
        command = [sys.executable, "-m", "celery", "-A", "tasks.celery_app", "worker"]
        command += ["--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "-n", f"bench{i}-{os.getpid()}@%h"]
        with log.open("wb") as out:
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out))
        logs.append(log)
    deadline = time.monotonic() + 120
    while not all(" ready." in p.read_text(errors="replace") for p in logs):
        if time.monotonic() > deadline:
            raise RuntimeError("workers not ready")
        time.sleep(0.2)
    return processes


def run(workers: int, regions: int, schools: int) -> None:
    from webapp.crosscheck import season
    from webapp.jobs.models import Job

    name = f"ekspertiza_season_{uuid.uuid4().hex[:8]}"
    url = pg_admin.create_database(name)
    folder = Path(tempfile.mkdtemp(prefix="bench-season-"))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    processes: list[subprocess.Popen] = []
    try:
        migrate(url, folder)
        config = app_config(
            url,
            folder / "uploads",
            JOBS_DISPATCH=True,
            CELERY_BROKER_URL=BROKER_URL,
            CELERY_TASK_DEFAULT_QUEUE=queue,
        )
        app = create_app(config)
        with app.app_context():
            admin, ids, works = build(regions, schools, folder)
            processes = start_workers(workers, url, queue, folder)
            _key, jobs = season.start_season(admin, ids)
            job_ids = [j.id for j in jobs]
            started = time.perf_counter()
            db.session.commit()  # the group is published
            while True:
                db.session.expire_all()
                rows = [db.session.get(Job, i) for i in job_ids]
                if all(j.finished for j in rows):
                    break
                time.sleep(0.5)
            wall = time.perf_counter() - started
            own = sum((j.finished_at - j.started_at).total_seconds() for j in rows)
            states = sorted({j.state for j in rows})
            print(
                f"workers {workers}: {regions} regions, {works} works; season {wall:.1f} s wall, "
                f"jobs' own time {own:.1f} s, speed-up {own / wall:.2f}; states {states}"
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        pg_admin.drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    for count in (int(x) for x in args.workers.split(",")):
        run(count, args.regions, args.schools)


if __name__ == "__main__":
    main()
