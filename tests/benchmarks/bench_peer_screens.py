"""Benchmark of the mutual-expertise screens with 3,000 schools and all assignments in place.

Builds on ``bench_peer``: its seeding (demo world plus generated schools up to ``--schools``
in ``--regions`` regions, the concept and the mid-term programme per school, ``--accepted`` of
the documents ``curator_accepted``, default 0.8 here so most documents are in their peer stage)
and its pairing job run in-process and confirmed (11,944 assignments at 3,000 schools, k = 2).
Then every school gets a user (one director each) and the stage is played through the services
(``services.fire`` and ``save_conclusion``, the workflow layer the screens use) over the open
assignments, as shares of all assignments: ``--accept`` accepted (default 0.3), of these
``--submit`` submitted with a complete checklist (0.2) and ``--draft`` holding a half-filled
draft (0.05); ``--decline`` declined (0.05) and ``--expire`` expired by the system after their
deadline was moved into the past (0.03), each of these replaced from the engine's alternates.
Then ``ANALYZE`` and, through ``app.test_client()`` with the timing and SQL
counting of ``bench_screens``, ``--warmup`` + ``--requests`` GETs of:

* the reviewing school's cabinet ``/peer`` (the school holding the most assignments, one of
  them accepted),
* that school's accepted assignment page with its peer checklist,
* ``/peer/overview`` as the regional coordinator of the region with the most schools,
* ``/peer/overview`` as the admin (all regions) and ``?region=<that region>``,
* ``/peer/overview.xlsx`` as the regional coordinator (``--xlsx-requests``, default 20).

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_peer_screens [--schools 3000 --regions 84 --k 2]
        [--requests 200 --warmup 20] [--keep] [--reuse] [--explain] [--all-queries]

Exit code 0 when every screen's p95 is under ``--target-ms`` (default 150).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from tests import pg_admin
from tests.benchmarks import bench_peer
from tests.benchmarks.bench_screens import (
    PASSWORD,
    Result,
    Screen,
    SqlRecorder,
    database_url,
    get_ok,
    print_results,
    print_statements,
    signed_in,
    timed_get,
)
from tests.conftest import app_config, migrate

BATCH = 250


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--regions", type=int, default=84)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--accepted", type=float, default=0.8, help="documents accepted")
    parser.add_argument("--accept", type=float, default=0.3)
    parser.add_argument("--submit", type=float, default=0.2)
    parser.add_argument("--draft", type=float, default=0.05)
    parser.add_argument("--decline", type=float, default=0.05)
    parser.add_argument("--expire", type=float, default=0.03)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--xlsx-requests", type=int, default=20)
    parser.add_argument("--target-ms", type=float, default=150.0)
    parser.add_argument("--database", default="ekspertiza_bench_peer_screens")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--all-queries", action="store_true")
    return parser.parse_args(argv)


def config(url: str, upload_dir: Path) -> dict:
    return app_config(url, upload_dir, TESTING=False, LOGIN_RATE_LIMIT="100000 per minute")


# -- the world ----------------------------------------------------------------------------------


def add_school_users(db) -> dict[int, int]:
    """One director per school that has no school user yet; returns school id -> user id."""
    from webapp.auth.models import Membership, RoleCode, User
    from webapp.orgs.models import School

    staffed = select(Membership.school_id).where(
        Membership.role == RoleCode.SCHOOL, Membership.school_id.is_not(None)
    )
    missing = list(db.session.scalars(select(School.id).where(School.id.not_in(staffed))))
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    users = [
        {
            "email": f"school-{s}@bench.local",
            "full_name": f"Директор {s}",
            "password_hash": password_hash,
        }
        for s in missing
    ]
    if users:
        db.session.execute(User.__table__.insert(), users)
        ids = dict(
            db.session.execute(
                select(User.email, User.id).where(User.email.like("school-%@bench.local"))
            ).all()
        )
        db.session.execute(
            Membership.__table__.insert(),
            [
                {"user_id": ids[f"school-{s}@bench.local"], "role": RoleCode.SCHOOL, "school_id": s}
                for s in missing
            ],
        )
    db.session.commit()
    rows = db.session.execute(
        select(Membership.school_id, func.min(Membership.user_id))
        .where(Membership.role == RoleCode.SCHOOL)
        .group_by(Membership.school_id)
    )
    return dict(rows.all())


def play(db, args: argparse.Namespace) -> dict[str, int]:
    """Accept, fill, submit, decline and expire a share of the open assignments (services)."""
    from webapp.auth.models import User
    from webapp.expertise import services
    from webapp.expertise.models import PeerAssignment
    from workflows.peer_assignment import PeerState

    staff = add_school_users(db)
    rng = random.Random(17)
    open_ids = list(
        db.session.scalars(
            select(PeerAssignment.id)
            .where(
                PeerAssignment._state == PeerState.ASSIGNED.value,
                PeerAssignment.due_at.is_not(None),
            )
            .order_by(PeerAssignment.id)
        )
    )
    rng.shuffle(open_ids)
    n = db.session.scalar(select(func.count()).select_from(PeerAssignment))  # shares of all
    cut = [0]
    accepted_only = args.accept - args.submit - args.draft
    for share in (args.submit, accepted_only, args.draft, args.decline, args.expire):
        cut.append(cut[-1] + round(share * n))
    if cut[-1] > len(open_ids):
        sys.exit(f"only {len(open_ids)} open assignments of {n}: raise --accepted")
    submit, accept_only, draft, decline, expire = (open_ids[cut[i] : cut[i + 1]] for i in range(5))
    users: dict[int, User] = {}

    def actor(assignment_id: int) -> User:
        school_id = db.session.get(PeerAssignment, assignment_id).reviewer_school_id
        user_id = staff[school_id]
        if user_id not in users:
            users[user_id] = db.session.get(User, user_id)
        return users[user_id]

    def answers(assignment, complete: bool) -> list[tuple[int, str, str]]:
        criteria = assignment.template.criteria
        if not complete:
            criteria = criteria[: max(1, len(criteria) // 2)]
        return [
            (c.id, rng.choice(("met", "met", "remark", "not_met")), "Замечание по критерию")
            for c in criteria
        ]

    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if done % BATCH == 0:
            db.session.commit()
            db.session.expunge_all()
            users.clear()

    for assignment_id in submit + accept_only + draft:
        services.fire(assignment_id, "accept", actor=actor(assignment_id))
        tick()
    for assignment_id in submit:
        assignment = db.session.get(PeerAssignment, assignment_id)
        services.save_conclusion(assignment, answers(assignment, True), "Заключение школы.")
        services.fire(assignment_id, "submit", actor=actor(assignment_id))
        tick()
    for assignment_id in draft:
        assignment = db.session.get(PeerAssignment, assignment_id)
        services.save_conclusion(assignment, answers(assignment, False), "")
        tick()
    for assignment_id in decline:
        services.fire(
            assignment_id, "decline", actor=actor(assignment_id), comment="Нет возможности"
        )
        tick()
    db.session.commit()
    if expire:
        stmt = (
            PeerAssignment.__table__.update()
            .where(PeerAssignment.__table__.c.id.in_(expire))
            .values(due_at=func.now() - timedelta(hours=1))
        )
        db.session.execute(stmt)
        db.session.commit()
    for assignment_id in expire:
        services.fire(assignment_id, "expire", actor=None, system=True)
        tick()
    db.session.commit()
    counts = db.session.execute(
        select(PeerAssignment._state, func.count()).group_by(PeerAssignment._state)
    ).all()
    return dict(sorted(counts))


def prepare(app, args: argparse.Namespace) -> None:
    from webapp.extensions import db

    with app.app_context():
        t = time.perf_counter()
        campaign_id = bench_peer.seed(db, args.schools, args.regions, args.accepted)
        print(f"seeded in {time.perf_counter() - t:.1f} s")
        laps = bench_peer.measure(app, campaign_id, args.k)
        print("pairing:", ", ".join(f"{k} {v:.1f} s" for k, v in laps.items()))
        t = time.perf_counter()
        states = play(db, args)
        print(f"played in {time.perf_counter() - t:.1f} s; assignments by state: {states}")
        db.session.remove()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        db.engine.dispose()


# -- the screens --------------------------------------------------------------------------------


def scalar(query: str, **params):
    from webapp.extensions import db

    return db.session.execute(text(query), params).scalar_one()


def pick_screens() -> list[tuple[Screen, int]]:
    """The users and pages to measure, found in the data (works on a reused database)."""
    school = scalar(
        "select reviewer_school_id from peer_assignments group by reviewer_school_id "
        "having count(*) filter (where state = 'accepted') > 0 "
        "order by count(*) desc, reviewer_school_id limit 1"
    )
    school_user = scalar(
        "select u.email from users u join memberships m on m.user_id = u.id "
        "where m.role = 'school' and m.school_id = :s order by u.id limit 1",
        s=school,
    )
    assignment = scalar(
        "select pa.id from peer_assignments pa where pa.reviewer_school_id = :s "
        "and pa.state = 'accepted' order by "
        "(select count(*) from peer_answers a where a.assignment_id = pa.id) desc, pa.id limit 1",
        s=school,
    )
    region = scalar(
        "select m.region_id from schools s join municipalities m on m.id = s.municipality_id "
        "join memberships ms on ms.region_id = m.region_id and ms.role = 'regional_coordinator' "
        "group by m.region_id order by count(distinct s.id) desc, m.region_id limit 1"
    )
    coordinator = scalar(
        "select u.email from users u join memberships ms on ms.user_id = u.id "
        "where ms.role = 'regional_coordinator' and ms.region_id = :r order by u.id limit 1",
        r=region,
    )
    admin = scalar(
        "select u.email from users u join memberships ms on ms.user_id = u.id "
        "where ms.role = 'admin' order by u.id limit 1"
    )
    schools = scalar(
        "select count(*) from schools s join municipalities m on m.id = s.municipality_id "
        "where m.region_id = :r",
        r=region,
    )
    held = scalar("select count(*) from peer_assignments where reviewer_school_id = :s", s=school)
    regions = scalar("select count(*) from regions")
    return [
        (Screen(f"cabinet, reviewing school ({held} assignments)", school_user, "/peer"), 0),
        (
            Screen(
                "assignment page (accepted, peer checklist)",
                school_user,
                f"/peer/assignments/{assignment}",
            ),
            0,
        ),
        (
            Screen(
                f"overview, regional coordinator ({schools} schools)", coordinator, "/peer/overview"
            ),
            0,
        ),
        (Screen(f"overview, admin (all {regions} regions)", admin, "/peer/overview"), 0),
        (
            Screen("overview ?region=, admin", admin, f"/peer/overview?region={region}"),
            0,
        ),
        (
            Screen("XLSX export, regional coordinator", coordinator, "/peer/overview.xlsx"),
            1,
        ),
    ]


def measure(app, recorder, picked, args) -> list[Result]:
    """Warm up, then interleaved rounds of one GET per screen (as ``bench_screens`` does)."""
    screens = [s for s, _ in picked]
    clients = [signed_in(app, s.email) for s in screens]
    for client, screen in zip(clients, screens, strict=True):
        for _ in range(args.warmup):
            get_ok(client, screen.url)
    results = [Result(s, [], [], [], []) for s in screens]
    for i in range(args.requests):
        for client, result, (_, light) in zip(clients, results, picked, strict=True):
            if light and i >= args.xlsx_requests:
                continue
            timed_get(client, recorder, result)
    return results


def run(url: str, upload_dir: Path, args: argparse.Namespace) -> list[Result]:
    from webapp import create_app
    from webapp.extensions import db

    app = create_app(config(url, upload_dir))
    with app.app_context():
        recorder = SqlRecorder(db.engine)
        picked = pick_screens()
    results = measure(app, recorder, picked, args)
    print_results(results, args.target_ms)
    print_statements(results, recorder, args)
    recorder.engine.dispose()
    return results


def load_line() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main(argv=None) -> int:
    args = parse(argv)
    if not pg_admin.available():
        print(f"PostgreSQL is not reachable at {pg_admin.ADMIN_URL}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-peer-screens-"))
    try:
        if args.reuse:
            url = database_url(args.database)
        else:
            pg_admin.drop_database(args.database)
            url = pg_admin.create_database(args.database)
            migrate(url, tmp)
            from webapp import create_app

            prepare(create_app(config(url, tmp)), args)
        print(f"load average before measuring: {load_line()}")
        results = run(url, tmp, args)
        print(f"load average after measuring: {load_line()}")
    finally:
        if not args.keep:
            pg_admin.drop_database(args.database)
    return 0 if all(r.p95 < args.target_ms for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
