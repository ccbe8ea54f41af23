"""Access matrix over every peer endpoint: who sees (200/202), who may not act (403), who is
kept out (404, existence not revealed) and anonymous callers (401)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tasks import jobs as job_tasks
from tests.webapp.api.support import auth
from tests.webapp.expertise.peer_support import enable_peer_stage, school_id
from tests.webapp.helpers import user
from webapp.campaigns.services import current_campaign
from webapp.expertise import pairing as pairings
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.orgs.models import School

ADMIN = "admin@ekspertiza.local"


def email_of(school: int) -> str:
    return f"school.{db.session.get(School, school).code.lower()}@ekspertiza.local"


def region_code(school: int) -> str:
    return db.session.get(School, school).municipality.region.code


@pytest.fixture
def world(app, demo):
    """A confirmed pairing; the assignment of 22-D01's concept, its reviewer and others."""
    enable_peer_stage()
    pairing = pairings.start_pairing(current_campaign().id, 1, True, actor=user(ADMIN))
    db.session.commit()
    job_tasks.pair_schools.run(job_id=pairing.job_id)
    pairings.confirm_pairing(pairing.id, actor=user(ADMIN))
    db.session.commit()
    reviewed = school_id("22-D01")
    assignment = db.session.scalar(
        select(PeerAssignment)
        .where(PeerAssignment.reviewed_school_id == reviewed)
        .order_by(PeerAssignment.id)
    )
    reviewer = assignment.reviewer_school_id
    regions = {region_code(reviewer), "22"}
    outsider_region = next(r for r in ("08", "38", "56", "14") if r not in regions)
    outsider = next(
        s
        for s in db.session.scalars(select(School.id))
        if region_code(s) not in regions
        and email_of(s) in demo
        and not db.session.scalar(
            select(PeerAssignment.id).where(
                PeerAssignment.reviewer_school_id == s,
                PeerAssignment.reviewed_school_id == reviewed,
            )
        )
    )
    return {
        "assignment": assignment.id,
        "pairing": pairing.id,
        "roles": {
            "reviewer": (email_of(reviewer), 200, 200),
            "reviewed school": ("school.22-d01@ekspertiza.local", 404, 404),
            "school of another region": (email_of(outsider), 404, 404),
            "curator of the reviewed": ("curator3@ekspertiza.local", 200, 403),
            "curator of others": ("curator2@ekspertiza.local", 404, 404),
            "coordinator of the region": ("coord.22@ekspertiza.local", 200, 403),
            "coordinator of another region": (
                f"coord.{outsider_region}@ekspertiza.local",
                404,
                404,
            ),
            "admin": (ADMIN, 200, 403),
        },
    }


def calls(world) -> list[tuple[str, str, dict | None]]:
    a = world["assignment"]
    return [
        ("get", f"/api/v1/peer-assignments/{a}", None),
        ("put", f"/api/v1/peer-assignments/{a}/conclusion", {"criteria": []}),
        ("post", f"/api/v1/peer-assignments/{a}/transitions", {"trigger": "accept"}),
    ]


ROLES = [
    "reviewer",
    "reviewed school",
    "school of another region",
    "curator of the reviewed",
    "curator of others",
    "coordinator of the region",
    "coordinator of another region",
    "admin",
]


@pytest.mark.parametrize("role", ROLES)
def test_peer_assignment_endpoints_by_role(world, client, role):
    email, sees, acts = world["roles"][role]
    headers = auth(client, email)
    listed = client.get("/api/v1/peer-assignments", headers=headers).json
    assert (world["assignment"] in {i["id"] for i in listed["items"]}) == (sees == 200)
    (_, get_url, _), (_, put_url, put_body), (_, post_url, post_body) = calls(world)
    assert client.get(get_url, headers=headers).status_code == sees
    put = client.put(put_url, headers=headers, json=put_body)
    post = client.post(post_url, headers=headers, json=post_body)
    if acts == 200:  # the reviewer: accepted; the draft needs an accepted assignment first
        assert (put.status_code, post.status_code) == (422, 200)
    else:
        assert (put.status_code, post.status_code) == (acts, acts), role


@pytest.mark.parametrize("role", ROLES)
def test_pairing_endpoints_are_the_admins(world, client, role):
    email = world["roles"][role][0]
    headers = auth(client, email)
    p = world["pairing"]
    body = {"campaign_id": current_campaign().id, "k": 1, "no_reciprocal": True}
    started = client.post("/api/v1/pairings", headers=headers, json=body)
    got = client.get(f"/api/v1/pairings/{p}", headers=headers)
    confirmed = client.post(f"/api/v1/pairings/{p}/confirm", headers=headers)
    swapped = client.post(f"/api/v1/pairings/{p}/swaps", headers=headers, json={"first": 1,
                          "second": 2})  # fmt: skip
    if role == "admin":
        assert started.status_code == 409  # the campaign's pairing is confirmed already
        assert (got.status_code, confirmed.status_code, swapped.status_code) == (200, 409, 409)
    else:
        assert started.status_code == 403
        assert (got.status_code, confirmed.status_code, swapped.status_code) == (404, 404, 404)


def test_anonymous_callers_get_401_everywhere(world, client):
    p, a = world["pairing"], world["assignment"]
    for method, url in [
        ("get", "/api/v1/peer-assignments"),
        ("get", f"/api/v1/peer-assignments/{a}"),
        ("put", f"/api/v1/peer-assignments/{a}/conclusion"),
        ("post", f"/api/v1/peer-assignments/{a}/transitions"),
        ("post", "/api/v1/pairings"),
        ("get", f"/api/v1/pairings/{p}"),
        ("post", f"/api/v1/pairings/{p}/swaps"),
        ("post", f"/api/v1/pairings/{p}/confirm"),
    ]:
        assert getattr(client, method)(url, json={}).status_code == 401, url
