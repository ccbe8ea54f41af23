"""Builders for the job tests."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, update

from webapp.auth.models import User
from webapp.extensions import db
from webapp.jobs import services
from webapp.jobs.models import Job
from webapp.orgs.models import Municipality, School

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
ADMIN = "admin@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"
OTHER = "coord.08@ekspertiza.local"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def new_job(
    state: str = "queued", *, by: User | None = None, params: dict | None = None, **fields
) -> int:
    """A committed ``expertise.pair`` job put straight into ``state`` (test set-up only)."""
    job = services.create_job(
        "expertise.pair",
        params or {"campaign_id": 1, "k": 2, "no_reciprocal": False},
        started_by_id=by.id if by else None,
    )
    db.session.flush()
    if state != "queued" or fields:
        db.session.execute(update(Job).where(Job.id == job.id).values(state=state, **fields))
    db.session.commit()
    return job.id


def fetch(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def regions_of(school_ids) -> dict[int, int]:
    stmt = (
        select(School.id, Municipality.region_id)
        .join(Municipality, School.municipality_id == Municipality.id)
        .where(School.id.in_(list(school_ids)))
    )
    return dict(db.session.execute(stmt).all())


def assert_hard_rules(pairs: list[dict], participants: set[int], k: int, no_reciprocal: bool):
    """The engine's hard rules, checked from the rows, not from the engine's code."""
    region = regions_of(participants)
    arcs = [(p["reviewer"], p["reviewed"]) for p in pairs]
    assert len(arcs) == len(set(arcs)) == k * len(participants)
    for reviewer, reviewed in arcs:
        assert reviewer != reviewed
        assert region[reviewer] != region[reviewed], (reviewer, reviewed)
    gives, gets = Counter(a for a, _ in arcs), Counter(b for _, b in arcs)
    assert set(gives) == set(gets) == participants
    assert set(gives.values()) == set(gets.values()) == {k}
    for reviewed in participants:  # k reviewers from k different regions
        reviewer_regions = [region[a] for a, b in arcs if b == reviewed]
        assert len(set(reviewer_regions)) == k
    if no_reciprocal:
        assert not {(b, a) for a, b in arcs} & set(arcs)
