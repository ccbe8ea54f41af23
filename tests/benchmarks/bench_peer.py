"""Benchmark of the mutual-expertise pairing in the product, on loopback PostgreSQL.

Seeds a private database with the demo world plus generated schools up to ``--schools``
(default 3,000) in ``--regions`` regions (default 84, the demo's five included), three of the
campaign's risks each and the two peer-stage documents (concept, mid-term programme) each, a
share of them (``--accepted``, default 0.2) already ``curator_accepted``. Then, timed:

1. ``start``: ``start_pairing`` (the pairing row and its queued job), committed;
2. ``job``: the job's Celery task run in-process (``tasks.jobs.pair_schools.run``: the same
   runner, progress writes and result storage a worker uses, without the broker);
3. ``preview``: ``GET /api/v1/pairings/<id>`` as the admin (every pair with schools, regions,
   similarity);
4. ``confirm``: ``POST /api/v1/pairings/<id>/confirm``: assignments written, the accepted
   documents moved into their peer stage through the workflow (audit, notifications).

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_peer [--schools 3000 --regions 84 --k 2]
        [--accepted 0.2] [--keep]

Exit code 0 when the total of the four phases is under ``--target-s`` (default 30).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from tests import pg_admin
from tests.conftest import app_config, migrate

REGION_OFFSET = 100


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--regions", type=int, default=84)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--accepted", type=float, default=0.2)
    parser.add_argument("--target-s", type=float, default=30.0)
    parser.add_argument("--database", default="ekspertiza_bench_peer")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(db, count: int, n_regions: int, accepted: float) -> int:
    """Demo world with its peer stage on, plus generated schools; returns the campaign id."""
    from webapp.campaigns.models import DocumentType, RiskFactor, SchoolRisk
    from webapp.campaigns.services import current_campaign
    from webapp.demo.services import load_demo
    from webapp.documents.models import Document
    from webapp.orgs.models import Municipality, Region, School

    load_demo("bench-pass", peer_stage=True)
    db.session.commit()
    campaign = current_campaign()
    rng = random.Random(11)
    regions = list(db.session.scalars(select(Region).order_by(Region.id)))
    for r in range(n_regions - len(regions)):
        region = Region(code=f"B{r + REGION_OFFSET}", name=f"Регион {r + REGION_OFFSET}")
        db.session.add(Municipality(region=region, name=f"Район {r}"))
        regions.append(region)
    db.session.flush()
    munis = [
        db.session.scalar(select(Municipality.id).where(Municipality.region_id == r.id))
        for r in regions
    ]
    existing = db.session.scalar(select(func.count()).select_from(School))
    school_rows = [
        {
            "code": f"B-{i}",
            "municipality_id": munis[i % len(munis)],
            "name": f"Школа {i}",
            "short_name": f"Школа {i}",
            "settlement": rng.choice(["urban", "rural"]),
            "pupils": rng.randint(40, 2000),
            "is_low_results": True,
            "is_500plus": True,
        }
        for i in range(count - existing)
    ]
    db.session.execute(School.__table__.insert(), school_rows)
    new_ids = list(db.session.scalars(select(School.id).where(School.code.like("B-%"))))
    risks = list(
        db.session.scalars(select(RiskFactor.id).where(RiskFactor.campaign_id == campaign.id))
    )
    risk_rows = [
        {"school_id": s, "risk_factor_id": r} for s in new_ids for r in rng.sample(risks, 3)
    ]
    db.session.execute(SchoolRisk.__table__.insert(), risk_rows)
    types = list(
        db.session.scalars(
            select(DocumentType).where(DocumentType.code.in_(("concept", "midterm")))
        )
    )
    documents = [
        {
            "campaign_id": campaign.id,
            "school_id": s,
            "document_type_id": t.id,
            "title": t.name,
            "state": "curator_accepted" if rng.random() < accepted else "draft",
            "state_changed_by": "",
        }
        for s in new_ids
        for t in types
    ]
    db.session.execute(Document.__table__.insert(), documents)
    db.session.commit()
    return campaign.id


def measure(app, campaign_id: int, k: int) -> dict[str, float]:
    from tasks import jobs as job_tasks
    from tests.webapp.api.support import auth
    from webapp.auth.models import User
    from webapp.expertise import pairing as pairings
    from webapp.expertise.models import PeerAssignment
    from webapp.extensions import db
    from webapp.jobs.models import Job

    admin = db.session.scalar(select(User).where(User.email == "admin@ekspertiza.local"))
    laps: dict[str, float] = {}
    t = time.perf_counter()
    pairing = pairings.start_pairing(campaign_id, k, True, actor=admin)
    pairing_id, job_id = pairing.id, pairing.job_id
    db.session.commit()
    laps["start"] = time.perf_counter() - t

    t = time.perf_counter()
    state = job_tasks.pair_schools.run(job_id=job_id)
    laps["job"] = time.perf_counter() - t
    job = db.session.get(Job, job_id)
    if state != "succeeded":
        sys.exit(f"the job ended {state}: {job.error}")

    client = app.test_client()
    headers = auth_headers(client, auth)
    t = time.perf_counter()
    preview = client.get(f"/api/v1/pairings/{pairing_id}", headers=headers)
    laps["preview"] = time.perf_counter() - t
    assert preview.status_code == 200, preview.json

    t = time.perf_counter()
    confirmed = client.post(f"/api/v1/pairings/{pairing_id}/confirm", headers=headers)
    laps["confirm"] = time.perf_counter() - t
    assert confirmed.status_code == 200, confirmed.json

    db.session.expire_all()
    in_review = db.session.scalar(
        select(func.count()).select_from(PeerAssignment).where(PeerAssignment.due_at.is_not(None))
    )
    print(
        f"pairs {len(preview.json['pairs'])}, unpaired {len(preview.json['unpaired'])}, "
        f"mean similarity {preview.json['summary']['mean_similarity']}, bound "
        f"{(preview.json['bound'] or {}).get('upper_bound_mean')}, "
        f"assignments {confirmed.json['assignments']} ({in_review} opened at once), "
        f"preview JSON {len(preview.data) / 1e6:.1f} MB, job engine stats "
        f"{(job.result or {}).get('status')}"
    )
    return laps


def auth_headers(client, auth) -> dict:
    response = client.post(
        "/api/v1/auth/token", json={"email": "admin@ekspertiza.local", "password": "bench-pass"}
    )
    return {"Authorization": f"Bearer {response.json['token']}"}


def main() -> int:
    args = parse()
    from webapp import create_app
    from webapp.extensions import db

    url = pg_admin.create_database(args.database)
    tmp = Path(tempfile.mkdtemp(prefix="bench-peer-"))
    try:
        migrate(url, tmp)
        app = create_app(app_config(url, tmp / "uploads"))
        with app.app_context():
            t = time.perf_counter()
            campaign_id = seed(db, args.schools, args.regions, args.accepted)
            print(f"seeded in {time.perf_counter() - t:.1f} s; peak RSS {peak_mb():.0f} MB")
            laps = measure(app, campaign_id, args.k)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not args.keep:
            pg_admin.drop_database(args.database)
    total = sum(laps.values())
    for name, seconds in laps.items():
        print(f"{name:8s} {seconds:7.2f} s")
    print(
        f"{'total':8s} {total:7.2f} s (target {args.target_s:.0f} s); peak RSS {peak_mb():.0f} MB"
    )
    return 0 if total < args.target_s else 1


if __name__ == "__main__":
    sys.exit(main())
